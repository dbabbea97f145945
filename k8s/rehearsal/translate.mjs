// Translates the rendered prod overlay (`kubectl kustomize k8s/overlays/prod`) into what `podman kube play` runs
// (k8s/rehearsal/rehearse.sh calls it; see k8s/README.md "Images and the rehearsal").
//
//   node translate.mjs RENDERED.yaml OUT_DIR SETTINGS.json
//
// SETTINGS: { ports: {<service>: {http, grpc, management}}, keycloakPort, standin: {ip, port, jar, forwarder},
//             images: {postgres, rabbitmq, keycloak, jre}, pace: {VAR: value}, demoRealm: PATH }
// Writes into OUT_DIR:
//   secrets/<name>.json   every Secret the pods read, as Kubernetes Secret JSON (what `podman secret create` takes and
//                         kube play's secretKeyRef reads): the overlay's own Secrets plus the ones the operators and
//                         the operator's people would create (random values, generated here)
//   infra.yaml            plain pods for the operator-managed infrastructure: one PostgreSQL per CloudNativePG
//                         Cluster (pod <cluster>-rw), RabbitMQ (pod <RabbitmqCluster name>) with the Vhost, Users,
//                         Permissions and TopicPermissions applied, Keycloak (pod <name>-service) with the realm import
//   services.yaml         the overlay's ConfigMaps and one Pod per Deployment, named after the Service that selects
//                         it, with the Deployment's own pod template (see `changes` in translation.txt)
//   standin.yaml          the story's model host (fomo-standin), an "internet" host for rmo's hosting check
//   translation.txt       what was translated, what is checked statically, what is not enforced
//   volumes.txt           the volumes podman makes for emptyDirs and ConfigMaps (by name, for the clean-up)
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";

// the yaml package k8s/check installs (npm ci in k8s/check)
const { parseAllDocuments, stringify } = createRequire(import.meta.url)("../check/node_modules/yaml");

const [renderedFile, outDir, settingsFile] = process.argv.slice(2);
if (!renderedFile || !outDir || !settingsFile) {
  console.error("usage: node translate.mjs RENDERED.yaml OUT_DIR SETTINGS.json");
  process.exit(2);
}
const S = JSON.parse(readFileSync(settingsFile, "utf8"));
const objects = parseAllDocuments(readFileSync(renderedFile, "utf8")).map((d) => d.toJS()).filter(Boolean);
const ofKind = (kind) => objects.filter((o) => o.kind === kind);
const notes = { translated: [], changes: [], checked: [], notEnforced: [] };
const secrets = new Map(); // name -> {key: value}
const random = () => randomBytes(24).toString("hex");
const b64 = (s) => Buffer.from(String(s), "utf8").toString("base64");
const addSecret = (name, data, why) => {
  secrets.set(name, { ...(secrets.get(name) || {}), ...data });
  if (why) notes.translated.push(`Secret ${name}: ${why}`);
};
const secretRef = (name, key) => ({ valueFrom: { secretKeyRef: { name, key } } });
const labels = (name, component) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/component": component,
  "app.kubernetes.io/part-of": "fomo", "fomo.io/rehearsal": "true" });

// ---- the overlay's own Secrets (e.g. the RabbitMQ user names) ------------------------------------------------
for (const s of ofKind("Secret")) {
  const data = {};
  for (const [k, v] of Object.entries(s.data || {})) data[k] = Buffer.from(v, "base64").toString("utf8");
  Object.assign(data, s.stringData || {});
  addSecret(s.metadata.name, data);
}

// ---- what the operator's people create before applying prod (k8s/README.md): the OIDC client secrets --------
const realmImport = ofKind("KeycloakRealmImport")[0];
for (const [, p] of Object.entries(realmImport?.spec?.placeholders || {})) {
  addSecret(p.secret.name, { [p.secret.key]: random() });
}
for (const d of ofKind("Deployment")) {
  for (const c of d.spec.template.spec.containers) {
    for (const e of c.env || []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && /-oidc$|-webhook$/.test(ref.name) && !secrets.get(ref.name)?.[ref.key]) {
        addSecret(ref.name, { [ref.key]: random() });
      }
    }
  }
}
notes.translated.push("Secrets <client>-oidc and inference-billing-webhook: created with random values, as the README asks the operator to (prod ships none)");

