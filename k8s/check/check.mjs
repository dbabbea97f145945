// Checks rendered Kubernetes manifests (the output of `kubectl kustomize DIR`):
//   - every Deployment's containers have a livenessProbe, readinessProbe and startupProbe (each with
//     a handler; a named port must be one the container declares);
//   - every container has CPU and memory requests and limits;
//   - every Deployment has a PodDisruptionBudget in its namespace whose selector matches its pod labels;
//   - no Secret still holds the base's REPLACE-ME placeholder, and no KeycloakRealmImport carries
//     passwords or literal client secrets unless annotated fomo.io/demo-credentials: "true" (dev);
//   - a KeycloakRealmImport not annotated as the demo realm has brute-force protection on (issue #17);
//   - secrets (issue #17): no container env sets a secret-looking variable (…PASSWORD, …SECRET(S), …TOKEN…) to a
//     literal value, no ConfigMap holds one, no Secret or env value is a default committed to the repository
//     (the services' fomo.secrets.check.*.defaults and local/test values, the demo realm's client secrets and
//     passwords) and nothing turns the services' secret check off (profile "local", FOMO_SECRETS_ALLOW_DEFAULTS)
//     unless annotated fomo.io/demo-credentials: "true"; an overlay named prod (or *-prod) carries no such annotation;
//   - /q (health, metrics, OpenAPI) is served on the management port only (issue #17): every /q probe and the
//     Prometheus annotations use the container's port named "management", nothing turns the management interface
//     off, no Service exposes that port (Services are what the ingress routes to), no Ingress routes /q or to it,
//     and no NetworkPolicy admits it from everywhere, from an ipBlock, from every namespace or from the
//     namespaces of the ingress controller or the API platform (fomo.io/ingress, fomo.io/api-platform);
//   - the wiring (wiring.mjs): every outbound call in a service's own configuration points at a Service of the overlay
//     (or the internet), never localhost, and the NetworkPolicies admit exactly those flows;
//   - every object of a built-in kind validates against its type (kubernetes-models; custom
//     resources such as CloudNativePG's Cluster are skipped).
// Usage: node check.mjs LABEL FILE   (FILE "-" = stdin). Prints one line per finding and exits 1 on any.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ROOT, SHARED_PROPERTIES, readProperties, selects, serviceModules } from "./lib.mjs";
import { checkWiring } from "./wiring.mjs";

const [label, file] = process.argv.slice(2);
if (!label || !file) {
  console.error("usage: node check.mjs LABEL FILE|-");
  process.exit(2);
}
const text = readFileSync(file === "-" ? 0 : file, "utf8");
const findings = [];
const fail = (msg) => findings.push(`FAIL ${label}: ${msg}`);

const objects = [];
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length) {
    fail(`YAML error: ${doc.errors[0].message}`);
    continue;
  }
  const o = doc.toJS();
  if (o && typeof o === "object") objects.push(o);
}

const ns = (o) => o.metadata?.namespace ?? "default";
const id = (o) => `${o.kind} ${ns(o)}/${o.metadata?.name}`;

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];
const HANDLERS = ["httpGet", "tcpSocket", "exec", "grpc"];
const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget");
const deployments = objects.filter((o) => o.kind === "Deployment");

for (const d of deployments) {
  const pod = d.spec?.template ?? {};
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 0) fail(`${id(d)}: no containers`);
  for (const c of containers) {
    const where = `${id(d)} container ${c.name}`;
    const portNames = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean));
    for (const p of PROBES) {
      const probe = c[p];
      if (!probe) { fail(`${where}: no ${p}`); continue; }
      const h = HANDLERS.find((k) => probe[k]);
      if (!h) { fail(`${where}: ${p} has no handler (${HANDLERS.join("/")})`); continue; }
      const port = probe[h].port;
      if (typeof port === "string" && !/^\d+$/.test(port) && !portNames.has(port))
        fail(`${where}: ${p} uses port "${port}", which the container does not declare`);
    }
    for (const kind of ["requests", "limits"])
      for (const r of ["cpu", "memory"])
        if (c.resources?.[kind]?.[r] === undefined || c.resources?.[kind]?.[r] === null || c.resources?.[kind]?.[r] === "")
          fail(`${where}: no resources.${kind}.${r}`);
  }
  const labels = pod.metadata?.labels ?? {};
  const covering = pdbs.filter((p) => ns(p) === ns(d) && selects(p.spec?.selector, labels));
  if (covering.length === 0) fail(`${id(d)}: no PodDisruptionBudget selects its pods (labels ${JSON.stringify(labels)})`);
  if (covering.length > 1) fail(`${id(d)}: ${covering.length} PodDisruptionBudgets select its pods (${covering.map((p) => p.metadata.name).join(", ")}); the eviction API refuses that`);
}

