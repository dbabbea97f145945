#!/usr/bin/env bash
# Builds the local base images from Debian's packages (no image registry needed; ../shared/docs/TOOLCHAIN.md
# "Containers"): debootstrap a minimal Debian with the packages, then `podman import` it.
#
#   deploy/podman/base-images.sh [--force] [IMAGE...]      (root; after deploy/podman/install.sh)
#
#   localhost/fomo-jre:17         Debian bookworm + openjdk-17-jre-headless (+ curl for podman's HTTP probes),
#                                 user app (185:185), /opt/fomo/run-java.sh: the services' base image
#   localhost/fomo-postgres:15    PostgreSQL 15 (the rehearsal's stand-in for a CloudNativePG cluster)
#   localhost/fomo-rabbitmq:3     RabbitMQ from Debian (the stand-in for the RabbitmqCluster)
#   localhost/fomo-keycloak:<v>   fomo-jre + Keycloak's distribution from Maven Central (the same artifact
#                                 deploy/local/keycloak.sh runs), built for PostgreSQL with health on
#
# Cached: an image that exists is skipped (--force rebuilds; name images to build only those). Debian packages are
# cached in ${FOMO_DEBOOTSTRAP_CACHE:-/var/cache/fomo-debootstrap}. Each image takes about 1 min (network, 2 cores).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=deploy/local/lib.sh
source "$ROOT/deploy/local/lib.sh"   # KEYCLOAK_VERSION, keycloak_dist, log/die

SUITE="${FOMO_DEBIAN_SUITE:-bookworm}"
CACHE="${FOMO_DEBOOTSTRAP_CACHE:-/var/cache/fomo-debootstrap}"
JRE_IMAGE="${FOMO_JRE_IMAGE:-localhost/fomo-jre:17}"
PG_IMAGE="${FOMO_POSTGRES_IMAGE:-localhost/fomo-postgres:15}"
RABBIT_IMAGE="${FOMO_RABBITMQ_IMAGE:-localhost/fomo-rabbitmq:3}"
KC_IMAGE="${FOMO_KEYCLOAK_IMAGE:-localhost/fomo-keycloak:$KEYCLOAK_VERSION}"
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

FORCE=0; WANT=()
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    jre|postgres|rabbitmq|keycloak) WANT+=("$a") ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $a (images: jre postgres rabbitmq keycloak; --force)" ;;
  esac
