#!/usr/bin/env bash
# Tests the check itself: runs k8s/check.sh on each fixture under k8s/check/fixtures and asserts it
# fails on every bad-* one with the expected finding(s) and passes on good/ and on the real overlays; then the
# wiring check's unit tests (wiring.test.mjs, node --test).
# Prints one line per case; exits 1 if any case is not as expected.
set -uo pipefail
CHECK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECK="$CHECK_DIR/../check.sh"
FX="$CHECK_DIR/fixtures"
failures=0

# expect CASE EXIT(0|nonzero) "expected line fragment"...
expect() {
  local case="$1" want="$2"; shift 2
  local out rc
  out="$("$CHECK" "$FX/$case" 2>&1)"; rc=$?
  local ok=1
  if [ "$want" = 0 ] && [ "$rc" != 0 ]; then ok=0; fi
  if [ "$want" != 0 ] && [ "$rc" = 0 ]; then ok=0; fi
  local frag missing=""
  for frag in "$@"; do
    grep -qF -- "$frag" <<<"$out" || missing="$missing [$frag]"
  done
  [ -n "$missing" ] && ok=0
  if [ "$ok" = 1 ]; then
    echo "ok   $case (exit $rc)"
  else
    echo "FAIL $case: exit $rc (wanted $want)${missing:+, missing in output:$missing}"
    sed 's/^/       | /' <<<"$out"
    failures=$((failures + 1))
  fi
}

expect good 0 "OK good: 1 Deployment(s) with probes, resources and a PDB"
expect bad-no-probes nonzero \
  "FAIL bad-no-probes: Deployment fixture/demo container app: no livenessProbe" \
  "FAIL bad-no-probes: Deployment fixture/demo container app: no startupProbe"
expect bad-no-resources nonzero \
  "FAIL bad-no-resources: Deployment fixture/demo container app: no resources.requests.cpu" \
  "FAIL bad-no-resources: Deployment fixture/demo container app: no resources.limits.memory"
expect bad-no-pdb nonzero \
  "FAIL bad-no-pdb: Deployment fixture/demo: no PodDisruptionBudget selects its pods"
expect bad-pdb-selector nonzero \
  "FAIL bad-pdb-selector: Deployment fixture/demo: no PodDisruptionBudget selects its pods"
expect bad-render nonzero \
  "FAIL bad-render: kubectl kustomize"
expect bad-type nonzero \
  'readinessProbe uses port "metrics", which the container does not declare' \
  "invalid apps/v1 Deployment: data/spec/template/spec/containers/0/ports/0/containerPort must be integer"
expect bad-placeholder-secret nonzero \
  "FAIL bad-placeholder-secret: Secret fixture/demo-oidc: still holds the base's REPLACE-ME placeholder"
expect bad-demo-realm nonzero \
  'KeycloakRealmImport fixture/demo-realm: users with credentials (alice) without annotation fomo.io/demo-credentials: "true"' \
  'KeycloakRealmImport fixture/demo-realm: literal client secrets (demo-service) without annotation' \
  'KeycloakRealmImport fixture/demo-realm: bruteForceProtected is not true'
expect bad-default-secret nonzero \
  "FAIL bad-default-secret: Secret fixture/demo-oidc: holds a default secret committed to the repository (key client-secret)" \
  "FAIL bad-default-secret: Secret fixture/demo-webhook: holds a default secret committed to the repository (key secrets)"
expect bad-literal-secret-env nonzero \
  "FAIL bad-literal-secret-env: Deployment fixture/demo container app: literal secret in env FOMO_BILLING_WEBHOOK_SECRETS"
expect bad-secret-check-off nonzero \
  "FAIL bad-secret-check-off: ConfigMap fixture/demo-config: QUARKUS_PROFILE=prod,local turns the services' secret check off"
expect bad-demo-secret-prod nonzero \
  "FAIL bad-demo-secret-prod: Secret fixture/demo-oidc: annotated fomo.io/demo-credentials in the prod overlay"
expect bad-q-exposed nonzero \
  "FAIL bad-q-exposed: Service fixture/demo: port management exposes the management port (/q/*)" \
  "FAIL bad-q-exposed: Ingress fixture/demo: routes /q to demo:http"
expect bad-q-on-http nonzero \
  'FAIL bad-q-on-http: Deployment fixture/demo container app: readinessProbe reads /q/health/ready on port http, not the port named "management"' \
  'FAIL bad-q-on-http: Deployment fixture/demo: prometheus.io/port 8080 is not the port named "management"' \
  "FAIL bad-q-on-http: Deployment fixture/demo container app: env QUARKUS_MANAGEMENT_ENABLED=false serves /q on the public HTTP port"
