// The wiring check (issue #20): every outbound call of every service, derived from the service's own configuration,
// reaches a Kubernetes Service (or the internet) and is admitted by the NetworkPolicies, and nothing else is.
//
// For each Deployment of the rendered overlay whose name is a service's quarkus.application.name, the service's
// configuration is read as its container sees it: fomo-shared's META-INF/microprofile-config.properties (ordinal 100),
// its application.properties (250) and the container's environment (300: envFrom ConfigMaps, env), with the profiles
// of QUARKUS_PROFILE (default prod), Quarkus' profile precedence and ${name:default} expansion; a property is
// overridden by the environment variable named per Quarkus' rule (non-alphanumerics to _, upper case:
// quarkus.grpc.clients.epoch-usage.host -> QUARKUS_GRPC_CLIENTS_EPOCH_USAGE_HOST). The outbound calls are the keys
//   quarkus.grpc.clients.<client>.host (+ .port, default 9000)       gRPC clients
//   quarkus.datasource[.<name>].{reactive,jdbc}.url                   the database
//   rabbitmq-host / rabbitmq-port (default 5672), mp.messaging.*.host the broker (when a channel uses RabbitMQ)
//   any key ending in "url" whose value is an http(s) URL             Keycloak (OIDC, token client, admin API), REST
//   any key ending in "denied-ranges"                                 a client of addresses given at run time (rmo's
//                                                                      hosting check): the internet, TCP 80 and 443
// and, for every one that names a host, DNS (kube-dns, UDP and TCP 53). A host is a Service of the overlay (name,
// name.namespace, ….svc, ….svc.cluster.local) or one its operators create (CloudNativePG <cluster>-rw/-ro/-r, the
// RabbitmqCluster's <name>, Keycloak's <name>-service), whose pods and ports are known from those operators.
// Findings: a client on localhost; a host or port no Service has; a flow the caller's egress or the callee's ingress
// does not admit (pod labels, namespaces, named and numbered ports); and, so that the policies admit EXACTLY these
// flows, any other in-suite flow or internet egress a policy admits, an egress rule admitting the cloud metadata
// address 169.254.169.254, a service without ingress or egress policy.
//
// The cluster side (pods, Services, the operators' conventions, NetworkPolicy semantics) is cluster.mjs.
// Usage as a program: node wiring.mjs FILE|-   lists the derived flows of a rendered overlay (and the findings).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { DNS, IPV4, clusterModel } from "./cluster.mjs";
import { ROOT, SHARED_PROPERTIES, readProperties, serviceModules } from "./lib.mjs";

/** The environment variable that overrides a property (SmallRye Config's rule). */
export const envName = (prop) => prop.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();

const LOOPBACK = /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|::1?|\[::1?\]|0:0:0:0:0:0:0:[01])$/i;
const DEFAULT_PORTS = { http: 80, https: 443, postgresql: 5432, postgres: 5432, mysql: 3306, amqp: 5672, amqps: 5671 };
/** Public addresses the internet egress must reach, and the cloud metadata address it must not. */
const PUBLIC_PROBES = ["1.1.1.1", "8.8.8.8", "52.95.110.1", "104.16.132.229"];
const METADATA = "169.254.169.254";
const INTERNET_PORTS = [80, 443];

/** One service's configuration as its container sees it. */
export class ServiceConfig {
  constructor(shared, own, env) {
    this.own = own;
    this.shared = shared;
    this.env = env;
    this.profiles = String(env.get("QUARKUS_PROFILE") ?? own.get("quarkus.profile") ?? "prod").split(",").map((p) => p.trim()).filter(Boolean);
  }

  /** The highest-ordinal source holding exactly this name: { value, ordinal }. */
  lookup(name) {
    const e = this.env.get(name) ?? this.env.get(envName(name));
    if (e !== undefined) return { value: e, ordinal: 300 };
    if (this.own.has(name)) return { value: this.own.get(name), ordinal: 250 };
    if (this.shared.has(name)) return { value: this.shared.get(name), ordinal: 100 };
    return undefined;
  }

