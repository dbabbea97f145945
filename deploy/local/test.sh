#!/usr/bin/env bash
# THE test command: runs every test of the suite.
#
#   deploy/local/test.sh [extra Maven arguments...]     e.g. deploy/local/test.sh -pl treasury-service -am
#
#   1. deploy/local/ensure-infra.sh (PostgreSQL, RabbitMQ, roles, the *_test databases, vhosts);
#   2. a Keycloak of its own on free ports (HTTP and management), state in
#      deploy/local/.state/keycloak-test (a temporary dir when another test.sh holds that one), so
#      it never collides with a suite left running on 8180;
#   3. FOMO_KEYCLOAK_URL=http://localhost:<port> ./mvnw -B clean verify "$@" from the project root (clean: no stale classes);
#   4. stops its Keycloak on every exit (success, failure, Ctrl-C) and exits with Maven's code.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0="$(now_s)"
KC_STATE=""
KC_TEMP=""
KC_STARTED=0
finished=0

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  [ "$finished" = 1 ] && return 0
  finished=1
  set +e
  if [ "$KC_STARTED" = 1 ]; then
    "$FOMO_LOCAL_DIR/keycloak.sh" stop --state-dir "$KC_STATE"
  fi
  [ -n "$KC_TEMP" ] && rm -rf "$KC_TEMP"
  log "wall time $(fmt_duration $(( $(now_s) - T0 ))) (exit code $rc)"
  return "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# Kubernetes manifests: the check's own tests, then every k8s/ overlay (fast, no cluster; k8s/README.md).
if [ "${FOMO_SKIP_K8S_CHECK:-0}" = 1 ]; then log "FOMO_SKIP_K8S_CHECK=1: k8s/ checks skipped"
elif ! { "$FOMO_ROOT/k8s/check/test.sh" && "$FOMO_ROOT/k8s/check.sh"; }; then log "k8s/ checks failed"; exit 1; fi

"$FOMO_LOCAL_DIR/ensure-infra.sh"

# Our own Keycloak state dir, held for the whole run (fd 8; children started with start_bg drop it).
KC_STATE="$FOMO_STATE_DIR/keycloak-test"
mkdir -p "$KC_STATE"
exec 8>"$KC_STATE/.test-lock"
if ! flock -n 8; then
  KC_TEMP="$(mktemp -d "${TMPDIR:-/tmp}/fomo-keycloak-test.XXXXXX")"
  log "another test.sh uses $KC_STATE: this run's Keycloak lives in $KC_TEMP"
  KC_STATE="$KC_TEMP"
  exec 8>&-
fi

KC_PORT="$(free_port 8180 9180)"
KC_MGMT_PORT="$(free_port 8180 9180 "$KC_PORT")"
KC_STARTED=1
"$FOMO_LOCAL_DIR/keycloak.sh" start --port "$KC_PORT" --management-port "$KC_MGMT_PORT" --state-dir "$KC_STATE"
export FOMO_KEYCLOAK_URL="http://localhost:$KC_PORT"
log "tests use Keycloak $FOMO_KEYCLOAK_URL (management port $KC_MGMT_PORT)"

# The system tests run two suites at a time (fomo-system-tests/pom.xml), up to ~60 PostgreSQL connections at their
# peak. With fewer free connections (a suite left running by start.sh holds about 45 of the default 100), they run
# one class at a time. An explicit -Dfomo.system.parallelism=N among the arguments comes later and wins.
pg_free="$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -Atqc \
  "select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
          - count(*) from pg_stat_activity" 2>/dev/null || echo unknown)"
if [[ "$pg_free" =~ ^[0-9]+$ ]] && [ "$pg_free" -lt "${FOMO_SYSTEM_PARALLEL_MIN_CONNECTIONS:-75}" ]; then
  log "PostgreSQL has $pg_free free connections (< ${FOMO_SYSTEM_PARALLEL_MIN_CONNECTIONS:-75}): system tests one class at a time"
  set -- -Dfomo.system.parallelism=1 "$@"
else
  log "PostgreSQL has $pg_free free connections: system tests two classes at a time"
fi

log "running: ./mvnw -B clean verify $*"
set +e
(cd "$FOMO_ROOT" && ./mvnw -B clean verify "$@")
mvn_rc=$?
set -e
if [ "$mvn_rc" = 0 ]; then log "tests passed"; else log "Maven failed with exit code $mvn_rc"; fi
exit "$mvn_rc"
