#!/usr/bin/env bash
# Renders every kustomize overlay and checks the result (CI runs this through deploy/local/test.sh).
#
#   k8s/check.sh            every k8s/overlays/*: must render with `kubectl kustomize`, and every
#                           Deployment must have liveness/readiness/startup probes, CPU and memory
#                           requests and limits, and a PodDisruptionBudget selecting its pods
#                           (k8s/check/check.mjs); no literal or committed default secret, /q only on the
#                           management port (never a Service, an Ingress or an outside NetworkPolicy peer; see
#                           k8s/README.md "The check"); also the realm imports must match
#                           deploy/keycloak/fomo-realm.json (k8s/check/gen-realm.mjs --check).
#   k8s/check.sh DIR...     the same checks on the given kustomization directories only.
#
# Prints one line per finding; exits 1 on any. Needs kubectl and node/npm; installs the checker's
# npm packages from k8s/check/package-lock.json (npm ci) when they are missing.
set -euo pipefail
K8S_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECK_DIR="$K8S_DIR/check"

for tool in kubectl node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL k8s/check.sh: '$tool' is not installed (kubectl >= 1.27 for 'kubectl kustomize'; node >= 18 with npm)" >&2
    exit 1
  fi
done
if [ ! -f "$CHECK_DIR/node_modules/yaml/package.json" ] || [ ! -f "$CHECK_DIR/node_modules/kubernetes-models/package.json" ]; then
  echo "k8s/check.sh: installing the checker's npm packages (npm ci in k8s/check)"
  (cd "$CHECK_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

if [ "$#" -gt 0 ]; then
  dirs=("$@")
  realm_check=0
else
  dirs=("$K8S_DIR"/overlays/*/)
  realm_check=1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/fomo-k8s-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
rc=0
for dir in "${dirs[@]}"; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  out="$tmp/$name.yaml"
  if ! kubectl kustomize "$dir" >"$out" 2>"$tmp/$name.err"; then
    echo "FAIL $name: kubectl kustomize $dir does not render: $(head -c 600 "$tmp/$name.err" | tr '\n' ' ')"
    rc=1
    continue
  fi
  node "$CHECK_DIR/check.mjs" "$name" "$out" || rc=1
done
if [ "$realm_check" = 1 ]; then
  if node "$CHECK_DIR/gen-realm.mjs" --check; then
    echo "OK realm imports match deploy/keycloak/fomo-realm.json"
  else
    rc=1
  fi
fi
exit "$rc"
