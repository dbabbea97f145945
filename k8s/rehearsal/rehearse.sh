#!/usr/bin/env bash
# The rehearsal of the prod overlay on podman (issue #20; k8s/README.md "Images and the rehearsal"):
#   1. installs podman from Debian when missing (deploy/podman/install.sh), builds the base images when missing
#      (deploy/podman/base-images.sh) and the five service images with the names the prod overlay uses
#      (deploy/podman/build-images.sh), plus the story's client (fomo-demo) and model host (fomo-standin);
#   2. checks the prod overlay statically (k8s/check.sh k8s/overlays/prod: probes, resources, PDBs, secrets, /q, and
#      the wiring: every client's host and every NetworkPolicy flow);
#   3. renders it (kubectl kustomize k8s/overlays/prod) and translates it (k8s/rehearsal/translate.mjs): the
#      operator-managed infrastructure (CloudNativePG Clusters, RabbitmqCluster, Keycloak) becomes plain pods of the
#      local Debian images; each Deployment becomes a Pod named after its Service with the Deployment's own pod
#      template (images, env, ConfigMaps, Secrets, probes, read-only root file system, non-root user, resource
#      limits); it prints what it translated, what is only checked statically and what is not enforced;
#   4. creates the podman secrets (the Secrets as JSON), plays everything with `podman kube play --network`,
#      the services' ports published on random free ports of 127.0.0.1;
#   5. walks the README's story (fomo-demo) through those ports to the treasury's audit; when the story reaches
#      --kill-at it kills the --kill service's process (kill -9, a crash): podman's restart policy brings it back,
#      and the story must still end with the audit's `ok: true`;
#   6. removes everything it started, by name (pods, network, secrets, volumes), also when it fails.
#
#   k8s/rehearsal/rehearse.sh [--no-build] [--kill SERVICE] [--kill-at TEXT] [--keep] [--network NAME]
#
#   --no-build      reuse the images and jars that exist (default: ./mvnw package, then build the images)
#   --kill SERVICE  the service whose pod is killed mid-story (default inference-billing)
#   --kill-at TEXT  the story's line that triggers the kill (default: the settlement window step, so billing must
#                   settle the window after its restart)
#   --keep          leave everything running at the end (clean up later with: rehearse.sh --down)
#   --down          only remove what a rehearsal left (by name)
#   --network NAME  the podman network (default fomo-rehearsal)
#
# Exit code 0 when the story ends with the audit's ok: true after the kill and the killed pod came back.
# Needs root (podman rootful: the host reaches the pods' addresses), kubectl, node/npm, Java 17 and Maven's ~/.m2.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=deploy/local/lib.sh
source "$ROOT/deploy/local/lib.sh"   # FOMO_SERVICES, log/die, free_port, wait_for_url, KEYCLOAK_VERSION

BUILD=1; KILL=inference-billing; KILL_AT="The settlement window closes"; KEEP=0; DOWN=0
NET="${FOMO_REHEARSAL_NETWORK:-fomo-rehearsal}"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --kill) KILL="${2:?}"; shift 2 ;;
    --kill-at) KILL_AT="${2:?}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --down) DOWN=1; shift ;;
    --network) NET="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

WORK="${FOMO_REHEARSAL_DIR:-/var/tmp/fomo-rehearsal}"
STATE="$WORK/state"          # names of what we created, for the clean-up (also after a crash of this script)
T0="$(now_s)"
declare -A PHASE=()
phase() { PHASE["$1"]="$(fmt_duration $(( $(now_s) - $2 )))"; log "$1: ${PHASE[$1]}"; }

