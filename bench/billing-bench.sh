#!/usr/bin/env bash
# Inference-billing throughput benchmark (not a test): Authorize+Capture pairs through billing's gRPC `Billing`
# against `pgbench -N` on the same PostgreSQL, in one run, printed as a table. Record the result in
# docs/PERFORMANCE.md. Goal (issue #6): at 64 concurrent callers, pairs/s >= 1.5 x pgbench's tps and p99 <= 25 ms.
#
#   bench/billing-bench.sh [seconds-per-phase]        (default 15)
#   env: CALLERS (default 16,64,128), USERS (10000), PGBENCH_CLIENTS (16), PGBENCH_SCALE (10),
#        SERVICE_JAR (another build's quarkus-run.jar, for an A/B with the same load generator),
#        WARMUP_SECONDS (10: unmeasured load first, so the CPU per pair is not the JIT's),
#        LOADGEN_WARMUP_SECONDS (5: the measuring load generator's own unmeasured start, for its JIT; on a slow
#        machine state its C2 compiler is still busy after 5 s, so raise both), SKIP_BUILD=1 (reuse the last build),
#        SERVICE_JAVA_OPTS (extra JVM options for the service, e.g. a
#        -XX:StartFlightRecording=filename=/tmp/b.jfr,settings=profile to profile it)
#
# What it does, and undoes:
#   1. builds inference-billing and its load generator with ./mvnw (reactor, -am; nothing is installed);
#   2. creates the scratch databases fomo_billing_bench (owner fomo_billing) and fomo_pgbench;
#   3. starts inference-billing from its jar on free ports against fomo_billing_bench, isolated from any running
#      suite: RabbitMQ vhost / with its own exchange fomo.events.bench, exclusive auto-deleted queues, outbox relay
#      off (nothing is published anywhere);
#   4. seeds one live deployment (the SPEC §4 prices) and $USERS wallets of 1,000,000 USDC each (direct SQL: the
#      benchmark measures the hot path, not top-ups);
#   5. gets the API platform's service token (client credentials of api-platform) from Keycloak
#      ($FOMO_KEYCLOAK_URL, default http://localhost:8180, realm fomo) and runs io.fomo.billing.bench.BillingBench:
#      closed-loop callers, each sending Authorize then Capture for a random user, at each of $CALLERS;
#   6. checks the wallets (no negative balance, available + held = topped up - charged, nothing left held);
#   7. stops the service, runs `pgbench -N` ($PGBENCH_CLIENTS clients, scale $PGBENCH_SCALE) for the same duration;
#   8. prints the table, stops what it started (by pid) and drops both databases.
# Needs: Java 17, PostgreSQL with trust auth for postgres on $FOMO_DB_HOST:$FOMO_DB_PORT, psql, pgbench, curl,
# python3, RabbitMQ on localhost:5672 (guest/guest), a running Keycloak with the fomo realm
# (deploy/local/keycloak.sh start).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_PHASE="${1:-${BENCH_SECONDS:-15}}"
CALLERS="${CALLERS:-16,64,128}"
USERS="${USERS:-10000}"
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
LOADGEN_WARMUP_SECONDS="${LOADGEN_WARMUP_SECONDS:-5}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-16}"
PGBENCH_SCALE="${PGBENCH_SCALE:-10}"
DB_HOST="${FOMO_DB_HOST:-127.0.0.1}"
DB_PORT="${FOMO_DB_PORT:-5432}"
KEYCLOAK_URL="${FOMO_KEYCLOAK_URL:-http://localhost:8180}"
BENCH_DB=fomo_billing_bench
PGBENCH_DB=fomo_pgbench_billing
DEPLOYMENT=dep-bench
WORK="$(mktemp -d /tmp/billing-bench.XXXXXX)"
SERVICE_PID=""
BENCH_NAME=billing-bench
BENCH_SHORT=billing
SERVICE=inference-billing
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

trap bench_cleanup EXIT INT TERM
bench_preflight

bench_build inference-billing

log "creating $BENCH_DB and $PGBENCH_DB"
psql_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB OWNER fomo_billing"
# time per call of the hot path's functions (pg_stat_user_functions), printed at the end
psql_admin -c "ALTER DATABASE $BENCH_DB SET track_functions = 'pl'"
psql_admin -c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)" -c "CREATE DATABASE $PGBENCH_DB"

