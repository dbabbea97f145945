#!/usr/bin/env bash
# Shared by the bench/*.sh scripts (sourced; each sets BENCH_NAME, DB_HOST and DB_PORT first).

log() { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "$BENCH_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_admin() { psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# isolated_events <run id> <channel>...: JVM options that keep a benchmarked service's events away from any running
# suite and leave nothing behind in RabbitMQ: vhost /, the exchange fomo.events.bench, the outbox relay off (nothing
# is published), and for each incoming channel an exclusive, auto-deleted queue of this run with no dead-letter queue.
# Prints one option per line (read them with mapfile).
isolated_events() {
  local run="$1"; shift
  printf '%s\n' -Drabbitmq-virtual-host=/ -Dfomo.events.exchange=fomo.events.bench -Dfomo.outbox.enabled=false \
    -Dmp.messaging.connector.smallrye-rabbitmq.auto-bind-dlq=false \
    -Dmp.messaging.connector.smallrye-rabbitmq.dlx.declare=false
  local ch
  for ch in "$@"; do
    printf '%s\n' "-Dmp.messaging.incoming.$ch.queue.name=$BENCH_NAME-$ch-$run" \
      "-Dmp.messaging.incoming.$ch.queue.durable=false" \
      "-Dmp.messaging.incoming.$ch.queue.exclusive=true" \
      "-Dmp.messaging.incoming.$ch.queue.auto-delete=true"
  done
}
