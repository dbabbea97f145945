#!/usr/bin/env bash
# The story of SPEC section 1, walked through the public interfaces of a running suite (deploy/local/start.sh
# runs it at the end; run it again any time: it is harmless to repeat):
#   Alice registers QwenALICE on the model stand-in and launches its offering; the operator deposits FLOCK for
#   Bob and Carol; they contribute (oversubscribed); the offering closes and goes LIVE; Bob stakes; the API
#   platform serves inference for Bob and Carol through billing's gRPC Authorize/Capture; the window settles
#   (split, buybacks, burns); the epoch closes (emission, rewards); Bob claims; the audit gives its verdict.
#
#   deploy/local/demo.sh [--summary FILE]
#
# Environment: FOMO_KEYCLOAK_URL (default http://localhost:8180), FOMO_<SERVICE>_URL for each service
# (defaults: the SPEC section 9 ports), FOMO_STANDIN_URL (default http://127.0.0.1:8090/v1).
# Exit code 0 when the treasury's audit says ok.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

jar="$(svc_run_jar fomo-demo)"
[ -f "$jar" ] || jar="$FOMO_ROOT/fomo-demo/target/quarkus-app/quarkus-run.jar"
[ -f "$jar" ] || die "$jar is missing: run deploy/local/start.sh (it builds the project)"
# The story's suspension and resumption (SPEC §7a) tells the stand-in to fail: on by default against start.sh's suite
# (its rmo re-checks hosting every few seconds); FOMO_DEMO_SUSPENSION=false skips it (e.g. against a real model host).
export FOMO_DEMO_SUSPENSION="${FOMO_DEMO_SUSPENSION:-true}"
exec java -Xmx128m -jar "$jar" story "$@"