expect bad-management-netpol nonzero \
  "FAIL bad-management-netpol: NetworkPolicy fixture/demo: admits the management port (/q/*) of demo from the ingress controller's or the API platform's namespace"

# The wiring (issue #20): each of the three findings of the issue, reintroduced on the prod overlay, fails the check;
# so do a callee's ingress without its caller and policies admitting more than the configuration needs.
expect bad-wiring-staking-epoch-usage nonzero \
  "FAIL bad-wiring-staking-epoch-usage: wiring staking-service: gRPC client epoch-usage (quarkus.grpc.clients.epoch-usage.host) points at localhost:9083; set QUARKUS_GRPC_CLIENTS_EPOCH_USAGE_HOST in its ConfigMap" \
  "FAIL bad-wiring-staking-epoch-usage: wiring staking-service: gRPC client epoch-usage (meant: inference-billing) -> inference-billing:9083/TCP: no NetworkPolicy egress rule of staking-service admits it"
expect bad-wiring-rmo-hosting-check nonzero \
  "FAIL bad-wiring-rmo-hosting-check: wiring rmo-service: calls to addresses given at run time (fomo.rmo.hosting-check.denied-ranges) needs egress to the internet (TCP 80, 443); no NetworkPolicy of rmo-service admits 1.1.1.1:80"
expect bad-wiring-treasury-audit nonzero \
  "FAIL bad-wiring-treasury-audit: wiring treasury-service: gRPC client billing (quarkus.grpc.clients.billing.host) points at localhost:9083; set QUARKUS_GRPC_CLIENTS_BILLING_HOST or FOMO_BILLING_GRPC_HOST in its ConfigMap" \
  "FAIL bad-wiring-treasury-audit: wiring treasury-service: gRPC client billing (meant: inference-billing) -> inference-billing:9083/TCP: no NetworkPolicy egress rule of treasury-service admits it"
expect bad-wiring-callee-ingress nonzero \
  "FAIL bad-wiring-callee-ingress: wiring staking-service: gRPC client epoch-usage -> inference-billing:9083/TCP: the ingress of inference-billing does not admit staking-service"
expect bad-wiring-too-open nonzero \
  "FAIL bad-wiring-too-open: wiring rmo-service: its egress admits the cloud metadata address 169.254.169.254" \
  "FAIL bad-wiring-too-open: wiring staking-service: its ingress admits treasury-service to port 9084/TCP (staking-service), which treasury-service never calls"

# The real overlays pass (dev with its annotated demo values, prod with none).
out="$("$CHECK" "$CHECK_DIR/../overlays/dev" "$CHECK_DIR/../overlays/prod" 2>&1)"; rc=$?
if [ "$rc" = 0 ] && grep -qF "OK dev:" <<<"$out" && grep -qF "OK prod:" <<<"$out" \
  && grep -qE "^OK dev: wiring: [0-9]+ flow\(s\) of 5 service\(s\)" <<<"$out" && grep -qE "^OK prod: wiring: [0-9]+ flow\(s\) of 5 service\(s\)" <<<"$out"; then
  echo "ok   overlays dev and prod (exit 0)"
else
  echo "FAIL overlays dev and prod: exit $rc (wanted 0)"
  sed 's/^/       | /' <<<"$out"
  failures=$((failures + 1))
fi

# The wiring check's reading of a service's configuration (profiles, environment names, expressions, clients).
if out="$(node --test "$CHECK_DIR/wiring.test.mjs" 2>&1)"; then
  echo "ok   wiring.test.mjs ($(grep -oE '^# pass [0-9]+' <<<"$out" | grep -oE '[0-9]+') unit tests)"
else
  echo "FAIL wiring.test.mjs"
  sed 's/^/       | /' <<<"$out"
  failures=$((failures + 1))
fi

# A fixture directory nobody tests is a check nobody knows works.
for d in "$FX"/*/; do
  name="$(basename "$d")"
  grep -qE "^expect $name " "${BASH_SOURCE[0]}" || { echo "FAIL fixture $name has no expectation in test.sh"; failures=$((failures + 1)); }
done

if [ "$failures" -gt 0 ]; then
  echo "k8s/check/test.sh: $failures case(s) not as expected"
  exit 1
fi
echo "k8s/check/test.sh: all cases as expected"