done
[ ${#WANT[@]} -gt 0 ] || WANT=(jre postgres rabbitmq keycloak)
require_cmd podman debootstrap
[ "$(id -u)" = 0 ] || die "debootstrap needs root"

# The Debian mirror apt uses here (TOOLCHAIN.md: the one in /etc/apt/sources.list.d/).
mirror() {
  local m
  m="$(grep -h -m1 -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)"
  [ -n "$m" ] || m="$(grep -h -m1 -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | head -n1 || true)"
  echo "${FOMO_DEBIAN_MIRROR:-${m:-http://deb.debian.org/debian}}"
}

have_image() { podman image exists "$1"; }

# debian_image IMAGE "PACKAGES" SETUP_FUNCTION "CHANGE..." : debootstrap minbase + PACKAGES into a temporary
# directory, let SETUP_FUNCTION adjust it (users, scripts), drop caches and docs, import it as IMAGE.
debian_image() {
  local image="$1" packages="$2" setup="$3"; shift 3
  local dir t0 changes=(--change "$PATH_ENV")
  t0="$(now_s)"
  for c in "$@"; do changes+=(--change "$c"); done
  dir="$(mktemp -d /var/tmp/fomo-rootfs.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$dir'" RETURN
  mkdir -p "$CACHE"
  log "$image: debootstrap $SUITE (minbase + $packages) from $(mirror)"
  nice debootstrap --variant=minbase --cache-dir="$CACHE" --include="$packages" "$SUITE" "$dir" "$(mirror)" \
    >"$dir.log" 2>&1 || { tail -n 30 "$dir.log" >&2; rm -f "$dir.log"; die "debootstrap failed for $image"; }
  rm -f "$dir.log"
  "$setup" "$dir"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
    "$dir"/usr/share/locale/* "$dir"/var/log/*.log "$dir"/tmp/* 2>/dev/null || true
  tar -C "$dir" --numeric-owner -c . | nice podman import "${changes[@]}" - "$image" >/dev/null
  log "$image: built in $(fmt_duration $(( $(now_s) - t0 ))) ($(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"
}

add_user() {  # add_user DIR NAME UID: a system user and group (the images run as non-root)
  grep -q "^$2:" "$1/etc/group" || echo "$2:x:$3:" >>"$1/etc/group"
  grep -q "^$2:" "$1/etc/passwd" || echo "$2:x:$3:$3::/home/$2:/usr/sbin/nologin" >>"$1/etc/passwd"
  mkdir -p "$1/home/$2" && chown "$3:$3" "$1/home/$2"
}

setup_jre() {
  local d="$1"
  add_user "$d" app 185
  mkdir -p "$d/opt/fomo" "$d/deployments"
  install -m 0755 "$HERE/run-java.sh" "$d/opt/fomo/run-java.sh"
  chown 185:185 "$d/deployments"
}
setup_postgres() {
  local d="$1"
  # Debian's package creates a cluster "main" in its postinst: the pod makes its own in its volume instead.
  rm -rf "$d/var/lib/postgresql/15/main" "$d/etc/postgresql/15/main"
  install -m 0755 "$HERE/infra/postgres-start.sh" "$d/usr/local/bin/fomo-postgres-start"
}
setup_rabbitmq() {
  local d="$1"
  install -m 0755 "$HERE/infra/rabbitmq-start.sh" "$d/usr/local/bin/fomo-rabbitmq-start"
}

build_keycloak() {
  local t0 ctx home
  t0="$(now_s)"
  have_image "$JRE_IMAGE" || die "$KC_IMAGE needs $JRE_IMAGE: build it first ($0 jre)"
  ctx="$(mktemp -d /var/tmp/fomo-kc.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$ctx'" RETURN
  # deploy/local/keycloak.sh's way: the zip from Maven Central through ./mvnw (cached in ~/.m2), unpacked.
  home="$(keycloak_dist "$ctx/state")"
  mv "$home" "$ctx/keycloak"
  rm -rf "$ctx/state"
  cp "$HERE/keycloak/Containerfile" "$ctx/Containerfile"
  log "$KC_IMAGE: podman build (Keycloak $KEYCLOAK_VERSION on $JRE_IMAGE, kc.sh build --db=postgres)"
  nice podman build --pull=never --build-arg "BASE=$JRE_IMAGE" -t "$KC_IMAGE" -f "$ctx/Containerfile" "$ctx" >&2
  log "$KC_IMAGE: built in $(fmt_duration $(( $(now_s) - t0 )))"
}

for w in "${WANT[@]}"; do
  case "$w" in
    jre) img="$JRE_IMAGE" ;; postgres) img="$PG_IMAGE" ;; rabbitmq) img="$RABBIT_IMAGE" ;; keycloak) img="$KC_IMAGE" ;;
  esac
  if have_image "$img" && [ "$FORCE" = 0 ]; then
    log "$img: exists (skipped; --force rebuilds)"
    continue
  fi
  case "$w" in
    jre) debian_image "$img" openjdk-17-jre-headless,curl,ca-certificates setup_jre \
           'USER 185' 'WORKDIR /deployments' 'ENTRYPOINT ["/opt/fomo/run-java.sh"]' ;;
    postgres) debian_image "$img" postgresql-15,curl setup_postgres \
           'ENV PGDATA=/var/lib/postgresql/data' 'ENTRYPOINT ["/usr/local/bin/fomo-postgres-start"]' ;;
    rabbitmq) debian_image "$img" rabbitmq-server,curl setup_rabbitmq \
           'ENTRYPOINT ["/usr/local/bin/fomo-rabbitmq-start"]' ;;
    keycloak) build_keycloak ;;
  esac
done