// --- no placeholder Secret and no demo credentials slip into an overlay ---
for (const o of objects.filter((x) => x.kind === "Secret")) {
  const values = [
    ...Object.values(o.stringData ?? {}),
    ...Object.values(o.data ?? {}).map((v) => Buffer.from(String(v), "base64").toString("utf8")),
  ];
  if (values.some((v) => String(v).startsWith("REPLACE-ME")))
    fail(`${id(o)}: still holds the base's REPLACE-ME placeholder (replace it in the overlay, or delete it there and let the operator provide it)`);
}
for (const o of objects.filter((x) => x.kind === "KeycloakRealmImport")) {
  if (o.metadata?.annotations?.["fomo.io/demo-credentials"] === "true") continue; // dev: on purpose
  const r = o.spec?.realm ?? {};
  const people = (r.users ?? []).filter((u) => (u.credentials ?? []).length > 0).map((u) => u.username);
  if (people.length) fail(`${id(o)}: users with credentials (${people.join(", ")}) without annotation fomo.io/demo-credentials: "true"`);
  const literal = (r.clients ?? []).filter((c) => c.secret && !/^\$\{[A-Z0-9_]+\}$/.test(c.secret)).map((c) => c.clientId);
  if (literal.length) fail(`${id(o)}: literal client secrets (${literal.join(", ")}) without annotation fomo.io/demo-credentials: "true"`);
  if (r.bruteForceProtected !== true) fail(`${id(o)}: bruteForceProtected is not true (issue #17: a realm outside the demo protects its logins)`);
}

// --- secrets (issue #17): wired from Secrets, never literal, never a committed default ---
const demo = (o) => o.metadata?.annotations?.["fomo.io/demo-credentials"] === "true";
const SECRET_NAME = /(PASSWORD|SECRETS?$|SECRET_|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY)/i;
const isProd = /(^|-)prod$/.test(label);

// The values committed to the repository as secrets: what each service declares under
// fomo.secrets.check.<name>.defaults (with ${fomo.service} and ${quarkus.application.name} expanded per service),
// the values its checked properties take in any profile, and the demo realm's client secrets and passwords.
function committedDefaults() {
  const root = ROOT;
  const shared = readProperties(join(root, SHARED_PROPERTIES));
  const services = serviceModules(root).map((m) => m.props);
  const out = new Set(["guest"]);
  for (const own of services) {
    const props = new Map([...shared, ...own]);
    const expand = (v) => v.replaceAll("${fomo.service}", own.get("fomo.service"))
      .replaceAll("${quarkus.application.name}", own.get("quarkus.application.name") ?? "");
    const checked = new Set();
    for (const [k, v] of props) {
      const m = /^fomo\.secrets\.check\.([^.]+)\.(defaults|property)$/.exec(k);
      if (m && m[2] === "defaults") v.split(",").map((x) => expand(x.trim())).filter(Boolean).forEach((x) => out.add(x));
      if (m && m[2] === "property") checked.add(v);
    }
    for (const [k, v] of props) {
      if (checked.has(k.replace(/^%[^.]+\./, ""))) v.split(",").map((x) => expand(x.trim())).filter((x) => x && !x.includes("${")).forEach((x) => out.add(x));
    }
  }
  const realmPath = join(root, "deploy/keycloak/fomo-realm.json");
  if (existsSync(realmPath)) {
    const realm = JSON.parse(readFileSync(realmPath, "utf8"));
    for (const c of realm.clients ?? []) if (c.secret) out.add(c.secret);
    for (const u of realm.users ?? []) for (const cr of u.credentials ?? []) if (cr.value) out.add(cr.value);
  }
  return out;
}
const DEFAULTS = committedDefaults();
const isDefault = (v) => String(v).split(",").map((x) => x.trim()).some((x) => DEFAULTS.has(x));
const turnsSecretCheckOff = (k, v) =>
  (k === "QUARKUS_PROFILE" && String(v).split(",").map((x) => x.trim()).includes("local")) ||
  (k === "FOMO_SECRETS_ALLOW_DEFAULTS" && String(v).trim().toLowerCase() === "true");