  /** Profile-aware raw value (SmallRye: a profile's value wins unless the plain one is in a higher-ordinal source). */
  raw(name) {
    let prof;
    for (const p of [...this.profiles].reverse()) {
      prof = this.lookup(`%${p}.${name}`) ?? this.profileListLookup(p, name);
      if (prof) break;
    }
    const plain = this.lookup(name);
    if (prof && (!plain || plain.ordinal <= prof.ordinal)) return prof.value;
    return plain?.value;
  }

  /** %a,b.name (a key for several profiles) in the files. */
  profileListLookup(profile, name) {
    for (const [src, ordinal] of [[this.own, 250], [this.shared, 100]]) {
      for (const [k, v] of src) {
        const m = /^%([^.]+)\.(.*)$/.exec(k);
        if (m && m[1].includes(",") && m[2] === name && m[1].split(",").includes(profile)) return { value: v, ordinal };
      }
    }
    return undefined;
  }

  /** The expanded value and the names consulted for it (the property, then those its expressions name). */
  resolve(name) {
    const trail = [name];
    const v = this.raw(name);
    return v === undefined ? { value: undefined, trail } : { value: this.expand(v, trail, 0), trail };
  }

  expand(str, trail, depth) {
    if (depth > 20) return str;
    let out = "";
    for (let i = 0; i < str.length;) {
      if (!str.startsWith("${", i)) { out += str[i++]; continue; }
      let level = 1;
      let j = i + 2;
      while (j < str.length && level > 0) {
        if (str.startsWith("${", j)) { level++; j += 2; continue; }
        if (str[j] === "}") level--;
        j++;
      }
      const inner = str.slice(i + 2, j - 1);
      let colon = -1;
      for (let k = 0, l = 0; k < inner.length; k++) {
        if (inner.startsWith("${", k)) { l++; k++; } else if (inner[k] === "}") l--; else if (inner[k] === ":" && l === 0) { colon = k; break; }
      }
      const name = colon < 0 ? inner : inner.slice(0, colon);
      trail.push(name);
      const v = this.raw(name);
      if (v !== undefined) out += this.expand(v, trail, depth + 1);
      else if (colon >= 0) out += this.expand(inner.slice(colon + 1), trail, depth + 1);
      else out += "${" + inner + "}";
      i = j;
    }
    return out;
  }

  /** Every property name active in these profiles (profile prefixes stripped). */
  keys() {
    const out = new Set();
    for (const src of [this.shared, this.own]) {
      for (const k of src.keys()) {
        const m = /^%([^.]+)\.(.*)$/.exec(k);
        if (!m) out.add(k);
        else if (m[1].split(",").some((p) => this.profiles.includes(p))) out.add(m[2]);
      }
    }
    return [...out];
  }
}

