#!/usr/bin/env bash
# Local Keycloak for the FOMO demo and tests (realm "fomo" from deploy/keycloak/fomo-realm.json).
#
#   deploy/local/keycloak.sh start|stop|status [--port P] [--management-port M] [--state-dir D]
#
# Defaults: --port 8180, --management-port 9180 (or a free port when 9180 is taken or --port is not
# 8180), --state-dir deploy/local/.state/keycloak. Each state dir holds its own unpacked Keycloak,
# its log (keycloak.log), pid file (keycloak.pid) and the ports it runs on (keycloak.env), so two
# instances (the dev one on 8180 and the one deploy/local/test.sh starts) never collide.
# The Keycloak zip comes from Maven Central through ./mvnw and is cached in ~/.m2.
# Every start begins from a clean realm: data/ is deleted and the realm JSON imported again.
# Local only: bootstrap admin admin/admin, dev file store, HTTP on 127.0.0.1.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
PORT=""; MGMT_PORT=""; STATE=""
TIMEOUT="${KEYCLOAK_START_TIMEOUT:-300}"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="${2:?--port needs a value}"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    --management-port) MGMT_PORT="${2:?--management-port needs a value}"; shift 2 ;;
    --management-port=*) MGMT_PORT="${1#*=}"; shift ;;
    --state-dir) STATE="${2:?--state-dir needs a value}"; shift 2 ;;
    --state-dir=*) STATE="${1#*=}"; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
STATE="${STATE:-$FOMO_STATE_DIR/keycloak}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
PIDFILE="$STATE/keycloak.pid"
LOGFILE="$STATE/keycloak.log"
ENVFILE="$STATE/keycloak.env"
HOME_DIR="$STATE/keycloak-$KEYCLOAK_VERSION"
# Our process is kc.sh, which execs java with -Dkc.home.dir=$HOME_DIR/bin/..: a pid whose command
# line does not name $HOME_DIR is not ours (stale pid file, pid reused).
MARKER="$HOME_DIR/"

# Ports of the instance recorded in this state dir (empty when none).
REC_PORT=""; REC_MGMT_PORT=""
if [ -f "$ENVFILE" ]; then
  REC_PORT="$(sed -n 's/^KEYCLOAK_PORT=//p' "$ENVFILE")"
  REC_MGMT_PORT="$(sed -n 's/^KEYCLOAK_MANAGEMENT_PORT=//p' "$ENVFILE")"
fi

well_known() { echo "http://localhost:$1/realms/fomo/.well-known/openid-configuration"; }
healthy() {
  local body
  body="$(curl -fsS --max-time 5 "$(well_known "$1")" 2>/dev/null)" || return 1
  [[ "$body" == *'"issuer"'* ]]
}

# One keycloak.sh at a time per state dir (start and stop change the same files).
lock() {
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another keycloak.sh has been holding $STATE/.lock for 5 minutes"
}

do_status() {
  if pidfile_running "$PIDFILE" "$MARKER"; then
    if healthy "$REC_PORT"; then
      echo "keycloak: running, pid $(read_pidfile "$PIDFILE"), http://localhost:$REC_PORT (realm fomo), management port $REC_MGMT_PORT, log $LOGFILE"
      return 0
    fi
    echo "keycloak: process $(read_pidfile "$PIDFILE") is running but realm fomo does not answer on port $REC_PORT (starting, or broken: see $LOGFILE)"
    return 1
  fi
  echo "keycloak: not running (state dir $STATE)"
  return 3
}

do_stop() {
  lock
  stop_pidfile "$PIDFILE" "keycloak" 60 "$MARKER"
  rm -f "$ENVFILE"
}

do_start() {
  require_cmd curl setsid flock
  lock
  local t0; t0="$(now_s)"

  if pidfile_running "$PIDFILE" "$MARKER"; then
    if [ -n "$PORT" ] && [ "$PORT" != "$REC_PORT" ]; then
      die "Keycloak from $STATE already runs on port $REC_PORT, not $PORT; stop it first: $0 stop --state-dir $STATE"
    fi
    if wait_for_url "$(well_known "$REC_PORT")" "$TIMEOUT" '"issuer"' "$(read_pidfile "$PIDFILE")"; then
      log "already running and healthy: pid $(read_pidfile "$PIDFILE"), http://localhost:$REC_PORT (nothing to do)"
      return 0
    fi
    log_tail "$LOGFILE" 80
    die "Keycloak pid $(read_pidfile "$PIDFILE") runs but realm fomo does not answer on port $REC_PORT; try: $0 stop --state-dir $STATE && $0 start --state-dir $STATE"
  fi
  rm -f "$PIDFILE"

  PORT="${PORT:-8180}"
  if [ -z "$MGMT_PORT" ]; then
    if [ "$PORT" = 8180 ] && ! port_in_use 9180; then MGMT_PORT=9180; else MGMT_PORT="$(free_port "$PORT")"; fi
  fi
  [ "$PORT" != "$MGMT_PORT" ] || die "--port and --management-port must differ"
  local p
  for p in "$PORT" "$MGMT_PORT"; do
    if port_in_use "$p"; then
      ss -Htlnp "sport = :$p" 2>/dev/null | sed 's/^/    /' >&2 || true
      die "port $p is already in use (see above); stop what uses it, or pass another --port / --management-port"
    fi
  done
  [ -f "$FOMO_REALM_JSON" ] || die "realm file $FOMO_REALM_JSON is missing"

  local home; home="$(keycloak_dist "$STATE")"
  # A clean realm on every start: an existing realm is not re-imported, so drop the dev store.
  rm -rf "$home/data"
  mkdir -p "$home/data/import"
  cp "$FOMO_REALM_JSON" "$home/data/import/fomo-realm.json"

  cat >"$ENVFILE" <<EOF
KEYCLOAK_PORT=$PORT
KEYCLOAK_MANAGEMENT_PORT=$MGMT_PORT
KEYCLOAK_URL=http://localhost:$PORT
KEYCLOAK_HOME=$home
EOF
  log "starting Keycloak $KEYCLOAK_VERSION on http://localhost:$PORT (management port $MGMT_PORT), log $LOGFILE"
  local pid
  pid="$(start_bg "$PIDFILE" "$LOGFILE" \
    env KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    "$home/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$PORT" --hostname="http://localhost:$PORT" \
      --http-management-port="$MGMT_PORT" --health-enabled=true \
      --import-realm)"
  if ! wait_for_url "$(well_known "$PORT")" "$TIMEOUT" '"issuer"' "$pid"; then
    log_tail "$LOGFILE" 80
    if pid_alive "$pid"; then
      warn "realm fomo did not answer within ${TIMEOUT}s; stopping the half-started Keycloak"
      stop_pidfile "$PIDFILE" "keycloak" 30 "$MARKER"
    else
      rm -f "$PIDFILE"
    fi
    die "Keycloak did not come up on port $PORT (log above, full log in $LOGFILE)"
  fi
  log "Keycloak is up: http://localhost:$PORT/realms/fomo (pid $pid) after $(fmt_duration $(( $(now_s) - t0 )))"
  keycloak_cache_store "$home"
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) usage ;;
esac
