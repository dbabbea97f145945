// The cluster as the wiring check sees a rendered overlay: pods (per workload, and those the operators make for their
// custom resources), Services (the operators' included), namespaces, and what the NetworkPolicies admit.
import { selects } from "./lib.mjs";

export const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

// --- IPv4 CIDRs (NetworkPolicy ipBlocks; IPv6 blocks never match the IPv4 probes) ---
const ip4 = (s) => s.split(".").reduce((a, b) => (a * 256) + Number(b), 0);
function inCidr(cidr, ip) {
  const [base, bits] = String(cidr).split("/");
  if (!IPV4.test(base) || !IPV4.test(ip)) return false;
  const n = Number(bits ?? 32);
  const size = 2 ** (32 - n);
  return Math.floor(ip4(base) / size) === Math.floor(ip4(ip) / size);
}
const ipBlockHas = (b, ip) => inCidr(b.cidr, ip) && !(b.except ?? []).some((x) => inCidr(x, ip));

/** The pods an operator makes for its custom resources, and the Services in front of them. */
export function operatorEndpoints(o, namespace) {
  const name = o.metadata?.name;
  const api = String(o.apiVersion ?? "").split("/")[0];
  const mk = (kind, labels, ports, services) => ({
    endpoint: { id: `${kind} ${namespace}/${name} (its pods)`, name, ns: namespace, labels, ports, operator: true },
    services,
  });
  if (api === "postgresql.cnpg.io" && o.kind === "Cluster") {
    const ports = [{ name: "postgresql", number: 5432, protocol: "TCP" }, { name: "metrics", number: 9187, protocol: "TCP" }, { name: "status", number: 8000, protocol: "TCP" }];
    return mk("CloudNativePG Cluster", { "cnpg.io/cluster": name, "cnpg.io/instanceRole": "primary", role: "primary" }, ports,
      ["rw", "ro", "r"].map((s) => ({ name: `${name}-${s}`, ports: [{ port: 5432, targetPort: "postgresql" }] })));
  }
  if (api === "rabbitmq.com" && o.kind === "RabbitmqCluster") {
    const ports = [["amqp", 5672], ["management", 15672], ["prometheus", 15692], ["epmd", 4369], ["cluster-rpc", 25672]].map(([n, p]) => ({ name: n, number: p, protocol: "TCP" }));
    return mk("RabbitmqCluster", { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq" }, ports,
      [{ name, ports: [{ port: 5672, targetPort: "amqp" }, { port: 15672, targetPort: "management" }, { port: 15692, targetPort: "prometheus" }] }]);
  }
  if (api === "k8s.keycloak.org" && o.kind === "Keycloak") {
    const http = o.spec?.http?.httpEnabled === true;
    const ports = [{ name: "https", number: 8443, protocol: "TCP" }, { name: "management", number: 9000, protocol: "TCP" }];
    if (http) ports.push({ name: "http", number: 8080, protocol: "TCP" });
    const sp = [{ port: 8443, targetPort: "https" }, { port: 9000, targetPort: "management" }];
    if (http) sp.push({ port: 8080, targetPort: "http" });
    return mk("Keycloak", { app: "keycloak", "app.kubernetes.io/managed-by": "keycloak-operator", "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "server" }, ports,
      [{ name: `${name}-service`, ports: sp }]);
  }
  return undefined;
}


export const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"];
export const DNS = { id: "kube-dns (kube-system)", name: "kube-dns", ns: "kube-system", labels: { "k8s-app": "kube-dns" },
  ports: [{ name: "dns", number: 53, protocol: "UDP" }, { name: "dns-tcp", number: 53, protocol: "TCP" }], operator: true };

/**
 * The model of rendered objects: { endpoints (pods by workload or operator resource; DNS not among them), services,
 * namespaces, policiesFor(endpoint, "Ingress"|"Egress"), admits(type, src, dst, port) -> { restricted, ok, pols },
 * egressToAddress(src, ipv4, port), findService(host, callerNs) -> { inCluster, svc } }. A port is
 * { name, number, protocol }.
 */
export function clusterModel(objects) {
  const ns = (o) => o.metadata?.namespace ?? "default";
  const namespaces = new Map();
  for (const o of objects) namespaces.set(ns(o), namespaces.get(ns(o)) ?? {});
  for (const o of objects.filter((x) => x.kind === "Namespace")) namespaces.set(o.metadata.name, o.metadata.labels ?? {});
  const nsLabels = (n) => ({ ...(namespaces.get(n) ?? {}), "kubernetes.io/metadata.name": n });

  // pods (by workload) and Services, the operators' included
  const endpoints = [];
  const services = [];
  for (const w of objects.filter((o) => WORKLOADS.includes(o.kind))) {
    const containers = w.spec?.template?.spec?.containers ?? [];
    endpoints.push({
      id: `${w.kind} ${ns(w)}/${w.metadata.name}`, name: w.metadata.name, ns: ns(w), workload: w,
      labels: w.spec?.template?.metadata?.labels ?? {},
      ports: containers.flatMap((c) => c.ports ?? []).map((p) => ({ name: p.name, number: p.containerPort, protocol: p.protocol ?? "TCP" })),
    });
  }
  for (const s of objects.filter((o) => o.kind === "Service")) {
    const pods = s.spec?.selector ? endpoints.filter((e) => e.ns === ns(s) && selects({ matchLabels: s.spec.selector }, e.labels)) : [];
    services.push({ name: s.metadata.name, ns: ns(s), ports: (s.spec?.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? "TCP" })), pods });
  }
  for (const o of objects) {
    const op = operatorEndpoints(o, ns(o));
    if (!op) continue;
    endpoints.push(op.endpoint);
    for (const s of op.services) services.push({ ...s, ns: ns(o), ports: s.ports.map((p) => ({ ...p, protocol: "TCP" })), pods: [op.endpoint] });
  }

  // NetworkPolicy semantics
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const types = (np) => np.spec?.policyTypes ?? ["Ingress", ...(np.spec?.egress ? ["Egress"] : [])];
  const policiesFor = (ep, type) => policies.filter((np) => ns(np) === ep.ns && selects(np.spec?.podSelector ?? {}, ep.labels) && types(np).includes(type));
  const peerHas = (peer, policyNs, ep) => {
    if (peer.ipBlock) return false; // ipBlocks are for addresses outside the cluster (the overlay excepts its ranges)
    const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels(ep.ns)) : ep.ns === policyNs;
    return nsOk && (peer.podSelector ? selects(peer.podSelector, ep.labels) : true);
  };
  const portOk = (rulePorts, port) => !rulePorts || rulePorts.length === 0 || rulePorts.some((p) => {
    if ((p.protocol ?? "TCP") !== port.protocol) return false;
    if (p.port === undefined || p.port === null) return true;
    if (typeof p.port === "number" || /^\d+$/.test(String(p.port)))
      return p.endPort ? port.number >= Number(p.port) && port.number <= p.endPort : Number(p.port) === port.number;
    return p.port === port.name;
  });
  const admits = (type, src, dst, port) => {
    const self = type === "Egress" ? src : dst;
    const other = type === "Egress" ? dst : src;
    const pols = policiesFor(self, type);
    if (pols.length === 0) return { restricted: false, ok: true, pols };
    const ok = pols.some((np) => (np.spec?.[type.toLowerCase()] ?? []).some((rule) => {
      const peers = rule[type === "Egress" ? "to" : "from"] ?? [];
      return portOk(rule.ports, port) && (peers.length === 0 || peers.some((p) => peerHas(p, ns(np), other)));
    }));
    return { restricted: true, ok, pols };
  };
  const egressToAddress = (src, ip, port) => {
    const pols = policiesFor(src, "Egress");
    if (pols.length === 0) return true;
    return pols.some((np) => (np.spec?.egress ?? []).some((rule) =>
      portOk(rule.ports, { number: port, protocol: "TCP" }) && ((rule.to ?? []).length === 0 || rule.to.some((p) => p.ipBlock && ipBlockHas(p.ipBlock, ip)))));
  };

  const findService = (host, callerNs) => {
    let h = String(host).toLowerCase().replace(/\.$/, "");
    const svc = /\.svc(\.cluster\.local)?$/.test(h);
    h = h.replace(/\.svc(\.cluster\.local)?$/, "");
    const parts = h.split(".");
    if (parts.length === 1) return { inCluster: true, svc: services.find((s) => s.name === h && s.ns === callerNs) };
    if (parts.length === 2 && (svc || namespaces.has(parts[1]))) return { inCluster: true, svc: services.find((s) => s.name === parts[0] && s.ns === parts[1]) };
    return { inCluster: false };
  };

  return { endpoints, services, namespaces, policiesFor, admits, egressToAddress, findService };
}
