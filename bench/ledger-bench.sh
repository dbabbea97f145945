#!/usr/bin/env bash
# Ledger throughput benchmark (not a test): treasury-service's gRPC Ledger against `pgbench -N` on the same
# PostgreSQL, in one run, printed as a table. Record the result in docs/PERFORMANCE.md.
#
#   bench/ledger-bench.sh [seconds-per-phase]        (default 20)
#
# What it does, and undoes:
#   1. builds treasury-service and its load generator with ./mvnw (reactor, -am; nothing is installed);
#   2. creates the scratch databases fomo_treasury_bench (owner fomo_treasury) and fomo_pgbench;
#   3. starts treasury-service from its jar on free ports against fomo_treasury_bench;
#   4. gets a service token (client credentials of rmo-service) from Keycloak ($FOMO_KEYCLOAK_URL, default
#      http://localhost:8180, realm fomo) and runs io.fomo.treasury.bench.LedgerBench: USDC transfers between
#      random accounts, one per gRPC call from $SINGLE_CALLERS callers, then batches of $BATCH_SIZE from
#      $BATCH_CALLERS callers, each measured phase after a warm-up of $WARMUP_SECONDS s of the same calls (the JIT
#      needs ~20 s before the service's CPU per call is steady); the CPU per call of each phase of the service, of
#      its PostgreSQL backends and of the load generator itself is read from /proc/<pid>/stat;
#   5. runs `pgbench -N` ($PGBENCH_CLIENTS clients, scale $PGBENCH_SCALE) for the same duration;
#   6. prints the table and the CPU one batch and one pgbench transaction cost (so what 2 cores allow of each), stops
#      the service it started (by its pid) and drops both databases.
# Needs: Java 17, PostgreSQL with trust auth for postgres on $FOMO_DB_HOST:$FOMO_DB_PORT, psql, pgbench, curl,
# a running Keycloak with the fomo realm (deploy/local/keycloak.sh start).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_PHASE="${1:-${BENCH_SECONDS:-20}}"
SINGLE_CALLERS="${SINGLE_CALLERS:-16}"
BATCH_CALLERS="${BATCH_CALLERS:-8}"
BATCH_SIZE="${BATCH_SIZE:-100}"
ACCOUNTS="${ACCOUNTS:-20000}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"   # before each measured phase (JIT); a longer one for a steady-state CPU figure
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-16}"
PGBENCH_SCALE="${PGBENCH_SCALE:-10}"
DB_HOST="${FOMO_DB_HOST:-127.0.0.1}"
DB_PORT="${FOMO_DB_PORT:-5432}"
KEYCLOAK_URL="${FOMO_KEYCLOAK_URL:-http://localhost:8180}"
BENCH_DB=fomo_treasury_bench
PGBENCH_DB=fomo_pgbench
WORK="$(mktemp -d /tmp/ledger-bench.XXXXXX)"
SERVICE_PID=""
BENCH_NAME=ledger-bench
BENCH_SHORT=treasury
SERVICE=treasury-service
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

trap bench_cleanup EXIT INT TERM
bench_preflight

# TARGET_DIR: a treasury-service/target to benchmark (default this checkout's; e.g. a copy of an older build's,
# to compare builds under the same conditions with SKIP_BUILD=1).
bench_build treasury-service "${TARGET_DIR:-}"

log "creating $BENCH_DB and $PGBENCH_DB"
psql_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB OWNER fomo_treasury"
psql_admin -c "DROP DATABASE IF EXISTS $PGBENCH_DB WITH (FORCE)" -c "CREATE DATABASE $PGBENCH_DB"

HTTP_PORT="$(free_port)"; GRPC_PORT="$(free_port)"; MGMT_PORT="$(free_port)"
log "starting treasury-service on http $HTTP_PORT / grpc $GRPC_PORT against $BENCH_DB"
# SERVICE_JAVA_OPTS: extra JVM options for the service, e.g. a Java Flight Recorder profile:
#   SERVICE_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/ledger.jfr,settings=profile"
# shellcheck disable=SC2086
# Events isolated from any running suite (vhost /, its own exchange and exclusive queues, no outbox relay).
mapfile -t EVENTS_OPTS < <(isolated_events "$(date +%s)-$$" deployment-live window-settled credits-topped-up)
# The load generator calls as rmo-service and moves USDC between users, which the ledger's allow-list (issue #17) gives
# no client: rmo-service is unrestricted for this run (the benchmark measures the transfer path, not the allow-list).
start_service treasury-service "$JAR" -Dfomo.treasury.ledger.unrestricted-clients=rmo-service

TOKEN="$(curl -fsS -d grant_type=client_credentials -d client_id=rmo-service -d client_secret=rmo-service-secret \
  "$KEYCLOAK_URL/realms/fomo/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

# Funding: no client may debit an ISSUER with a transfer since issue #17, so the accounts are seeded in SQL, the
# issuer's debit recorded against them (as billing's benchmark seeds its wallets): 1,000,000 USDC each.
log "seeding $ACCOUNTS accounts with 1,000,000 USDC each (SQL)"
psql_admin -d "$BENCH_DB" -c "INSERT INTO ledger_account (owner, token, kind, constrained, credits_posted)
  SELECT 'bench-u' || i, 'USDC', 'USER', true, 1000000000000 FROM generate_series(0, $ACCOUNTS - 1) AS i" >/dev/null
psql_admin -d "$BENCH_DB" -c "INSERT INTO ledger_account (owner, token, kind, constrained, debits_posted)
  VALUES ('protocol', 'USDC', 'ISSUER', false, 1000000000000::numeric * $ACCOUNTS)
  ON CONFLICT (owner, token, kind) DO UPDATE SET debits_posted = ledger_account.debits_posted + EXCLUDED.debits_posted" >/dev/null
