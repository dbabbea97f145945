// Shared by check.mjs and wiring.mjs: label selectors, Java .properties files, the services' modules.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (k8s/check/../..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Whether a label selector (matchLabels + matchExpressions; {} selects everything) selects these labels. */
export function selects(selector, labels) {
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

/**
 * A Java .properties file as a Map in file order (key = value, key: value; '#'/'!' comments; a line ending in an
 * odd number of backslashes continues on the next, whose leading blanks are dropped). An absent file is empty.
 */
export function readProperties(path) {
  const props = new Map();
  if (!existsSync(path)) return props;
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].replace(/^\s+/, "");
    const m = /^((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) props.set(m[1].replace(/\\(.)/g, "$1"), m[2].replace(/\s+$/, ""));
    else props.set(line.replace(/\\(.)/g, "$1"), "");
  }
  return props;
}

/** The shared defaults every service reads (fomo-shared's META-INF/microprofile-config.properties, ordinal 100). */
export const SHARED_PROPERTIES = "fomo-shared/src/main/resources/META-INF/microprofile-config.properties";

/**
 * The services' modules: every top-level directory whose src/main/resources/application.properties sets
 * fomo.service, as { dir, name (quarkus.application.name), props }.
 */
export function serviceModules(root = ROOT) {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "src/main/resources/application.properties")))
    .map((d) => ({ dir: d.name, props: readProperties(join(root, d.name, "src/main/resources/application.properties")) }))
    .filter((m) => m.props.has("fomo.service"))
    .map((m) => ({ ...m, name: m.props.get("quarkus.application.name") ?? m.dir }));
}