// The infrastructure pods declare no container port but the published one: podman 4.3's kube play publishes every
// declared containerPort on the host (same number) when it has no hostPort, and 5432 or 5672 is taken there.
// ---- CloudNativePG Clusters -> one PostgreSQL pod each, named <cluster>-rw (the operator's read-write Service) --
const infraDocs = [];
const resourcesOf = (r) => JSON.parse(JSON.stringify(r || {}));
for (const c of ofKind("Cluster")) {
  const name = c.metadata.name;
  const init = c.spec.bootstrap?.initdb || {};
  const owner = init.owner || "app";
  addSecret(`${name}-app`, { username: owner, password: random() },
    `the app owner's credentials CloudNativePG generates for Cluster ${name}`);
  infraDocs.push({
    apiVersion: "v1", kind: "Pod",
    metadata: { name: `${name}-rw`, labels: labels(name, "database") },
    spec: {
      restartPolicy: "Always",
      containers: [{
        name: "postgres", image: S.images.postgres,
        env: [
          { name: "POSTGRES_DB", value: init.database || "app" },
          { name: "POSTGRES_USER", value: owner },
          { name: "POSTGRES_PASSWORD", ...secretRef(`${name}-app`, "password") },
        ],
        resources: resourcesOf(c.spec.resources),
        volumeMounts: [{ name: `${name}-rw-data`, mountPath: "/var/lib/postgresql/data" }],
      }],
      volumes: [{ name: `${name}-rw-data`, emptyDir: {} }],
    },
  });
  notes.translated.push(`CloudNativePG Cluster ${name} (${c.spec.instances} instances, ${c.spec.imageName}) -> Pod ${name}-rw: one PostgreSQL 15 from Debian, database ${init.database} owned by ${owner}, data in an emptyDir`);
}

// ---- RabbitmqCluster + topology (Vhost, User, Permission, TopicPermission) -> one RabbitMQ pod ------------------
// RabbitMQ's password hash (rabbit_password_hashing_sha256): base64(salt ++ sha256(salt ++ password)), 4 random bytes of salt.
const rabbitHash = (password) => {
  const salt = randomBytes(4);
  return Buffer.concat([salt, createHash("sha256").update(Buffer.concat([salt, Buffer.from(password, "utf8")])).digest()]).toString("base64");
};
for (const r of ofKind("RabbitmqCluster")) {
  const name = r.metadata.name;
  const mine = (o) => o.spec?.rabbitmqClusterReference?.name === name;
  const defs = { vhosts: [], users: [], permissions: [], topic_permissions: [] };
  for (const v of ofKind("Vhost").filter(mine)) defs.vhosts.push({ name: v.spec.name });
  const userNames = new Map(); // User object name -> RabbitMQ user name
  for (const u of ofKind("User").filter(mine)) {
    const imported = secrets.get(u.spec.importCredentialsSecret?.name) || {};
    const username = imported.username || u.metadata.name;
    const password = imported.password || random();
    // the topology operator writes <User>-user-credentials (username, password): the services read it
    addSecret(`${u.metadata.name}-user-credentials`, { username, password });
    userNames.set(u.metadata.name, username);
    defs.users.push({ name: username, password_hash: rabbitHash(password), hashing_algorithm: "rabbit_password_hashing_sha256",
      tags: u.spec.tags || [] });
  }
  for (const p of ofKind("Permission").filter(mine)) {
    const { configure = "", write = "", read = "" } = p.spec.permissions || {};
    defs.permissions.push({ user: userNames.get(p.spec.userReference?.name) || p.spec.user, vhost: p.spec.vhost, configure, write, read });
  }
  for (const t of ofKind("TopicPermission").filter(mine)) {
    const { exchange, write = "", read = "" } = t.spec.permissions || {};
    defs.topic_permissions.push({ user: userNames.get(t.spec.userReference?.name) || t.spec.user, vhost: t.spec.vhost, exchange, write, read });
  }
  addSecret(`${name}-rehearsal-definitions`, { "definitions.json": JSON.stringify(defs) });
  infraDocs.push({
    apiVersion: "v1", kind: "Pod",
    metadata: { name, labels: labels(name, "messaging") },
    spec: {
      restartPolicy: "Always",
      containers: [{
        name: "rabbitmq", image: S.images.rabbitmq,
        env: [{ name: "FOMO_RABBITMQ_DEFINITIONS", ...secretRef(`${name}-rehearsal-definitions`, "definitions.json") }],
        resources: resourcesOf(r.spec.resources),
      }],
    },
  });
  notes.translated.push(`RabbitmqCluster ${name} (${r.spec.replicas} nodes) -> Pod ${name}: one RabbitMQ from Debian, loading at boot the definitions `
    + `of the ${defs.vhosts.length} Vhost, ${defs.users.length} Users (Secrets <user>-user-credentials with random passwords, as the topology operator makes them), `
    + `${defs.permissions.length} Permissions and ${defs.topic_permissions.length} TopicPermissions`);
}