const turnsManagementOff = (k, v) => k === "QUARKUS_MANAGEMENT_ENABLED" && String(v).trim().toLowerCase() === "false";

for (const o of objects.filter((x) => x.kind === "Secret")) {
  const entries = [
    ...Object.entries(o.stringData ?? {}),
    ...Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString("utf8")]),
  ];
  // user names are no secrets (the local ones equal the local passwords: fomo_<service>)
  const defaulted = entries.filter(([k, v]) => !/user(name)?$/i.test(k) && isDefault(v)).map(([k]) => k);
  if (defaulted.length && !demo(o))
    fail(`${id(o)}: holds a default secret committed to the repository (key ${defaulted.join(", ")}); create the Secret from your secret store instead (k8s/README.md "Secrets")`);
}
for (const o of objects.filter((x) => x.kind === "ConfigMap")) {
  for (const [k, v] of Object.entries(o.data ?? {})) {
    if (SECRET_NAME.test(k)) fail(`${id(o)}: holds ${k}, a secret: put it in a Secret and wire it with secretKeyRef`);
    if (turnsSecretCheckOff(k, v) && !demo(o))
      fail(`${id(o)}: ${k}=${v} turns the services' secret check off (committed default secrets accepted) without annotation fomo.io/demo-credentials: "true"`);
    if (turnsManagementOff(k, v)) fail(`${id(o)}: ${k}=${v} serves /q on the public HTTP port`);
  }
}
for (const d of deployments) {
  for (const c of d.spec?.template?.spec?.containers ?? []) {
    for (const e of c.env ?? []) {
      if (e.value === undefined || e.value === null) continue;
      if (SECRET_NAME.test(e.name))
        fail(`${id(d)} container ${c.name}: literal secret in env ${e.name}; wire it from a Secret (valueFrom.secretKeyRef)`);
      else if (isDefault(e.value))
        fail(`${id(d)} container ${c.name}: env ${e.name} is a default secret committed to the repository`);
      if (turnsSecretCheckOff(e.name, e.value))
        fail(`${id(d)} container ${c.name}: env ${e.name}=${e.value} turns the services' secret check off`);
      if (turnsManagementOff(e.name, e.value)) fail(`${id(d)} container ${c.name}: env ${e.name}=${e.value} serves /q on the public HTTP port`);
    }
  }
}
if (isProd) {
  for (const o of objects.filter(demo))
    fail(`${id(o)}: annotated fomo.io/demo-credentials in the prod overlay; prod carries no demo credentials`);
}