# ---- clean-up: only what this script created, by name ------------------------------------------------------
down() {
  [ -d "$STATE" ] || return 0
  local n
  if [ -f "$STATE/pods" ]; then
    while read -r n; do [ -n "$n" ] && podman pod rm -f -t 5 "$n" >/dev/null 2>&1 || true; done <"$STATE/pods"
  fi
  if [ -f "$STATE/volumes" ]; then
    while read -r n; do [ -n "$n" ] && podman volume rm -f "$n" >/dev/null 2>&1 || true; done <"$STATE/volumes"
  fi
  if [ -f "$STATE/secrets" ]; then
    while read -r n; do [ -n "$n" ] && podman secret rm "$n" >/dev/null 2>&1 || true; done <"$STATE/secrets"
  fi
  if [ -f "$STATE/network" ]; then
    podman network rm -f "$(cat "$STATE/network")" >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/demo.pid" ]; then
    n="$(cat "$STATE/demo.pid")"; pid_alive "$n" && kill "$n" 2>/dev/null || true
  fi
  rm -rf "$STATE"
  log "cleaned up: pods, volumes, secrets and network of the rehearsal"
}
if [ "$DOWN" = 1 ]; then down; exit 0; fi
command -v podman >/dev/null 2>&1 || "$ROOT/deploy/podman/install.sh"
require_cmd podman kubectl node npm java curl
[ "$(id -u)" = 0 ] || die "run as root (rootful podman: the host reaches the pods' addresses)"
down   # what a previous run left
mkdir -p "$STATE" "$WORK"
if [ "$KEEP" = 0 ]; then trap 'rc=$?; down; exit $rc' EXIT; fi
trap 'exit 130' INT TERM

# ---- 1. images and jars -------------------------------------------------------------------------------------
t="$(now_s)"
"$ROOT/deploy/podman/install.sh"
"$ROOT/deploy/podman/base-images.sh"
phase "install + base images" "$t"
kubectl kustomize "$ROOT/k8s/overlays/prod" >"$WORK/prod.yaml"
# the images the prod overlay names, e.g. registry.example.com/fomo/treasury-service:0.1.0
IMAGE_OF() { sed -n "s#^ *image: \(.*/$1:.*\)#\1#p" "$WORK/prod.yaml" | head -n1; }
first="$(IMAGE_OF treasury-service)"
[ -n "$first" ] || die "no treasury-service image in the rendered prod overlay"
REG_GROUP="${first%/treasury-service:*}"; TAG="${first##*:}"
t="$(now_s)"
if [ "$BUILD" = 1 ]; then
  modules="$(for e in "${FOMO_SERVICES[@]}"; do read -r s _ <<<"$e"; printf '%s,' "$s"; done)fomo-demo,fomo-standin"
  log "building: ./mvnw ${FOMO_MVN_FLAGS:--B -q} package -DskipTests -pl $modules -am"
  read -r -a mvn_flags <<<"${FOMO_MVN_FLAGS:--B -q}"
  (cd "$ROOT" && nice ./mvnw "${mvn_flags[@]}" package -DskipTests -pl "$modules" -am) || die "the Maven build failed"
  phase "Maven build" "$t"; t="$(now_s)"
  "$ROOT/deploy/podman/build-images.sh" --no-build --registry "${REG_GROUP%/*}" --group "${REG_GROUP##*/}" --tag "$TAG"
  phase "service images" "$t"
fi
for e in "${FOMO_SERVICES[@]}"; do
  read -r s _ <<<"$e"
  podman image exists "$(IMAGE_OF "$s")" || die "image $(IMAGE_OF "$s") is missing (drop --no-build)"
done
DEMO_JAR="$ROOT/fomo-demo/target/quarkus-app/quarkus-run.jar"
STANDIN_JAR="$(ls "$ROOT"/fomo-standin/target/fomo-standin-*.jar 2>/dev/null | grep -v -- '-sources' | head -n1 || true)"
[ -f "$DEMO_JAR" ] && [ -n "$STANDIN_JAR" ] || die "fomo-demo or fomo-standin is not built (drop --no-build)"

# ---- 2. the static checks ---------------------------------------------------------------------------------
t="$(now_s)"
log "static checks of the prod overlay: k8s/check.sh k8s/overlays/prod"
"$ROOT/k8s/check.sh" "$ROOT/k8s/overlays/prod" >&2 || die "k8s/check.sh found problems in the prod overlay (above)"
phase "static checks" "$t"

