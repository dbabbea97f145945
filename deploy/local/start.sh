#!/usr/bin/env bash
# Builds and starts the whole FOMO suite locally (no Docker):
#   1. deploy/local/ensure-infra.sh   PostgreSQL, RabbitMQ, roles, databases, vhost
#   2. deploy/local/keycloak.sh start Keycloak on http://localhost:8180 with realm fomo
#                                     (left alone when it already runs healthy)
#   3. ./mvnw -B -q -DskipTests package
#   4. the five services as background java processes in the Quarkus profiles prod,local (production code
#      with the local values of deploy/, which the prod profile alone refuses as committed default secrets),
#      each waited for until /q/health/ready on its management port is UP
#   5. the OpenAI-compatible model stand-in on 8090 (fomo-standin), then the demo story
#      (deploy/local/demo.sh): SPEC §1 walked through the public interfaces, with a report
#
#   deploy/local/start.sh [--no-build] [--no-demo]
#
# Running it again restarts the services cleanly on the fresh build (our running copies are
# stopped by their pid files first, so there are never two). Each service runs from its own copy
# of <svc>/target/quarkus-app, so test.sh or a rebuild never changes the jars under it. Logs, pid
# files and those copies live in deploy/local/.state/services/. Stop with deploy/local/stop.sh.
# Environment: FOMO_JAVA_OPTS (JVM options for each service, default -Xmx512m).
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=1; DEMO=1
for a in "$@"; do
  case "$a" in
    --no-build) BUILD=0 ;;
    --no-demo) DEMO=0 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $a (try --help)" ;;
  esac
done

T0="$(now_s)"
KEYCLOAK_PORT=8180
KEYCLOAK_URL="http://localhost:$KEYCLOAK_PORT"
SVC_STATE="$FOMO_STATE_DIR/services"
SERVICE_TIMEOUT="${FOMO_SERVICE_START_TIMEOUT:-120}"
read -r -a JAVA_OPTS_ARR <<<"${FOMO_JAVA_OPTS:--Xmx512m}"
mkdir -p "$SVC_STATE"
# The local suite runs at demo pace: settlement windows and epochs of seconds, so the story of SPEC §1 ends in
# minutes (SPEC §4 "seconds in tests and demo"). Set any of these in the environment to run at another pace,
# e.g. FOMO_BILLING_WINDOW=PT1H FOMO_BILLING_EPOCH=P1D for the production defaults.
PACE_ENV=(
  "FOMO_BILLING_WINDOW=${FOMO_BILLING_WINDOW:-PT15S}"
  "FOMO_BILLING_EPOCH=${FOMO_BILLING_EPOCH:-PT45S}"
  "FOMO_BILLING_EPOCH_GRACE=${FOMO_BILLING_EPOCH_GRACE:-PT5S}"
  "FOMO_BILLING_SETTLE_DELAY=${FOMO_BILLING_SETTLE_DELAY:-PT2S}"
  "FOMO_BILLING_SETTLE_INTERVAL=${FOMO_BILLING_SETTLE_INTERVAL:-2s}"
  # the treasury retries carries at the end of every settlement window of the same clock (issue #19)
  "FOMO_TREASURY_SPLIT_SETTLEMENT_WINDOW=${FOMO_BILLING_WINDOW:-PT15S}"
  "FOMO_TREASURY_SPLIT_CARRY_DELAY=${FOMO_TREASURY_SPLIT_CARRY_DELAY:-PT5S}"
  "FOMO_TREASURY_SPLIT_CARRY_INTERVAL=${FOMO_TREASURY_SPLIT_CARRY_INTERVAL:-2s}"
  # rmo re-checks live deployments' hosting every few seconds, so the story's suspension and resumption (SPEC §7a)
  # take seconds, and re-prices take effect on the same window grid as billing's, after a short notice (issue #22)
  "FOMO_RMO_HOSTING_RECHECK_INTERVAL=${FOMO_RMO_HOSTING_RECHECK_INTERVAL:-PT3S}"
  "FOMO_RMO_HOSTING_RECHECK_FAILURE_THRESHOLD=${FOMO_RMO_HOSTING_RECHECK_FAILURE_THRESHOLD:-2}"
  "FOMO_RMO_HOSTING_RECHECK_TICK=${FOMO_RMO_HOSTING_RECHECK_TICK:-1s}"
  "FOMO_RMO_SETTLEMENT_WINDOW=${FOMO_BILLING_WINDOW:-PT15S}"
  "FOMO_RMO_REPRICE_NOTICE=${FOMO_RMO_REPRICE_NOTICE:-PT30S}"
)
STANDIN_PORT="${FOMO_STANDIN_PORT:-8090}"

svc_jar() { echo "$FOMO_ROOT/$1/target/quarkus-app/quarkus-run.jar"; }  # the build's output

# 1. infrastructure
"$FOMO_LOCAL_DIR/ensure-infra.sh"

# 2. Keycloak (no-op when it already runs healthy on 8180)
"$FOMO_LOCAL_DIR/keycloak.sh" start --port "$KEYCLOAK_PORT"

# 3. stop our services from a previous run before the build rewrites their jars
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  stop_pidfile "$SVC_STATE/$svc.pid" "$svc" 30 "$(svc_run_jar "$svc")" &
done
stop_pidfile "$SVC_STATE/standin.pid" "model stand-in" 10 "$SVC_STATE/fomo-standin.jar" &
wait

if [ "$BUILD" = 1 ]; then
  log "building: ./mvnw -B -q -DskipTests package"
  tb="$(now_s)"
  mvnw -B -q -DskipTests package || die "the build failed (output above)"
  log "build done in $(fmt_duration $(( $(now_s) - tb )))"
fi

