#!/usr/bin/env bash
# Tests the check itself: runs k8s/check.sh on each fixture under k8s/check/fixtures and asserts it
# fails on every bad-* one with the expected finding(s) and passes on good/.
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
  'KeycloakRealmImport fixture/demo-realm: literal client secrets (demo-service) without annotation'

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