// --- /q only on the management port (issue #17) ---
const MGMT = "management";
const podPorts = (d) => (d.spec?.template?.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
const mgmtPortsOf = (d) => podPorts(d).filter((p) => p.name === MGMT);
const isMgmt = (d, port) => mgmtPortsOf(d).some((p) => p.name === port || p.containerPort === Number(port));
for (const d of deployments) {
  for (const c of d.spec?.template?.spec?.containers ?? []) {
    for (const p of PROBES) {
      const h = c[p]?.httpGet;
      if (h && String(h.path ?? "").startsWith("/q") && !isMgmt(d, h.port))
        fail(`${id(d)} container ${c.name}: ${p} reads ${h.path} on port ${h.port}, not the port named "${MGMT}": /q must be served on the management interface only`);
    }
  }
  const ann = d.spec?.template?.metadata?.annotations ?? {};
  if (String(ann["prometheus.io/path"] ?? "").startsWith("/q") && ann["prometheus.io/port"] !== undefined && !isMgmt(d, ann["prometheus.io/port"]))
    fail(`${id(d)}: prometheus.io/port ${ann["prometheus.io/port"]} is not the port named "${MGMT}": /q/metrics is served on the management interface only`);
}
const podsOf = (namespace, selector) => deployments.filter((d) => ns(d) === namespace && selects(selector, d.spec?.template?.metadata?.labels ?? {}));
for (const s of objects.filter((x) => x.kind === "Service")) {
  if (!s.spec?.selector) continue;
  const pods = podsOf(ns(s), { matchLabels: s.spec.selector });
  for (const sp of s.spec?.ports ?? []) {
    const target = sp.targetPort ?? sp.port;
    if (pods.some((d) => isMgmt(d, target)))
      fail(`${id(s)}: port ${sp.name ?? sp.port} exposes the management port (/q/*); the ingress routes to Services, so none may expose it`);
  }
}
for (const ing of objects.filter((x) => x.kind === "Ingress")) {
  for (const r of ing.spec?.rules ?? []) {
    for (const p of r.http?.paths ?? []) {
      const port = p.backend?.service?.port;
      if (String(p.path ?? "/").startsWith("/q") || port?.name === MGMT)
        fail(`${id(ing)}: routes ${p.path ?? "/"} to ${p.backend?.service?.name}:${port?.name ?? port?.number}; /q and the management port stay inside the cluster`);
    }
  }
}
const OUTSIDE = ["fomo.io/ingress", "fomo.io/api-platform"];
for (const np of objects.filter((x) => x.kind === "NetworkPolicy")) {
  const pods = podsOf(ns(np), np.spec?.podSelector ?? {});
  for (const rule of np.spec?.ingress ?? []) {
    const covered = rule.ports === undefined || rule.ports.length === 0
      ? pods.filter((d) => mgmtPortsOf(d).length)
      : pods.filter((d) => rule.ports.some((p) => p.port === undefined || isMgmt(d, p.port)));
    if (covered.length === 0) continue;
    const from = rule.from ?? [];
    const why = from.length === 0 ? "from everywhere"
      : from.some((f) => f.ipBlock) ? "from an ipBlock"
      : from.some((f) => f.namespaceSelector && Object.keys(f.namespaceSelector.matchLabels ?? {}).length === 0 && (f.namespaceSelector.matchExpressions ?? []).length === 0) ? "from every namespace"
      : from.some((f) => OUTSIDE.some((l) => f.namespaceSelector?.matchLabels?.[l] === "true")) ? "from the ingress controller's or the API platform's namespace"
      : null;
    if (why) fail(`${id(np)}: admits the management port (/q/*) of ${covered.map((d) => d.metadata.name).join(", ")} ${why}; admit it only from inside the cluster (e.g. fomo.io/monitoring)`);
  }
}

// --- the wiring (issue #20): every outbound call of every service reaches its Service and passes the NetworkPolicies
// (wiring.mjs) ---
const wiring = checkWiring(objects, fail);

// --- types of built-in kinds ---
let typed = 0;
for (const o of objects) {
  if (!o.apiVersion || !o.kind) { fail(`object without apiVersion/kind: ${JSON.stringify(o).slice(0, 80)}`); continue; }
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  if (group.includes(".") && !group.endsWith(".k8s.io")) continue; // a custom resource
  const modPath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let mod;
  try { mod = await import(modPath); } catch { continue; } // not a built-in API group
  const Model = mod[o.kind];
  if (!Model) continue;
  try {
    new Model(o).validate();
    typed++;
  } catch (e) {
    fail(`${id(o)}: invalid ${o.apiVersion} ${o.kind}: ${String(e.message).split("\n")[0]}`);
  }
}

for (const f of findings) console.log(f);
if (findings.length) {
  console.log(`${label}: ${findings.length} finding(s)`);
  process.exit(1);
}
console.log(`OK ${label}: ${deployments.length} Deployment(s) with probes, resources and a PDB; ${typed} built-in object(s) type-checked, ${objects.length} object(s) in all`);
if (wiring.services)
  console.log(`OK ${label}: wiring: ${wiring.flows.length} flow(s) of ${wiring.services} service(s), derived from their configuration, reach their Service and pass the NetworkPolicies, which admit nothing else`);
