#!/usr/bin/env bash
# Close benchmark of rmo-service (issue #5, not a test): how long the close of an offering with N contributors
# takes against the real ledger, and how much heap rmo uses meanwhile. Record the result in docs/PERFORMANCE.md.
#
#   bench/rmo-close-bench.sh [N ...]          (default: 1000 10000 100000)
#   CHUNK=10000 bench/rmo-close-bench.sh 100000
#
# It builds treasury-service and rmo-service (reactor, -am; nothing is installed), then runs
# io.fomo.rmo.bench.CloseBench (rmo-service/src/test/java), which starts both services from their jars as processes
# (fomo-testkit ServiceProcess: scratch databases fomo_treasury_bench and fomo_rmo_bench, logs in
# rmo-service/target/it-logs/), seeds N contributors per offering, times the operator's POST /close and samples rmo's
# heap from /q/metrics, prints a table and stops both processes.
# Needs: Java 17, the local PostgreSQL and RabbitMQ, a Keycloak with the fomo realm ($FOMO_KEYCLOAK_URL, default
# http://localhost:8180).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
CHUNK="${CHUNK:-10000}"
cd "$ROOT"
echo "$(date +%H:%M:%S) [rmo-close-bench] building (reactor, no install)" >&2
./mvnw -B -q -pl rmo-service -am package -DskipTests \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
CP="$ROOT/rmo-service/target/test-classes:$ROOT/rmo-service/target/classes:$(cat "$ROOT/rmo-service/target/bench-classpath.txt")"
cd "$ROOT/rmo-service"
echo "$(date +%H:%M:%S) [rmo-close-bench] running CloseBench ${SIZES[*]} (chunk $CHUNK)" >&2
exec java -Xmx512m -Dchunk="$CHUNK" -cp "$CP" io.fomo.rmo.bench.CloseBench "${SIZES[@]}"
