#!/usr/bin/env bash
# A/B benchmark (not a test): the same benchmark script, in one run, against a baseline build (A, another commit) and
# this checkout's build (B), each phase with its own `pgbench -N` row, printed one after the other as tables. Issue
# #18 uses it for "billing and ledger benchmarks against the build before the change"; record the result in
# docs/PERFORMANCE.md.
#
#   bench/ab.sh billing|ledger <baseline-git-ref> [seconds-per-phase]
#
# What it does, and undoes: clones this repository at <baseline-git-ref> into a temporary folder and builds the
# service there (offline if ~/.m2 has everything), builds this checkout, runs bench/<billing|ledger>-bench.sh on A
# (SERVICE_JAR pointing at the baseline build's jar; the load generator is B's for both), then on B, and deletes the clone. Needs what the two scripts need (see their headers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHICH="${1:?billing or ledger}"
BASE_REF="${2:?baseline git ref, e.g. the commit before the change}"
SECS="${3:-}"
case "$WHICH" in
  billing) MODULE=inference-billing ;;
  ledger) MODULE=treasury-service ;;
  *) echo "first argument: billing or ledger" >&2; exit 2 ;;
esac
BASE="$(mktemp -d /tmp/ab-base.XXXXXX)"
trap 'rm -rf "$BASE"' EXIT INT TERM
OUT="$ROOT/bench/last-$WHICH-ab.md"

echo "[ab] building A = $BASE_REF ($MODULE) in $BASE" >&2
git -C "$ROOT" rev-parse --verify -q "$BASE_REF^{commit}" >/dev/null || { echo "unknown ref $BASE_REF" >&2; exit 2; }
git clone -q "$ROOT" "$BASE/repo"
git -C "$BASE/repo" checkout -q "$(git -C "$ROOT" rev-parse "$BASE_REF")"
(cd "$BASE/repo" && ./mvnw -B -q -pl "$MODULE" -am package -DskipTests \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2)

A_COMMIT="$(git -C "$BASE/repo" rev-parse --short HEAD)"
B_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet -- . || echo '+uncommitted')"
{
  echo "# A/B: bench/$WHICH-bench.sh, A = $A_COMMIT (baseline), B = $B_COMMIT, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
  echo
  echo "## A ($A_COMMIT)"
  echo
  if [ "$WHICH" = billing ]; then
    SERVICE_JAR="$BASE/repo/inference-billing/target/quarkus-app/quarkus-run.jar" "$ROOT/bench/billing-bench.sh" $SECS
  else
    (cd "$ROOT" && ./mvnw -B -q -pl treasury-service -am package -DskipTests \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2)
    SKIP_BUILD=1 SERVICE_JAR="$BASE/repo/treasury-service/target/quarkus-app/quarkus-run.jar" "$ROOT/bench/ledger-bench.sh" $SECS
  fi
  echo
  echo "## B ($B_COMMIT)"
  echo
  "$ROOT/bench/$WHICH-bench.sh" $SECS
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