// ---- Keycloak CR + KeycloakRealmImport -> one Keycloak pod <name>-service, the realm imported at start -----------
const realmConfigMaps = [];
for (const k of ofKind("Keycloak")) {
  const name = k.metadata.name;
  const db = k.spec.db || {};
  const env = [
    { name: "KC_DB", value: db.vendor || "postgres" },
    { name: "KC_DB_URL_HOST", value: db.host },
    { name: "KC_DB_URL_PORT", value: String(db.port || 5432) },
    { name: "KC_DB_URL_DATABASE", value: db.database },
    { name: "KC_DB_USERNAME", ...secretRef(db.usernameSecret.name, db.usernameSecret.key) },
    { name: "KC_DB_PASSWORD", ...secretRef(db.passwordSecret.name, db.passwordSecret.key) },
    { name: "KC_HTTP_ENABLED", value: String(k.spec.http?.httpEnabled ?? true) },
    // spec.hostname.hostname is the URL people reach Keycloak at: here the published port on this machine
    { name: "KC_HOSTNAME", value: `http://localhost:${S.keycloakPort}` },
    { name: "KC_HOSTNAME_BACKCHANNEL_DYNAMIC", value: String(k.spec.hostname?.backchannelDynamic ?? false) },
    { name: "KC_PROXY_HEADERS", value: k.spec.proxy?.headers || "xforwarded" },
    { name: "KC_BOOTSTRAP_ADMIN_USERNAME", ...secretRef(`${name}-initial-admin`, "username") },
    { name: "KC_BOOTSTRAP_ADMIN_PASSWORD", ...secretRef(`${name}-initial-admin`, "password") },
  ];
  addSecret(`${name}-initial-admin`, { username: "temp-admin", password: random() },
    "the bootstrap admin the Keycloak operator generates");
  const volumes = [];
  const mounts = [];
  const imp = ofKind("KeycloakRealmImport").find((i) => i.spec.keycloakCRName === name);
  if (imp) {
    // The operator's placeholders: environment variables from Secrets, which Keycloak substitutes in the import.
    for (const [v, p] of Object.entries(imp.spec.placeholders || {})) env.push({ name: v, ...secretRef(p.secret.name, p.secret.key) });
    // The story's people (SPEC §1) and the public client fomo-cli they log in with: the prod template has none
    // ("people come from your identity set-up"); here they come from the demo realm, as that set-up.
    const realm = JSON.parse(JSON.stringify(imp.spec.realm));
    const demo = JSON.parse(readFileSync(S.demoRealm, "utf8"));
    const people = (demo.users || []).filter((u) => !u.serviceAccountClientId && !String(u.username).startsWith("service-account-"));
    const cli = (demo.clients || []).filter((c) => c.clientId === "fomo-cli");
    realm.users = [...(realm.users || []), ...people];
    realm.clients = [...(realm.clients || []), ...cli.filter((c) => !(realm.clients || []).some((r) => r.clientId === c.clientId))];
    const cm = `${name}-realm-import`;
    realmConfigMaps.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: cm, labels: labels(name, "identity") },
      data: { "fomo-realm.json": JSON.stringify(realm, null, 2) } });
    volumes.push({ name: "realm", configMap: { name: cm } });
    mounts.push({ name: "realm", mountPath: "/opt/keycloak/data/import", readOnly: true });
    notes.translated.push(`KeycloakRealmImport ${imp.metadata.name} -> ConfigMap ${cm} imported at start (--import-realm), its ${Object.keys(imp.spec.placeholders || {}).length} placeholders from the Secrets as environment variables (as the operator does); `
      + `plus the story's people (${people.map((u) => u.username).join(", ")}) and the public client fomo-cli from deploy/keycloak/fomo-realm.json, standing for the operator's identity set-up`);
  }
  infraDocs.push({
    apiVersion: "v1", kind: "Pod",
    metadata: { name: `${name}-service`, labels: labels(name, "identity") },
    spec: {
      restartPolicy: "Always",
      containers: [{
        name: "keycloak", image: S.images.keycloak,
        args: ["start", "--optimized", ...(imp ? ["--import-realm"] : [])],
        env,
        ports: [{ name: "http", containerPort: 8080, hostPort: S.keycloakPort, hostIP: "127.0.0.1" }],
        resources: resourcesOf(k.spec.resources),
        volumeMounts: mounts,
      }],
      volumes,
    },
  });
  notes.translated.push(`Keycloak ${name} (${k.spec.instances} instances) -> Pod ${name}-service: Keycloak from Maven Central on the Debian JRE, `
    + `start --optimized with the CR's database, http, proxy and back-channel settings; hostname ${k.spec.hostname?.hostname} -> http://localhost:${S.keycloakPort} (published)`);
}

