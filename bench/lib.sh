#!/usr/bin/env bash
# Shared by the bench/*.sh scripts that start one service against a scratch database and run pgbench beside it
# (sourced; each sets BENCH_NAME, SERVICE, DB_HOST, DB_PORT, KEYCLOAK_URL, BENCH_DB, PGBENCH_DB, WORK, SERVICE_PID first).

log() { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "$BENCH_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_admin() { psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# isolated_events <run id> <channel>...: JVM options that keep a benchmarked service's events away from any running
# suite and leave nothing behind in RabbitMQ: vhost /, the exchange fomo.events.test.bench, the outbox relay off
# (nothing is published), and for each incoming channel an exclusive, auto-deleted queue of this run with no
# dead-letter queue. Names within the rights the service's own RabbitMQ user has on vhost / (issue #17: exchanges
# fomo.events.test.*, queues system-<run>.<short>.*; $BENCH_SHORT is the service's short name).
# Prints one option per line (read them with mapfile).
isolated_events() {
  local run="${1//./-}"; shift
  printf '%s\n' -Drabbitmq-virtual-host=/ -Dfomo.events.exchange=fomo.events.test.bench -Dfomo.outbox.enabled=false \
    -Dmp.messaging.connector.smallrye-rabbitmq.auto-bind-dlq=false \
    -Dmp.messaging.connector.smallrye-rabbitmq.dlx.declare=false
  local ch
  for ch in "$@"; do
    printf '%s\n' "-Dmp.messaging.incoming.$ch.queue.name=system-bench$run.${BENCH_SHORT:?}.$ch" \
      "-Dmp.messaging.incoming.$ch.queue.durable=false" \
      "-Dmp.messaging.incoming.$ch.queue.exclusive=true" \
      "-Dmp.messaging.incoming.$ch.queue.auto-delete=true"
  done
}

# On every exit: stops the service it started (by pid), drops both scratch databases, shows the service's log when
# the run failed, removes the work directory. Install with: trap bench_cleanup EXIT INT TERM
bench_cleanup() {
  local status=$?
  if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "stopping $SERVICE (pid $SERVICE_PID)"
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
  psql_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
  psql_admin -c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ $status -ne 0 ] && [ -f "$WORK/service.log" ]; then
    log "service log (last 40 lines):"; tail -n 40 "$WORK/service.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit $status
}

# The tools and the Keycloak (realm fomo) a benchmark needs, or a clear message.
bench_preflight() {
  local c
  for c in java psql pgbench curl python3; do command -v "$c" >/dev/null || die "$c is not installed"; done
  # the services' roles (fomo_x) own the scratch databases: a fresh machine has none until this runs (idempotent)
  "$ROOT/deploy/local/ensure-infra.sh" >&2
  curl -fsS "$KEYCLOAK_URL/realms/fomo/.well-known/openid-configuration" >/dev/null \
    || die "no Keycloak with realm fomo at $KEYCLOAK_URL (start one: deploy/local/keycloak.sh start)"
}

