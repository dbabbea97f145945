#!/usr/bin/env bash
# Stops what deploy/local/start.sh started: the five services, the model stand-in and the Keycloak on 8180, each by
# the pid recorded in deploy/local/.state/ (never by process name), and removes the pid files.
# PostgreSQL and RabbitMQ are left running (they are the machine's, not ours).
# Harmless when nothing runs.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC_STATE="$FOMO_STATE_DIR/services"
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ _ _ <<<"$entry"
  stop_pidfile "$SVC_STATE/$svc.pid" "$svc" 30 "$(svc_run_jar "$svc")" &
done
stop_pidfile "$SVC_STATE/standin.pid" "model stand-in" 10 "$SVC_STATE/fomo-standin.jar" &
wait
"$FOMO_LOCAL_DIR/keycloak.sh" stop
log "stopped"