HTTP_PORT="$(free_port)"; GRPC_PORT="$(free_port)"; MGMT_PORT="$(free_port)"
RUN_ID="$(date +%s)-$$"
mapfile -t EVENTS_OPTS < <(isolated_events "$RUN_ID" deployment-live stake-changed)
log "starting inference-billing on http $HTTP_PORT / grpc $GRPC_PORT against $BENCH_DB"
start_service inference-billing "$JAR"

log "seeding deployment $DEPLOYMENT and $USERS wallets"
psql_admin -d "$BENCH_DB" -c "
  INSERT INTO deployment (id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost, live_at, pool_id)
  VALUES ('$DEPLOYMENT', 'BENCH', 'alice', 'Qwen/Qwen3-32B', 500000, 1500000, 200000, 600000, now(), 'BENCH-FLOCK');
  INSERT INTO wallet (user_id, available, held, topped_up, charged, topups)
  SELECT 'bench-u' || i, 1000000000000, 0, 1000000000000, 0, 1 FROM generate_series(0, $USERS - 1) i;
  ANALYZE;"

TOKEN="$(curl -fsS -d grant_type=client_credentials -d client_id=api-platform -d client_secret=api-platform-secret \
  "$KEYCLOAK_URL/realms/fomo/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

if [ "$WARMUP_SECONDS" -gt 0 ]; then
  log "warm-up (JIT): ${WARMUP_SECONDS}s at 64 callers, not measured"
  java -cp "$BENCH_CP" io.fomo.billing.bench.BillingBench --host localhost --port "$GRPC_PORT" --token "$TOKEN" \
    --deployment "$DEPLOYMENT" --seconds "$WARMUP_SECONDS" --callers 64 --users "$USERS" >/dev/null
fi
CPU_BEFORE="$(cpu_ticks "$SERVICE_PID")"
PG_CPU_BEFORE="$(pg_db_cpu_ticks "$BENCH_DB")"
log "gRPC load: Authorize+Capture pairs, $USERS users, callers $CALLERS, ${SECONDS_PER_PHASE}s each"
java ${LOADGEN_JAVA_OPTS:-} -cp "$BENCH_CP" io.fomo.billing.bench.BillingBench --host localhost --port "$GRPC_PORT" --token "$TOKEN" \
  --deployment "$DEPLOYMENT" --seconds "$SECONDS_PER_PHASE" --callers "$CALLERS" --users "$USERS" --warmup-seconds "$LOADGEN_WARMUP_SECONDS" \
  | tee "$WORK/billing.out" >&2
SERVICE_TICKS=$(( $(cpu_ticks "$SERVICE_PID") - CPU_BEFORE ))
PG_TICKS=$(( $(pg_db_cpu_ticks "$BENCH_DB") - PG_CPU_BEFORE ))
LOADGEN_TICKS="$(sed -n 's/^RESULT .* loadgen_cpu_ms=\([0-9]*\).*/\1/p' "$WORK/billing.out" | awk -v t="$(getconf CLK_TCK)" '{s += $1} END {printf "%d", s * t / 1000}')"
SERVICE_CPU_S="$(python3 -c "print(f'{$SERVICE_TICKS / $(getconf CLK_TCK):.1f}')")"
WALLETS_OK="$(psql_admin -d "$BENCH_DB" -c "SELECT count(*) = 0 FROM wallet WHERE available < 0 OR held <> 0 OR available + held <> topped_up - charged")"
CAPTURES="$(psql_admin -d "$BENCH_DB" -c "SELECT count(*) FROM capture")"
CHARGED_OK="$(psql_admin -d "$BENCH_DB" -c "SELECT (SELECT coalesce(sum(charged), 0) FROM wallet) = (SELECT coalesce(sum(charged), 0) FROM capture)")"
MEASURED_PAIRS="$(sed -n 's/^RESULT .* pairs=\([0-9]*\) .*/\1/p' "$WORK/billing.out" | awk '{s += $1} END {print s + 0}')"
# The service's and PostgreSQL's CPU above also covers the load generator's own warm-up (its JIT; unmeasured by it)
SERVED_PAIRS=$(( MEASURED_PAIRS + $(sed -n 's/^warmup: \([0-9]*\) pairs.*/\1/p' "$WORK/billing.out" | awk '{s += $1} END {print s + 0}') ))
SERVICE_RSS="$(ps -o rss= -p "$SERVICE_PID" | awk '{printf "%d MB", $1/1024}')"
sleep 1 # backends flush their function statistics at most once a second
FUNCTIONS_LINE="$(psql_admin -d "$BENCH_DB" -F ' ' -c "SELECT funcname, calls, round((total_time / greatest(calls, 1))::numeric, 3)
  FROM pg_stat_user_functions WHERE calls > 0 ORDER BY total_time DESC" \
  | awk '{printf "%s%s: %d calls, %.3f ms each", (NR > 1 ? "; " : ""), $1, $2, $3}')"