# ---- 3. network, the model host, translation ----------------------------------------------------------------
t="$(now_s)"
podman network exists "$NET" && die "podman network $NET exists and is not ours (--network NAME to use another)"
podman network create "$NET" >/dev/null
echo "$NET" >"$STATE/network"
STANDIN_DIR="$WORK/standin"
rm -rf "$STANDIN_DIR" && mkdir -p "$STANDIN_DIR"
cp "$STANDIN_JAR" "$STANDIN_DIR/fomo-standin.jar"
cp "$HERE/TcpForward.java" "$STANDIN_DIR/"
STANDIN_PORT=8090
ports_json() {  # the published ports: {<service>: {http, grpc, management}} on free random ports
  local first=1 used=()
  printf '{'
  for e in "${FOMO_SERVICES[@]}"; do
    read -r s _ <<<"$e"
    local h g m
    h="$(free_port "${used[@]}")"; used+=("$h"); g="$(free_port "${used[@]}")"; used+=("$g"); m="$(free_port "${used[@]}")"; used+=("$m")
    [ "$first" = 1 ] || printf ','
    first=0
    printf '"%s":{"http":%s,"grpc":%s,"management":%s}' "$s" "$h" "$g" "$m"
  done
  printf '}'
  echo "${used[*]}" >"$WORK/used-ports"
}
PORTS="$(ports_json)"
KC_PORT="$(free_port $(cat "$WORK/used-ports"))"
settings() {  # settings STANDIN_IP
  cat <<EOF
{"ports": $PORTS, "keycloakPort": $KC_PORT,
 "standin": {"port": $STANDIN_PORT, "dir": "$STANDIN_DIR"},
 "images": {"postgres": "${FOMO_POSTGRES_IMAGE:-localhost/fomo-postgres:15}", "rabbitmq": "${FOMO_RABBITMQ_IMAGE:-localhost/fomo-rabbitmq:3}",
            "keycloak": "${FOMO_KEYCLOAK_IMAGE:-localhost/fomo-keycloak:$KEYCLOAK_VERSION}", "jre": "${FOMO_JRE_IMAGE:-localhost/fomo-jre:17}"},
 "env": {
   "inference-billing": {"FOMO_BILLING_WINDOW": "PT15S", "FOMO_BILLING_EPOCH": "PT45S", "FOMO_BILLING_EPOCH_GRACE": "PT5S",
                         "FOMO_BILLING_SETTLE_DELAY": "PT2S", "FOMO_BILLING_SETTLE_INTERVAL": "2s"},
   "treasury-service": {"FOMO_TREASURY_SPLIT_SETTLEMENT_WINDOW": "PT15S", "FOMO_TREASURY_SPLIT_CARRY_DELAY": "PT5S",
                        "FOMO_TREASURY_SPLIT_CARRY_INTERVAL": "2s"},
   "rmo-service": {"FOMO_RMO_HOSTING_CHECK_ALLOWED_RANGES": "$1/32"}
 },
 "demoRealm": "$ROOT/deploy/keycloak/fomo-realm.json"}
EOF
}
OUT="$WORK/out"
translate() { rm -rf "$OUT"; settings "$1" >"$WORK/settings.json"; node "$HERE/translate.mjs" "$WORK/prod.yaml" "$OUT" "$WORK/settings.json" >&2; }
pods_of() { sed -n '/^kind: Pod$/,/^  name:/s/^  name: //p' "$1"; }
play() {  # play FILE: podman kube play on our network, remembering the pods and volumes it made
  local f="$1"
  pods_of "$f" >>"$STATE/pods"
  podman kube play --network "$NET" "$f" >"$WORK/play-$(basename "$f" .yaml).log" 2>&1 \
    || { cat "$WORK/play-$(basename "$f" .yaml).log" >&2; die "podman kube play $f failed"; }
}
pod_ip() { podman inspect --format "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$(podman pod inspect --format '{{.InfraContainerID}}' "$1")"; }

