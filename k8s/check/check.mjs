// Checks rendered Kubernetes manifests (the output of `kubectl kustomize DIR`):
//   - every Deployment's containers have a livenessProbe, readinessProbe and startupProbe (each with
//     a handler; a named port must be one the container declares);
//   - every container has CPU and memory requests and limits;
//   - every Deployment has a PodDisruptionBudget in its namespace whose selector matches its pod labels;
//   - no Secret still holds the base's REPLACE-ME placeholder, and no KeycloakRealmImport carries
//     passwords or literal client secrets unless annotated fomo.io/demo-credentials: "true" (dev);
//   - every object of a built-in kind validates against its type (kubernetes-models; custom
//     resources such as CloudNativePG's Cluster are skipped).
// Usage: node check.mjs LABEL FILE   (FILE "-" = stdin). Prints one line per finding and exits 1 on any.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

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

// --- label selectors (matchLabels + matchExpressions) ---
function selects(selector, labels) {
  if (!selector) return false;
  const ml = selector.matchLabels ?? {};
  const me = selector.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && me.length === 0) return true; // {} selects every pod
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of me) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case "In": if (!has || !vals.includes(labels[e.key])) return false; break;
      case "NotIn": if (has && vals.includes(labels[e.key])) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

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
}

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