log "gRPC load: $ACCOUNTS accounts; Transfer x $SINGLE_CALLERS callers, then SubmitBatch($BATCH_SIZE) x $BATCH_CALLERS callers; ${SECONDS_PER_PHASE}s each"
java -cp "$BENCH_CP" io.fomo.treasury.bench.LedgerBench --host localhost --port "$GRPC_PORT" --token "$TOKEN" \
  --seconds "$SECONDS_PER_PHASE" --single-callers "$SINGLE_CALLERS" --batch-callers "$BATCH_CALLERS" \
  --batch-size "$BATCH_SIZE" --accounts "$ACCOUNTS" --service-pid "$SERVICE_PID" --pg-database "$BENCH_DB" \
  --warmup-seconds "$WARMUP_SECONDS" --funded true | tee "$WORK/ledger.out" >&2
AUDIT_OK="$(psql_admin -d "$BENCH_DB" -c "SELECT count(*) = 0 FROM ledger_account WHERE constrained AND credits_posted - debits_posted - debits_pending < 0")"
JOURNAL_ROWS="$(psql_admin -d "$BENCH_DB" -c "SELECT count(*) FROM ledger_transfer")"
sleep 1 # backends flush their table statistics at most once a second
# An account update that finds no room on its page is not HOT: a new row version elsewhere plus an entry in both of the
# table's indexes (and more to skip later) instead of a version beside the old one. The share says whether the table's
# fillfactor leaves enough room between prunes.
HOT_LINE="$(psql_admin -d "$BENCH_DB" -F ' ' -c "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'ledger_account'" \
  | awk '{printf "%d account updates, %.1f %% of them HOT", $1, ($1 > 0 ? 100 * $2 / $1 : 0)}')"

log "stopping treasury-service before pgbench"
kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""

run_pgbench

field() { sed -n "s/^RESULT $1 .* $2=\([^ ]*\).*/\1/p" "$WORK/ledger.out"; }
SINGLE_TPS="$(field single transfers_per_s)"; BATCH_TPS="$(field batch transfers_per_s)"
RATIO="$(python3 -c "print(f'{float(\"$BATCH_TPS\") / float(\"$PG_TPS\"):.1f}')")"

{
  echo
  echo "Ledger benchmark, $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB RAM, load average at end $(cut -d' ' -f1-3 /proc/loadavg), $(psql_admin -c 'SHOW server_version'), ${SECONDS_PER_PHASE}s per phase"
  echo
  echo "| workload | callers | calls/s | transfers/s | p50 ms | p99 ms | failures |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  printf "| gRPC Transfer (1 transfer per call) | %s | %s | %s | %s | %s | %s |\n" "$SINGLE_CALLERS" \
    "$(field single calls_per_s)" "$SINGLE_TPS" "$(field single p50_ms)" "$(field single p99_ms)" "$(field single failures)"
  printf "| gRPC SubmitBatch (%s transfers per call) | %s | %s | %s | %s | %s | %s |\n" "$BATCH_SIZE" "$BATCH_CALLERS" \
    "$(field batch calls_per_s)" "$BATCH_TPS" "$(field batch p50_ms)" "$(field batch p99_ms)" "$(field batch failures)"
  printf "| pgbench -N (transactions) | %s | %s | - | %s | %s | - |\n" "$PGBENCH_CLIENTS" "$PG_TPS" "$PG_P50" "$PG_P99"
  echo
  echo "Batched transfers/s ÷ pgbench -N tps = **${RATIO}×** (goal ≥ 10×). Ledger afterwards: $JOURNAL_ROWS journal rows, no constrained account below zero: $AUDIT_OK; $HOT_LINE."
  echo
  echo "Service CPU (user + system of its process, /proc/<pid>/stat, during the measured phase ÷ its calls): $(field single service_cpu_ms_per_call) ms per Transfer call, $(field batch service_cpu_ms_per_call) ms per SubmitBatch of $BATCH_SIZE."
  # The same accounting as billing-bench.sh: what one batch costs in CPU on this machine against one pgbench transaction.
  python3 - "$(field batch service_cpu_ms_per_call)" "$(field batch pg_cpu_ms_per_call)" "$(field batch loadgen_cpu_ms_per_call)" \
    "$BATCH_SIZE" "$PGB_PG_TICKS" "$PGB_CLIENT_TICKS" "$PG_N" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
svc, pg, gen, size, pgb_pg, pgb_cli, txns, tck, cores = map(float, sys.argv[1:])
batch = svc + pg + gen
txn = (pgb_pg + pgb_cli) * 1000 / tck / max(1, txns)
print(f"CPU per SubmitBatch of {size:.0f} (measured phase): service {svc:.3f} ms + PostgreSQL {pg:.3f} ms (the bench database's backends) "
      f"+ load generator {gen:.3f} ms = {batch:.3f} ms, so {cores:.0f} cores allow at most {cores * 1000 / batch * size:,.0f} transfers/s. "
      f"pgbench -N per transaction: PostgreSQL {pgb_pg * 1000 / tck / max(1, txns):.3f} ms (backends reaped during the run) + client "
      f"{pgb_cli * 1000 / tck / max(1, txns):.3f} ms = {txn:.3f} ms, at most {cores * 1000 / txn:,.0f} tps. "
      f"Ratio of the CPU ceilings: **{size * txn / batch:.1f}×** (what the run's ratio would be with every core busy in both phases; "
      f"less disturbed by other work on the machine than the measured ratio).")
PY
} | tee "$ROOT/bench/last-ledger-bench.md"