# 4. the services
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  [ -f "$(svc_jar "$svc")" ] || die "$(svc_jar "$svc") is missing: build first (drop --no-build)"
  for p in "$http" "$grpc" "$mgmt"; do
    if port_in_use "$p"; then
      ss -Htlnp "sport = :$p" 2>/dev/null | sed 's/^/    /' >&2 || true
      die "port $p ($svc) is already in use by another process (above); stop it, then run $0 again"
    fi
  done
done
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  # Run from a private copy of the build (see svc_run_dir in lib.sh).
  rm -rf "$(svc_run_dir "$svc")"
  mkdir -p "$(dirname "$(svc_run_dir "$svc")")"
  cp -a "$FOMO_ROOT/$svc/target/quarkus-app" "$(svc_run_dir "$svc")"
  pid="$(cd "$FOMO_ROOT" && start_bg "$SVC_STATE/$svc.pid" "$SVC_STATE/$svc.log" \
    env FOMO_KEYCLOAK_URL="$KEYCLOAK_URL" "${PACE_ENV[@]}" java "${JAVA_OPTS_ARR[@]}" -Dquarkus.profile=prod,local \
    -jar "$(svc_run_jar "$svc")")"
  log "$svc: started pid $pid (HTTP $http, gRPC $grpc, management $mgmt), log $SVC_STATE/$svc.log"
done

# The demo's model host: an OpenAI-compatible stand-in (fomo-standin) that rmo's hosting check and the API-platform
# client call; it runs with the suite so the live deployment's base URL keeps answering. The demo client runs from
# its own copy too.
rm -rf "$(svc_run_dir fomo-demo)"
mkdir -p "$(dirname "$(svc_run_dir fomo-demo)")"
cp -a "$FOMO_ROOT/fomo-demo/target/quarkus-app" "$(svc_run_dir fomo-demo)"
cp "$FOMO_ROOT"/fomo-standin/target/fomo-standin-*.jar "$SVC_STATE/fomo-standin.jar"
if port_in_use "$STANDIN_PORT"; then
  die "port $STANDIN_PORT (the model stand-in) is already in use; set FOMO_STANDIN_PORT to another port"
fi
pid="$(start_bg "$SVC_STATE/standin.pid" "$SVC_STATE/standin.log" \
  java -Xmx64m -jar "$SVC_STATE/fomo-standin.jar" "$STANDIN_PORT" "Qwen/Qwen3-32B")"
log "model stand-in: started pid $pid on http://127.0.0.1:$STANDIN_PORT/v1"

failed=()
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  pid="$(read_pidfile "$SVC_STATE/$svc.pid")"
  if wait_for_url "http://localhost:$mgmt/q/health/ready" "$SERVICE_TIMEOUT" "UP" "$pid"; then
    log "$svc: ready"
  else
    if pid_alive "$pid"; then
      warn "$svc: /q/health/ready is not UP after ${SERVICE_TIMEOUT}s:"
      curl -sS --max-time 5 "http://localhost:$mgmt/q/health/ready" >&2 || true; echo >&2
    else
      warn "$svc: the process exited"
    fi
    log_tail "$SVC_STATE/$svc.log" 60
    failed+=("$svc")
  fi
done

status_of() {
  local svc="$1" mgmt="$2" pid
  pid="$(read_pidfile "$SVC_STATE/$svc.pid")"
  if ! pidfile_running "$SVC_STATE/$svc.pid" "$(svc_run_jar "$svc")"; then echo "EXITED"
  elif curl -fsS --max-time 5 "http://localhost:$mgmt/q/health/ready" >/dev/null 2>&1; then echo "UP"
  else echo "NOT READY"; fi
}

echo
printf '%-18s %-7s %-6s %-6s %-8s %-10s %s\n' SERVICE HTTP GRPC MGMT PID STATUS LOG
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  printf '%-18s %-7s %-6s %-6s %-8s %-10s %s\n' "$svc" "$http" "$grpc" "$mgmt" \
    "$(read_pidfile "$SVC_STATE/$svc.pid")" "$(status_of "$svc" "$mgmt")" "$SVC_STATE/$svc.log"
done
kc_state="$FOMO_STATE_DIR/keycloak"
printf '%-18s %-7s %-6s %-6s %-8s %-10s %s\n' keycloak "$KEYCLOAK_PORT" - - \
  "$(read_pidfile "$kc_state/keycloak.pid")" "UP" "$kc_state/keycloak.log"
echo
echo "Keycloak realm: $KEYCLOAK_URL/realms/fomo (admin console $KEYCLOAK_URL/admin, admin/admin)"
echo "Stop everything: deploy/local/stop.sh"
echo

if [ ${#failed[@]} -gt 0 ]; then
  die "not ready: ${failed[*]} (logs above; the rest keeps running, stop all with deploy/local/stop.sh)"
fi
log "suite up in $(fmt_duration $(( $(now_s) - T0 )))"

# 5. The Alice/Bob story of SPEC section 1 (deploy/local/demo.sh), walked through the public interfaces
#    against the suite started above. It gets the URLs in the environment. The suite stays up either way.
if [ "$DEMO" = 1 ] && [ -x "$FOMO_LOCAL_DIR/demo.sh" ]; then
  log "running the demo story: deploy/local/demo.sh"
  demo_rc=0
  FOMO_KEYCLOAK_URL="$KEYCLOAK_URL" FOMO_STANDIN_URL="http://127.0.0.1:$STANDIN_PORT/v1" "$FOMO_LOCAL_DIR/demo.sh" || demo_rc=$?
  log "the suite keeps running (re-run the story: deploy/local/demo.sh; stop everything: deploy/local/stop.sh)"
  exit "$demo_rc"
fi