// ---- the five Deployments -> Pods named after their Service ------------------------------------------------
const serviceDocs = [...ofKind("ConfigMap")];
const services = ofKind("Service");
const matches = (sel, lbls) => Object.entries(sel || {}).every(([k, v]) => lbls?.[k] === v);
for (const d of ofKind("Deployment")) {
  const tpl = JSON.parse(JSON.stringify(d.spec.template));
  const svc = services.find((s) => matches(s.spec.selector, tpl.metadata.labels));
  const podName = svc ? svc.metadata.name : d.metadata.name;
  const ports = S.ports[d.metadata.name] || {};
  const changes = [];
  // podman 4.3 names an emptyDir's volume after the volume: the pods' "tmp" would be ONE volume shared by all five.
  const renamed = {};
  for (const v of tpl.spec.volumes || []) {
    if (v.emptyDir) { renamed[v.name] = `${podName}-${v.name}`; v.name = renamed[v.name]; }
  }
  for (const c of tpl.spec.containers) {
    for (const m of c.volumeMounts || []) if (renamed[m.name]) m.name = renamed[m.name];
    const byName = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
    for (const p of c.ports || []) {
      const host = ports[p.name];
      if (host) { p.hostPort = host; p.hostIP = "127.0.0.1"; }
    }
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const h = c[probe]?.httpGet;
      if (h && typeof h.port === "string" && byName[h.port]) { h.port = byName[h.port]; }
    }
    const extra = { ...(S.env?.[d.metadata.name] || {}) };
    for (const [k, v] of Object.entries(extra)) {
      c.env = (c.env || []).filter((e) => e.name !== k);
      c.env.push({ name: k, value: v });
      changes.push(`${k}=${v}`);
    }
  }
  notes.changes.push(`Deployment ${d.metadata.name} -> Pod ${podName} (the Service's name, so the Service name resolves), the pod template as rendered; `
    + `published on 127.0.0.1: http ${ports.http}, grpc ${ports.grpc}, management ${ports.management}; probes' named ports as numbers`
    + (Object.keys(renamed).length ? `; emptyDir ${Object.keys(renamed).join(", ")} named ${Object.values(renamed).join(", ")} (podman names the volume after it)` : "")
    + (changes.length ? `; added env: ${changes.join(" ")}` : ""));
  serviceDocs.push({
    apiVersion: "v1", kind: "Pod",
    metadata: { name: podName, labels: { ...tpl.metadata.labels, "fomo.io/rehearsal": "true" }, annotations: tpl.metadata.annotations },
    spec: { ...tpl.spec, restartPolicy: "Always" },
  });
}