translate 0.0.0.0          # the model host's pod first: rmo's hosting check admits exactly its address
play "$OUT/standin.yaml"
STANDIN_IP="$(pod_ip fomo-standin)"
STANDIN_URL="http://$STANDIN_IP:$STANDIN_PORT/v1"
translate "$STANDIN_IP"
cp "$OUT/volumes.txt" "$STATE/volumes"
echo
cat "$OUT/translation.txt"
echo
for f in "$OUT"/secrets/*.json; do
  n="$(basename "$f" .json)"
  podman secret rm "$n" >/dev/null 2>&1 || true
  podman secret create "$n" "$f" >/dev/null
  echo "$n" >>"$STATE/secrets"
done
log "$(wc -l <"$STATE/secrets") podman secrets created (the Secrets as JSON)"
phase "translation" "$t"

# ---- 4. the infrastructure, then the services --------------------------------------------------------------
t="$(now_s)"
play "$OUT/infra.yaml"
wait_until() {  # wait_until WHAT TIMEOUT COMMAND...
  local what="$1" timeout="$2" deadline; shift 2
  deadline=$(( $(now_s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    [ "$(now_s)" -lt "$deadline" ] || return 1
    sleep 2
  done
  log "$what: ready"
}
for pod in $(pods_of "$OUT/infra.yaml"); do
  case "$pod" in
    *-db-rw) wait_until "$pod" 180 podman exec "$pod-postgres" runuser -u postgres -- psql -qtAc 'select 1' -d postgres \
               || die "PostgreSQL $pod did not start: $(podman logs --tail 20 "$pod-postgres" 2>&1)" ;;
    *rabbitmq*) wait_until "$pod" 420 podman exec "$pod-rabbitmq" test -f /tmp/fomo-rabbitmq-ready \
               || die "RabbitMQ $pod did not start: $(podman logs --tail 30 "$pod-rabbitmq" 2>&1)" ;;
  esac
done
KC_URL="http://localhost:$KC_PORT"
wait_for_url "$KC_URL/realms/fomo/.well-known/openid-configuration" 600 '"issuer"' \
  || die "Keycloak did not serve realm fomo: $(podman logs --tail 40 fomo-keycloak-service-keycloak 2>&1)"
log "Keycloak: realm fomo served on $KC_URL"
phase "infrastructure up" "$t"

t="$(now_s)"
play "$OUT/services.yaml"
port_of() { node -e 'const p=JSON.parse(process.argv[1]);console.log(p[process.argv[2]][process.argv[3]])' "$PORTS" "$1" "$2"; }
# One deadline for all five (they start together; on a loaded machine a service may fail its first start, e.g. a
# database connection timing out, and podman's restart policy starts it again, as Kubernetes would).
deadline=$(( $(now_s) + ${FOMO_REHEARSAL_START_TIMEOUT:-900} ))
pending=(); for e in "${FOMO_SERVICES[@]}"; do read -r s _ <<<"$e"; pending+=("$s"); done
while [ ${#pending[@]} -gt 0 ] && [ "$(now_s)" -lt "$deadline" ]; do
  still=()
  for s in "${pending[@]}"; do
    if curl -fsS --max-time 3 "http://127.0.0.1:$(port_of "$s" management)/q/health/ready" 2>/dev/null | grep -q '"UP"'; then
      log "$s: ready (restarts: $(podman inspect --format '{{.RestartCount}}' "$s-app"))"
    else
      still+=("$s")
    fi
  done
  pending=("${still[@]+"${still[@]}"}")
  [ ${#pending[@]} -eq 0 ] || sleep 3
done
failed=("${pending[@]+"${pending[@]}"}")
for s in "${failed[@]+"${failed[@]}"}"; do podman logs --tail 40 "$s-app" >&2 || true; done
[ ${#failed[@]} -eq 0 ] || die "not ready after ${FOMO_REHEARSAL_START_TIMEOUT:-900}s: ${failed[*]}"
phase "services up" "$t"
echo
podman pod ps --filter "network=$NET" --format '{{.Name}}\t{{.Status}}\t{{.NumberOfContainers}} containers' | sort | sed 's/^/    /'
echo
# What the services wrote: the root file system is read-only; /tmp is the pod's emptyDir.
for e in "${FOMO_SERVICES[@]}"; do
  read -r s _ <<<"$e"
  # kube play turns the liveness probe into a podman health check (restart on failure); without systemd nothing runs
  # it on a timer, so run it once here: it proves the probe works inside the image.
  live="$(podman healthcheck run "$s-app" >/dev/null 2>&1 && echo healthy || echo FAILING)"
  log "$s: runs as $(podman exec "$s-app" id -u):$(podman exec "$s-app" id -g), read-only root: $(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$s-app"), memory limit $(podman inspect --format '{{.HostConfig.Memory}}' "$s-app"), CPU quota $(podman inspect --format '{{.HostConfig.CpuQuota}}/{{.HostConfig.CpuPeriod}}' "$s-app"), liveness probe: $live, /tmp holds: $(podman exec "$s-app" sh -c 'ls -A /tmp | tr "\n" " "')"
done

# ---- 5. the story, with one pod killed --------------------------------------------------------------------
t="$(now_s)"
STORY_LOG="$WORK/story.log"
api_secret="$(node -e 'const s=require(process.argv[1]);console.log(Buffer.from(s["client-secret"],"base64").toString())' "$OUT/secrets/api-platform-oidc.json")"
log "the story: fomo-demo against the published ports (Keycloak $KC_URL, model host $STANDIN_URL)"
(
  export FOMO_TREASURY_URL="http://127.0.0.1:$(port_of treasury-service http)" FOMO_RMO_URL="http://127.0.0.1:$(port_of rmo-service http)" \
    FOMO_BILLING_URL="http://127.0.0.1:$(port_of inference-billing http)" FOMO_STAKING_URL="http://127.0.0.1:$(port_of staking-service http)" \
    FOMO_EMISSION_URL="http://127.0.0.1:$(port_of emission-service http)" FOMO_KEYCLOAK_URL="$KC_URL" FOMO_STANDIN_URL="$STANDIN_URL" \
    FOMO_BILLING_GRPC_HOST=127.0.0.1 FOMO_BILLING_GRPC_PORT="$(port_of inference-billing grpc)" \
    FOMO_RMO_GRPC_HOST=127.0.0.1 FOMO_RMO_GRPC_PORT="$(port_of rmo-service grpc)" \
    FOMO_API_PLATFORM_SECRET="$api_secret" FOMO_DEMO_SETTLE_TIMEOUT="${FOMO_DEMO_SETTLE_TIMEOUT:-PT6M}" \
    FOMO_DEMO_EPOCH_TIMEOUT="${FOMO_DEMO_EPOCH_TIMEOUT:-PT8M}"
  exec java -Xmx128m -jar "$DEMO_JAR" story
) >"$STORY_LOG" 2>&1 &
demo_pid=$!
echo "$demo_pid" >"$STATE/demo.pid"
tail -n +1 -f "$STORY_LOG" --pid "$demo_pid" &
tail_pid=$!
killed=0; back=0
kill_ctr="$KILL-app"
while pid_alive "$demo_pid"; do
  if [ "$killed" = 0 ] && grep -qF -- "$KILL_AT" "$STORY_LOG"; then
    old_pid="$(podman inspect --format '{{.State.Pid}}' "$kill_ctr")"
    restarts="$(podman inspect --format '{{.RestartCount}}' "$kill_ctr")"
    log ">>> killing $KILL's pod mid-story: kill -9 of its process $old_pid (container $kill_ctr, restarts so far: $restarts)"
    kill -9 "$old_pid"
    killed=1; kill_t="$(now_s)"
  fi
  if [ "$killed" = 1 ] && [ "$back" = 0 ]; then
    new_pid="$(podman inspect --format '{{.State.Pid}}' "$kill_ctr" 2>/dev/null || echo 0)"
    if [ "$new_pid" != 0 ] && [ "$new_pid" != "$old_pid" ] \
       && curl -fsS --max-time 2 "http://127.0.0.1:$(port_of "$KILL" management)/q/health/ready" 2>/dev/null | grep -q '"UP"'; then
      back=1
      log ">>> $KILL's pod is back: restarted by podman's restart policy (restarts: $(podman inspect --format '{{.RestartCount}}' "$kill_ctr"), process $new_pid), ready again after $(fmt_duration $(( $(now_s) - kill_t )))"
    fi
  fi
  sleep 1
done
demo_rc=0; wait "$demo_pid" || demo_rc=$?
wait "$tail_pid" 2>/dev/null || true
rm -f "$STATE/demo.pid"
phase "story" "$t"

echo
log "timings: $(for k in "install + base images" "Maven build" "service images" "static checks" "translation" "infrastructure up" "services up" "story"; do
  [ -n "${PHASE[$k]:-}" ] && printf '%s %s; ' "$k" "${PHASE[$k]}"; done)total $(fmt_duration $(( $(now_s) - T0 )))"
[ "$killed" = 1 ] || die "the story never reached \"$KILL_AT\": nothing was killed"
[ "$back" = 1 ] || die "$KILL's pod did not come back after the kill"
grep -q 'VERDICT: ok: true' "$STORY_LOG" && [ "$demo_rc" = 0 ] || die "the story did not end with the audit's ok: true (exit $demo_rc)"
log "REHEARSAL OK: the prod overlay's pods ran the story to the audit's ok: true, with $KILL's pod killed mid-story and back"