# Group commit (README "Group commit"): groups and calls per kind since the start, warm-up included.
GROUPS_LINE="$(curl -fsS "http://localhost:$MGMT_PORT/q/metrics" | python3 -c "$(cat <<'PY'
import re, sys
m = {}
for line in sys.stdin:
    g = re.match(r'fomo_billing_group_commit_(groups|calls|failed_groups)_total\{kind="(\w+)"\} ([0-9.E]+)', line)
    if g:
        m.setdefault(g.group(2), {})[g.group(1)] = float(g.group(3))
parts = []
for kind, v in sorted(m.items()):
    calls, groups, failed = v.get('calls', 0), v.get('groups', 0), v.get('failed_groups', 0)
    parts.append(f'{kind} {calls:.0f} calls in {groups:.0f} groups (mean {calls / max(1, groups):.1f}), {failed:.0f} failed')
print('; '.join(parts) or 'no group-commit metrics')
PY
)")"

# The stack's floor: the same closed loop at 64 callers, each "pair" two empty gRPC calls to the same server
# (grpc.health.v1 Health/Check: no token check, no database, no billing code). No build of the service can serve
# Authorize + Capture pairs faster than this on the same machine.
log "floor: empty gRPC pairs (Health/Check x 2) at 64 callers, ${SECONDS_PER_PHASE}s"
java -cp "$BENCH_CP" io.fomo.billing.bench.BillingBench --host localhost --port "$GRPC_PORT" --mode floor \
  --seconds 3 --callers 64 --warmup-seconds 3 >/dev/null
FLOOR_CPU_BEFORE="$(cpu_ticks "$SERVICE_PID")"
java -cp "$BENCH_CP" io.fomo.billing.bench.BillingBench --host localhost --port "$GRPC_PORT" --mode floor \
  --seconds "$SECONDS_PER_PHASE" --callers 64 --warmup-seconds 0 | tee -a "$WORK/billing.out" >&2
FLOOR_CPU_S="$(python3 -c "print(f'{($(cpu_ticks "$SERVICE_PID") - $FLOOR_CPU_BEFORE) / $(getconf CLK_TCK):.1f}')")"

log "stopping inference-billing before pgbench"
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""

run_pgbench