// ---- the model host for the story ---------------------------------------------------------------------------
const standinDocs = [{
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "fomo-standin", labels: labels("fomo-standin", "model-host") },
  spec: {
    restartPolicy: "Always",
    containers: [
      { name: "standin", image: S.images.jre, command: ["java", "-Xmx64m", "-jar", "/standin/fomo-standin.jar"],
        args: [String(S.standin.port + 10000), "Qwen/Qwen3-32B"],
        volumeMounts: [{ name: "standin", mountPath: "/standin", readOnly: true }],
        resources: { limits: { cpu: "500m", memory: "256Mi" } } },
      { name: "forward", image: S.images.jre, command: ["java", "-Xmx32m", "/standin/TcpForward.java"],
        args: [String(S.standin.port), "127.0.0.1", String(S.standin.port + 10000)],
        volumeMounts: [{ name: "standin", mountPath: "/standin", readOnly: true }],
        resources: { limits: { cpu: "500m", memory: "256Mi" } } },
    ],
    volumes: [{ name: "standin", hostPath: { path: S.standin.dir, type: "Directory" } }],
  },
}];

// ---- what podman does not read ------------------------------------------------------------------------------
for (const h of ofKind("HorizontalPodAutoscaler")) {
  notes.notEnforced.push(`HorizontalPodAutoscaler ${h.metadata.name} (${h.spec.minReplicas}..${h.spec.maxReplicas} pods): one pod per Deployment here`);
}
for (const p of ofKind("PodDisruptionBudget")) {
  notes.notEnforced.push(`PodDisruptionBudget ${p.metadata.name} (${p.spec.minAvailable !== undefined ? `minAvailable ${p.spec.minAvailable}` : `maxUnavailable ${p.spec.maxUnavailable}`}): no voluntary evictions here`);
}
for (const n of ofKind("NetworkPolicy")) {
  notes.checked.push(`NetworkPolicy ${n.metadata.name}: checked statically by k8s/check (the wiring check), not enforced by podman (one flat network)`);
}
notes.notEnforced.push("topologySpreadConstraints and affinity (one machine); the Namespace (podman has none: the pods share the network)");

mkdirSync(join(outDir, "secrets"), { recursive: true });
for (const [name, data] of secrets) {
  // podman 4.3's kube play reads a secret as the Secret's `data` map ({key: base64}); the whole Secret object fails
  // with "secret ... is not valid JSON: illegal base64 data".
  writeFileSync(join(outDir, "secrets", `${name}.json`),
    JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)]))));
}
const yamlOf = (docs) => docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
writeFileSync(join(outDir, "infra.yaml"), yamlOf([...realmConfigMaps, ...infraDocs]));
writeFileSync(join(outDir, "services.yaml"), yamlOf(serviceDocs));
writeFileSync(join(outDir, "standin.yaml"), yamlOf(standinDocs));
// podman keeps an emptyDir as a volume of that name, and a configMap volume as a volume named after the ConfigMap:
// rehearse.sh removes them by name
const emptyDirs = [...infraDocs, ...serviceDocs, ...standinDocs].filter((d) => d.kind === "Pod")
  .flatMap((d) => (d.spec.volumes || []).flatMap((v) => (v.emptyDir ? [v.name] : v.configMap ? [v.configMap.name] : [])));
writeFileSync(join(outDir, "volumes.txt"), emptyDirs.map((v) => `${v}\n`).join(""));
const section = (title, lines) => `${title}\n${lines.map((l) => `  - ${l}`).join("\n")}\n`;
writeFileSync(join(outDir, "translation.txt"), [
  section("Replaced (operator-managed infrastructure -> plain pods from the local Debian images):", notes.translated),
  section("Translated (the services' pods: containers as rendered by the prod overlay, except):", notes.changes),
  section("Checked statically (k8s/check.sh k8s/overlays/prod), not enforced by podman:", notes.checked),
  section("Not enforced (podman has no such controller):", notes.notEnforced),
].join("\n"));
console.log(`${secrets.size} secrets, ${infraDocs.length} infrastructure pods, ${ofKind("Deployment").length} service pods`);