/** A "scheme://host:port/..." value as { scheme, host, port }, or undefined. */
function parseUrl(value) {
  const m = /^(?:jdbc:)?(?:vertx-reactive:)?([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#,]+)(?::(\d+))?/i.exec(String(value ?? "").trim());
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  return { scheme, host: m[2].replace(/^\[|\]$/g, ""), port: m[3] ? Number(m[3]) : DEFAULT_PORTS[scheme] };
}

/** The outbound calls a service's configuration makes: [{ what, key, host, port, trail } | { what, key, internet }]. */
export function clientsOf(cfg) {
  const keys = cfg.keys();
  const out = [];
  const num = (name, dflt) => {
    const v = cfg.resolve(name).value;
    return v === undefined || v === "" ? dflt : Number(v);
  };
  for (const key of keys) {
    let m = /^quarkus\.grpc\.clients\.("[^"]+"|[^.]+)\.host$/.exec(key);
    if (m) {
      const r = cfg.resolve(key);
      out.push({ what: `gRPC client ${m[1]}`, key, host: r.value, trail: r.trail, port: num(`quarkus.grpc.clients.${m[1]}.port`, 9000) });
      continue;
    }
    m = /^quarkus\.datasource(\.[^.]+)?\.(reactive|jdbc)\.url$/.exec(key);
    if (m) {
      const r = cfg.resolve(key);
      const u = parseUrl(r.value);
      if (u) out.push({ what: `database (${m[2]})`, key, host: u.host, port: u.port, trail: r.trail });
      continue;
    }
    m = /^mp\.messaging\.(incoming|outgoing)\.([^.]+)\.host$/.exec(key);
    if (m) {
      const r = cfg.resolve(key);
      out.push({ what: `broker (channel ${m[2]})`, key, host: r.value, trail: r.trail, port: num(`mp.messaging.${m[1]}.${m[2]}.port`, 5672) });
      continue;
    }
    if (/(^|[.-])url$/i.test(key) && !key.startsWith("quarkus.datasource")) {
      const r = cfg.resolve(key);
      const u = parseUrl(r.value);
      if (u && (u.scheme === "http" || u.scheme === "https")) out.push({ what: `HTTP client (${key})`, key, host: u.host, port: u.port, trail: r.trail });
      continue;
    }
    if (/(^|\.)denied-ranges$/.test(key)) {
      out.push({ what: `calls to addresses given at run time (${key})`, key, internet: true });
    }
  }
  const rabbit = keys.some((k) => /^mp\.messaging\.(incoming|outgoing)\.[^.]+\.connector$/.test(k) && cfg.resolve(k).value === "smallrye-rabbitmq");
  if (rabbit) {
    const r = cfg.resolve("rabbitmq-host");
    out.push({ what: "broker (RabbitMQ)", key: "rabbitmq-host", host: r.value ?? "localhost", trail: r.trail, port: num("rabbitmq-port", 5672) });
  }
  return out;
}

/**
 * Checks the wiring of the rendered objects; calls fail(message) per finding. Returns { flows, services } where a
 * flow is { from, to, port, what: [the clients that make it] }.
 */
export function checkWiring(objects, fail, root = ROOT) {
  const modules = new Map(serviceModules(root).map((m) => [m.name, m]));
  const shared = readProperties(join(root, SHARED_PROPERTIES));
  const { endpoints, services, policiesFor, admits, egressToAddress, findService } = clusterModel(objects);
  const allEndpoints = [...endpoints, DNS];
  const names = (pols) => pols.map((p) => p.metadata.name).join(", ");

  const flowsByKey = new Map();
  const needed = new Set();
  const key = (from, to, port) => `${from.id}|${to.id}|${port.protocol}/${port.number}`;
  const serviceEndpoints = endpoints.filter((e) => e.workload?.kind === "Deployment" && modules.has(e.name));
  const externalNeeds = new Map();

  for (const S of serviceEndpoints) {
    const mod = modules.get(S.name);
    const env = containerEnv(S.workload, objects);
    const cfg = new ServiceConfig(shared, mod.props, env);
    const fl = (msg) => fail(`wiring ${S.name}: ${msg}`);
    let names_ = false;
    const need = (to, port, what, via = to.name) => {
      const e = admits("Egress", S, to, port);
      const i = admits("Ingress", S, to, port);
      if (!e.ok) fl(`${what} -> ${to.name}:${port.number}/${port.protocol}: no NetworkPolicy egress rule of ${S.name} admits it (${names(e.pols)})`);
      if (!i.ok) fl(`${what} -> ${to.name}:${port.number}/${port.protocol}: the ingress of ${to.name} does not admit ${S.name} (${names(i.pols)})`);
      const k = key(S, to, port);
      needed.add(k);
      const f = flowsByKey.get(k);
      if (f) { if (!f.what.includes(what)) f.what.push(what); return; }
      flowsByKey.set(k, { from: S.name, to: via, port: `${port.number}/${port.protocol}`, what: [what] });
    };
    for (const c of clientsOf(cfg)) {
      if (c.internet) {
        externalNeeds.set(S.id, true);
        const blocked = PUBLIC_PROBES.flatMap((ip) => INTERNET_PORTS.filter((p) => !egressToAddress(S, ip, p)).map((p) => `${ip}:${p}`));
        if (blocked.length) fl(`${c.what} needs egress to the internet (TCP ${INTERNET_PORTS.join(", ")}); no NetworkPolicy of ${S.name} admits ${blocked.slice(0, 3).join(", ")}${blocked.length > 3 ? " …" : ""} (add an ipBlock 0.0.0.0/0 except the cluster's ranges: k8s/README.md "Wiring")`);
        flowsByKey.set(`${S.id}|internet`, { from: S.name, to: "internet", port: INTERNET_PORTS.map((p) => `${p}/TCP`).join(","), what: [c.what] });
        continue;
      }
      const host = String(c.host ?? "localhost");
      const what = `${c.what}`;
      if (host.includes("${")) { fl(`${what}: ${c.key} resolves to ${host}, an unresolved expression`); continue; }
      if (!IPV4.test(host)) names_ = true;
      if (LOOPBACK.test(host)) {
        const overrides = [...new Set(c.trail.map(envName))].join(" or ");
        fl(`${what} (${c.key}) points at ${host}:${c.port}; set ${overrides} in its ConfigMap to the Service it calls`);
        // which Service was meant: the only other one with that port; check the policies for it all the same
        const meant = services.filter((s) => s.ns === S.ns && s.ports.some((p) => p.port === c.port) && !s.pods.includes(S));
        if (meant.length === 1) wire(meant[0], c.port, `${what} (meant: ${meant[0].name})`);
        continue;
      }
      const found = findService(host, S.ns);
      if (!found.inCluster) {
        const ok = IPV4.test(host) ? egressToAddress(S, host, c.port) : PUBLIC_PROBES.some((ip) => egressToAddress(S, ip, c.port));
        if (!ok) fl(`${what} -> ${host}:${c.port} (outside the cluster): no NetworkPolicy egress rule of ${S.name} admits an address on port ${c.port}`);
        externalNeeds.set(S.id, true);
        flowsByKey.set(`${S.id}|${host}|${c.port}`, { from: S.name, to: host, port: `${c.port}/TCP`, what: [what] });
        continue;
      }
      if (!found.svc) { fl(`${what} (${c.key}) points at ${host}:${c.port}, which is no Service of the overlay nor one its operators create`); continue; }
      wire(found.svc, c.port, what);
    }
    if (names_) for (const port of DNS.ports) need(DNS, port, "DNS");

    function wire(svc, portNumber, what) {
      const sp = svc.ports.find((p) => p.port === portNumber);
      if (!sp) { fl(`${what} -> ${svc.name}:${portNumber}: Service ${svc.name} has no port ${portNumber} (${svc.ports.map((p) => p.port).join(", ")})`); return; }
      if (svc.pods.length === 0) { fl(`${what} -> ${svc.name}:${portNumber}: Service ${svc.name} selects no pod of the overlay`); return; }
      for (const T of svc.pods) {
        const target = sp.targetPort ?? sp.port;
        const cp = typeof target === "number" || /^\d+$/.test(String(target))
          ? (T.ports.find((p) => p.number === Number(target) && p.protocol === sp.protocol) ?? { number: Number(target), protocol: sp.protocol })
          : T.ports.find((p) => p.name === target && p.protocol === sp.protocol);
        if (!cp) { fl(`${what} -> ${svc.name}:${portNumber}: its targetPort "${target}" is no port of ${T.id}`); continue; }
        need(T, cp, what, svc.name);
      }
    }
  }

  // exactly these: no policy admits another in-suite flow, the internet or the metadata address
  for (const S of serviceEndpoints) {
    if (policiesFor(S, "Egress").length === 0) fail(`wiring ${S.name}: no NetworkPolicy limits its egress; admit exactly the flows its configuration needs`);
    if (policiesFor(S, "Ingress").length === 0) fail(`wiring ${S.name}: no NetworkPolicy limits its ingress; admit exactly its callers`);
    for (const T of allEndpoints) {
      if (T === S) continue;
      for (const port of T.ports) {
        const e = admits("Egress", S, T, port);
        if (e.restricted && e.ok && !needed.has(key(S, T, port)))
          fail(`wiring ${S.name}: its egress admits ${T.name}:${port.number}/${port.protocol} (${names(e.pols)}), which its configuration never calls`);
      }
    }
    if (!externalNeeds.has(S.id) && PUBLIC_PROBES.some((ip) => INTERNET_PORTS.some((p) => egressToAddress(S, ip, p))) && policiesFor(S, "Egress").length)
      fail(`wiring ${S.name}: its egress admits the internet, which its configuration never calls`);
    if (INTERNET_PORTS.some((p) => egressToAddress(S, METADATA, p)) && policiesFor(S, "Egress").length)
      fail(`wiring ${S.name}: its egress admits the cloud metadata address ${METADATA}; except 169.254.0.0/16 from its ipBlock`);
  }
  for (const T of serviceEndpoints) {
    for (const port of T.ports) {
      for (const S of allEndpoints) {
        if (S === T) continue;
        const i = admits("Ingress", S, T, port);
        if (i.restricted && i.ok && !needed.has(key(S, T, port)))
          fail(`wiring ${T.name}: its ingress admits ${S.name} to port ${port.number}/${port.protocol} (${names(i.pols)}), which ${S.name} never calls`);
      }
    }
  }
  return { flows: [...flowsByKey.values()], services: serviceEndpoints.length };
}

/** The environment of a workload's first container: envFrom ConfigMaps/Secrets, then env (later wins). */
function containerEnv(w, objects) {
  const env = new Map();
  const c = w.spec?.template?.spec?.containers?.[0] ?? {};
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? "default") === (w.metadata?.namespace ?? "default"));
  for (const ef of c.envFrom ?? []) {
    const src = ef.configMapRef ? find("ConfigMap", ef.configMapRef.name) : ef.secretRef ? find("Secret", ef.secretRef.name) : undefined;
    const data = ef.configMapRef ? (src?.data ?? {}) : Object.fromEntries(Object.keys({ ...(src?.data ?? {}), ...(src?.stringData ?? {}) }).map((k) => [k, "<secret>"]));
    for (const [k, v] of Object.entries(data)) env.set(`${ef.prefix ?? ""}${k}`, String(v));
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined && e.value !== null) env.set(e.name, String(e.value));
    else if (e.valueFrom?.configMapKeyRef) env.set(e.name, String(find("ConfigMap", e.valueFrom.configMapKeyRef.name)?.data?.[e.valueFrom.configMapKeyRef.key] ?? ""));
    else env.set(e.name, "<from " + Object.keys(e.valueFrom ?? {}).join(",") + ">");
  }
  return env;
}

// node wiring.mjs FILE|- : the flows of a rendered overlay, one a line, then the findings.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) { console.error("usage: node wiring.mjs FILE|-   (FILE: the output of kubectl kustomize)"); process.exit(2); }
  const objects = parseAllDocuments(readFileSync(file === "-" ? 0 : file, "utf8")).map((d) => d.toJS()).filter((o) => o && typeof o === "object");
  const findings = [];
  const { flows } = checkWiring(objects, (m) => findings.push(`FAIL ${m}`));
  for (const f of flows) console.log(`${f.from} -> ${f.to} ${f.port}  ${f.what.join("; ")}`);
  for (const f of findings) console.log(f);
  process.exit(findings.length ? 1 : 0);
}