field() { sed -n "s/^RESULT callers=$1 .*$2=\([^ ]*\).*/\1/p" "$WORK/billing.out"; }
floor_field() { sed -n "s/^FLOOR callers=64 .*$1=\([^ ]*\).*/\1/p" "$WORK/billing.out"; }
GOAL_CALLERS=64
if grep -q "^RESULT callers=$GOAL_CALLERS " "$WORK/billing.out"; then
  read -r RATIO VERDICT < <(python3 -c "
r = float('$(field $GOAL_CALLERS pairs_per_s)') / float('$PG_TPS'); p99 = float('$(field $GOAL_CALLERS p99_ms)')
print(f'{r:.2f}', 'met' if r >= 1.5 and p99 <= 25 else 'NOT-met')")
else
  RATIO="-"; VERDICT="not-measured-(no-64-callers-phase)"
fi

{
  echo
  echo "Billing benchmark, $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB RAM, load average at end $(cut -d' ' -f1-3 /proc/loadavg), $(psql_admin -c 'SHOW server_version'), ${SECONDS_PER_PHASE}s per phase, $USERS users"
  echo "Command: bench/billing-bench.sh $SECONDS_PER_PHASE (CALLERS=$CALLERS USERS=$USERS PGBENCH_CLIENTS=$PGBENCH_CLIENTS PGBENCH_SCALE=$PGBENCH_SCALE)"
  echo
  echo "| workload | callers | pairs/s (tps) | p50 ms | p99 ms | failures |"
  echo "|---|---:|---:|---:|---:|---:|"
  for c in ${CALLERS//,/ }; do
    printf "| gRPC Authorize + Capture | %s | %s | %s | %s | %s |\n" "$c" "$(field "$c" pairs_per_s)" \
      "$(field "$c" p50_ms)" "$(field "$c" p99_ms)" "$(field "$c" failures)"
  done
  printf "| empty gRPC pair (Health/Check × 2: the stack's floor) | 64 | %s | %s | %s | %s |\n" \
    "$(floor_field pairs_per_s)" "$(floor_field p50_ms)" "$(floor_field p99_ms)" "$(floor_field failures)"
  printf "| pgbench -N (transactions) | %s | %.1f | %s | %s | - |\n" "$PGBENCH_CLIENTS" "$PG_TPS" "$PG_P50" "$PG_P99"
  echo
  echo "At $GOAL_CALLERS callers: pairs/s ÷ pgbench -N tps = **${RATIO}×**, goal ≥ 1.5× with p99 ≤ 25 ms: **${VERDICT//-/ }**."
  echo "The stack's floor (two empty gRPC calls per pair, same machine, same callers): $(floor_field pairs_per_s) pairs/s = **$(python3 -c "print(f'{float(\"$(floor_field pairs_per_s)\" or 0) / float(\"$PG_TPS\"):.2f}')")×** pgbench -N tps; the service alone used $FLOOR_CPU_S s of CPU for them: $(python3 -c "print(f'{$FLOOR_CPU_S * 1000 / max(1, $(floor_field pairs) + 0):.3f}')") ms per empty pair, so 1.5 × pgbench's tps in empty pairs alone would take $(python3 -c "print(f'{$FLOOR_CPU_S / max(1, $(floor_field pairs) + 0) * 1.5 * float(\"$PG_TPS\"):.2f}')") of the $(nproc) cores."
  echo "Afterwards: $CAPTURES captures; wallets consistent (none negative, none held, available + held = topped up − charged): $WALLETS_OK; Σ wallet charged = Σ captures: $CHARGED_OK; service RSS at end $SERVICE_RSS."
  echo "Group commit: $GROUPS_LINE."
  echo "PostgreSQL functions (whole run, warm-up included; time inside the function, wall clock): ${FUNCTIONS_LINE:-none}."
  echo "The service used $SERVICE_CPU_S s of CPU for the $SERVED_PAIRS pairs it served after ${WARMUP_SECONDS}s of warm-up: $(python3 -c "print(f'{$SERVICE_CPU_S * 1000 / max(1, $SERVED_PAIRS):.2f}')") ms of CPU per pair."
  python3 - "$SERVICE_TICKS" "$PG_TICKS" "$LOADGEN_TICKS" "$SERVED_PAIRS" "$MEASURED_PAIRS" "$PGB_PG_TICKS" "$PGB_CLIENT_TICKS" "$PG_N" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
svc, pg, gen, pairs, measured, pgb_pg, pgb_cli, txns, tck, cores = map(float, sys.argv[1:])
ms = lambda ticks, n: ticks * 1000 / tck / max(1, n)
pair = ms(svc, pairs) + ms(pg, pairs) + ms(gen, measured); txn = ms(pgb_pg + pgb_cli, txns)
print(f"CPU per pair (after warm-up): service {ms(svc, pairs):.3f} ms + PostgreSQL {ms(pg, pairs):.3f} ms (the bench database's backends) "
      f"+ load generator {ms(gen, measured):.3f} ms (its own, in the measured phases) = {pair:.3f} ms, so {cores:.0f} cores allow at most {cores * 1000 / pair:,.0f} pairs/s. "
      f"pgbench -N per transaction: PostgreSQL {ms(pgb_pg, txns):.3f} ms (backends reaped during the run) + client {ms(pgb_cli, txns):.3f} ms "
      f"= {txn:.3f} ms, at most {cores * 1000 / txn:,.0f} tps. Ratio of the CPU ceilings: **{txn / pair:.2f}×** "
      f"(what the run's ratio would be with every core busy in both phases; less disturbed by other work on the machine than the measured ratio).")
PY
} | tee "$ROOT/bench/last-billing-bench.md"
