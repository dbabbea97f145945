#!/usr/bin/env bash
# Builds the five service images with the names the k8s manifests use: <registry>/<group>/<service>:<tag>
# (k8s/base/*/deployment.yaml: registry.example.com/fomo/<service>; the overlays set the tag).
#
#   deploy/podman/build-images.sh [--registry R] [--group G] [--tag T] [--base IMAGE] [--no-build] [--push]
#                                 [--service NAME]...
#
#   --registry R   default registry.example.com (quarkus.container-image.registry in fomo-shared, the manifests'
#                  name); `--registry localhost` for images that stay on this machine
#   --group G      default fomo
#   --tag T        default the project version (pom.xml); the prod overlay names 0.1.0
#   --base IMAGE   the JRE base image: default localhost/fomo-jre:17 from Debian's packages (built by
#                  deploy/podman/base-images.sh when missing); in production any JRE 17+ image with /bin/sh,
#                  e.g. --base docker.io/library/eclipse-temurin:17-jre (pulled if not present)
#   --no-build     use the existing <service>/target/quarkus-app (default: ./mvnw package -DskipTests first)
#   --push         podman push each image afterwards (log in first: podman login R)
#   --service S    only these services (repeatable)
#
# Environment: FOMO_MVN_FLAGS (default "-B -q"; add -o to build offline).
# Maven builds the fast-jar; `podman build` puts it on the base image with deploy/podman/Containerfile.service
# (Quarkus' Jib builder cannot take a local podman image as its base: Jib parses `docker inspect`, whose podman
# output it cannot read; see k8s/README.md "Images and the rehearsal").
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=deploy/local/lib.sh
source "$ROOT/deploy/local/lib.sh"   # FOMO_SERVICES, log/die, now_s

REGISTRY="registry.example.com"; GROUP="fomo"; TAG=""; BASE="${FOMO_BASE_IMAGE:-localhost/fomo-jre:17}"
BUILD=1; PUSH=0; ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) REGISTRY="${2:?}"; shift 2 ;;
    --group) GROUP="${2:?}"; shift 2 ;;
    --tag) TAG="${2:?}"; shift 2 ;;
    --base) BASE="${2:?}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --push) PUSH=1; shift ;;
    --service) ONLY+=("${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
require_cmd podman
VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml")"
TAG="${TAG:-$VERSION}"
read -r -a MVN_FLAGS <<<"${FOMO_MVN_FLAGS:--B -q}"

services=()
for entry in "${FOMO_SERVICES[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  if [ ${#ONLY[@]} -eq 0 ] || printf '%s\n' "${ONLY[@]}" | grep -qx "$svc"; then services+=("$entry"); fi
done
[ ${#services[@]} -gt 0 ] || die "no such service: ${ONLY[*]}"

t0="$(now_s)"
if [ "$BASE" = localhost/fomo-jre:17 ] && ! podman image exists "$BASE"; then
  log "$BASE is missing: building it (deploy/podman/base-images.sh jre)"
  "$HERE/base-images.sh" jre
fi
if [ "$BUILD" = 1 ]; then
  modules="$(for e in "${services[@]}"; do read -r s _ <<<"$e"; printf '%s,' "$s"; done)"
  log "building the fast-jars: ./mvnw ${MVN_FLAGS[*]} package -DskipTests -pl ${modules%,} -am"
  tb="$(now_s)"
  (cd "$ROOT" && nice ./mvnw "${MVN_FLAGS[@]}" package -DskipTests -pl "${modules%,}" -am) || die "the Maven build failed"
  log "fast-jars built in $(fmt_duration $(( $(now_s) - tb )))"
fi

ctx="$(mktemp -d /var/tmp/fomo-image.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT
built=()
for entry in "${services[@]}"; do
  read -r svc _ http grpc mgmt <<<"$entry"
  app="$ROOT/$svc/target/quarkus-app"
  [ -f "$app/quarkus-run.jar" ] || die "$app/quarkus-run.jar is missing (drop --no-build)"
  image="$REGISTRY/$GROUP/$svc:$TAG"
  rm -rf "${ctx:?}"/*
  cp -a "$app" "$ctx/quarkus-app"
  install -m 0755 "$HERE/run-java.sh" "$ctx/run-java.sh"
  ti="$(now_s)"
  nice podman build -q --pull=missing -f "$HERE/Containerfile.service" --build-arg "BASE=$BASE" \
    --build-arg "SERVICE=$svc" --build-arg "VERSION=$VERSION" --build-arg "PORTS=http $http, grpc $grpc, management $mgmt" \
    -t "$image" "$ctx" >/dev/null || die "podman build failed for $image"
  log "$image: built in $(fmt_duration $(( $(now_s) - ti ))) on $BASE"
  built+=("$image")
done
if [ "$PUSH" = 1 ]; then
  for image in "${built[@]}"; do
    log "pushing $image"
    podman push "$image" || die "podman push $image failed (podman login ${REGISTRY%%/*}?)"
  done
fi
log "${#built[@]} images in $(fmt_duration $(( $(now_s) - t0 ))): ${built[*]}"