# CPU accounting, in clock ticks (getconf CLK_TCK per second), so that a run can say where the CPU of one operation
# went (service, PostgreSQL, load generator) and how many operations per second 2 cores allow at most: a figure
# much less disturbed by other work on the machine than a throughput.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Σ utime+stime of the live PostgreSQL backends connected to database $1 (a service's pool keeps its connections).
pg_db_cpu_ticks() {
  local pid s=0
  for pid in $(psql_admin -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1' AND pid <> pg_backend_pid()"); do
    [ -r "/proc/$pid/stat" ] && s=$((s + $(cpu_ticks "$pid")))
  done
  echo "$s"
}
# CPU of the backends that exited since the postmaster started (reaped: its cutime+cstime): pgbench's backends,
# which end with the run. On a shared machine this includes other clients' backends that ended meanwhile.
pg_reaped_cpu_ticks() {
  local pm
  pm="$(head -1 "$(psql_admin -c 'SHOW data_directory')/postmaster.pid" 2>/dev/null)" || { echo 0; return; }
  awk '{print $16 + $17}' "/proc/$pm/stat"
}
# bench_build MODULE [TARGET]: builds MODULE and its load generator (reactor, no install; SKIP_BUILD=1 reuses the last
# build), then sets BENCH_CP (the load generator's class path, test scope) and JAR (SERVICE_JAR: another build of the
# service to measure with this load generator, e.g. an older commit's for an A/B). TARGET: a MODULE/target to measure
# (default this checkout's).
bench_build() {
  local module="$1" target="${2:-$ROOT/$1/target}"
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    log "SKIP_BUILD=1: using the jar and test classes already built"
  else
    log "building $module and the load generator (reactor, no install)"
    (cd "$ROOT" && ./mvnw -B -q -pl "$module" -am package -DskipTests \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2)
  fi
  local classpath_file="$target/bench-classpath.txt"
  [ -s "$classpath_file" ] || die "no class path written to $classpath_file"
  BENCH_CP="$target/test-classes:$target/classes:$(cat "$classpath_file")"
  JAR="${SERVICE_JAR:-$target/quarkus-app/quarkus-run.jar}"
  [ -f "$JAR" ] || die "$JAR was not built"
}

# start_service NAME JAR [extra java options...]: runs the service's jar with the profiles prod,local (production code
# paths with the local, committed secrets, as deploy/local/start.sh runs it) on HTTP_PORT/GRPC_PORT/MGMT_PORT against
# BENCH_DB and the run's isolated events (EVENTS_OPTS), logs to $WORK/service.log, sets SERVICE_PID and waits for
# liveness (120 s at most).
start_service() {
  local name="$1" jar="$2"; shift 2
  java ${SERVICE_JAVA_OPTS:-} -Dquarkus.profile=prod,local "$@" \
    -Dquarkus.http.port="$HTTP_PORT" -Dquarkus.grpc.server.port="$GRPC_PORT" -Dquarkus.management.port="$MGMT_PORT" \
    -Dfomo.db.host="$DB_HOST" -Dfomo.db.port="$DB_PORT" -Dfomo.db.name="$BENCH_DB" \
    -Dfomo.keycloak.url="$KEYCLOAK_URL" -Dquarkus.log.level=WARN \
    "${EVENTS_OPTS[@]}" \
    -jar "$jar" >"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://localhost:$MGMT_PORT/q/health/live" >/dev/null 2>&1 && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || die "$name exited during start (log: $WORK/service.log)"
    sleep 1
  done
  curl -fsS "http://localhost:$MGMT_PORT/q/health/live" >/dev/null || die "$name did not start in 120 s"
}

ticks_ms_per() { python3 -c "print(f'{$1 * 1000 / $(getconf CLK_TCK) / max(1, $2):.3f}')"; } # <ticks> <count>

# `pgbench -N` on $PGBENCH_DB ($PGBENCH_CLIENTS clients, scale $PGBENCH_SCALE, $SECONDS_PER_PHASE s), with its CPU: sets
# PG_TPS, PG_P50, PG_P99 (ms, from its per-transaction log), PG_N (transactions), PGB_PG_TICKS (its backends, reaped by
# the postmaster when the run ends) and PGB_CLIENT_TICKS (the pgbench process, user + system).
run_pgbench() {
  log "pgbench -N: scale $PGBENCH_SCALE, $PGBENCH_CLIENTS clients, ${SECONDS_PER_PHASE}s"
  pgbench -h "$DB_HOST" -p "$DB_PORT" -U postgres -i -q -s "$PGBENCH_SCALE" "$PGBENCH_DB" >/dev/null 2>&1
  PGB_REAPED_BEFORE="$(pg_reaped_cpu_ticks)"
  (cd "$WORK" && /usr/bin/time -f "%U %S" -o "$WORK/pgbench.time" pgbench -h "$DB_HOST" -p "$DB_PORT" -U postgres -N -n \
    -c "$PGBENCH_CLIENTS" -j 2 -T "$SECONDS_PER_PHASE" -l --log-prefix=pgbench_log "$PGBENCH_DB") >"$WORK/pgbench.out" 2>&1
  sleep 1 # the postmaster reaps the run's backends
  PGB_PG_TICKS=$(( $(pg_reaped_cpu_ticks) - PGB_REAPED_BEFORE ))
  PGB_CLIENT_TICKS="$(awk -v t="$(getconf CLK_TCK)" '{printf "%d", ($1 + $2) * t}' "$WORK/pgbench.time")"
  PG_TPS="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$WORK/pgbench.out")"
  [ -n "$PG_TPS" ] || { cat "$WORK/pgbench.out" >&2; die "could not read pgbench's tps"; }
  read -r PG_P50 PG_P99 PG_N < <(cat "$WORK"/pgbench_log* | awk '{print $3}' | sort -n | awk '
    { v[NR] = $1 } END { p50 = v[int(NR * 0.50 + 0.999)]; p99 = v[int(NR * 0.99 + 0.999)];
    printf "%.2f %.2f %d\n", p50 / 1000, p99 / 1000, NR }')
}
