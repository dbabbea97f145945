#!/usr/bin/env bash
# Installs the container engine the image builds and the rehearsal use (../shared/docs/TOOLCHAIN.md "Containers"):
# podman, runc, debootstrap (and iptables and catatonit, for podman's networks and pods) from Debian's packages when missing, and the engine settings this kind of machine
# needs: crun (podman's default runtime) fails on setrlimit here, so containers run with runc and without default
# ulimits. Either setting alone still fails, so both go into /etc/containers/containers.conf.
#
#   deploy/podman/install.sh          (as root, or through sudo; idempotent: a second run changes nothing)
set -euo pipefail

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
log() { printf '%s [install.sh] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

missing=()
# iptables: netavark (podman's network stack) needs it and podman only recommends it ("netavark: No such file");
# catatonit: the init of the pods' infra container, which podman builds locally from it (no pause image to pull).
for pair in podman:podman runc:runc debootstrap:debootstrap iptables:iptables catatonit:catatonit; do
  cmd="${pair%%:*}" pkg="${pair#*:}"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing from Debian: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" netavark aardvark-dns uidmap slirp4netns fuse-overlayfs >/dev/null
else
  log "podman, runc, debootstrap, iptables and catatonit are installed"
fi

# containers.conf: the two settings, each written only when it is not there yet. The file may hold the
# operator's own settings: we add ours to the right table and leave the rest alone.
CONF=${FOMO_CONTAINERS_CONF:-/etc/containers/containers.conf}
$SUDO mkdir -p /etc/containers
[ -f "$CONF" ] || $SUDO touch "$CONF"
# ensure_setting TABLE KEY VALUE: sets KEY = VALUE in [TABLE] (adds the table when missing, replaces another value).
ensure_setting() {
  local table="$1" key="$2" value="$3" tmp
  tmp="$(mktemp)"
  awk -v table="[$table]" -v key="$key" -v line="$key = $value" '
    function flush() { if (in_table && !done) { print line; done = 1 } }
    /^[[:space:]]*\[/ { flush(); in_table = ($0 ~ "^[[:space:]]*\\[" substr(table, 2, length(table) - 2) "\\][[:space:]]*$"); seen = seen || in_table; print; next }
    in_table && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" { if (!done) { print line; done = 1 }; next }
    { print }
    END { flush(); if (!seen) { print ""; print table; print line } }
  ' "$CONF" >"$tmp"
  if ! cmp -s "$tmp" "$CONF"; then
    $SUDO cp "$tmp" "$CONF"
    log "$CONF: [$table] $key = $value"
  fi
  rm -f "$tmp"
}
ensure_setting containers default_ulimits '[]'
ensure_setting engine runtime '"runc"'

# The engine answers with the settings above (deploy/podman/base-images.sh then builds the first images).
if ! podman info >/dev/null 2>&1; then
  echo "podman info failed:" >&2; podman info >&2 || true; exit 1
fi
log "ready: $(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), cgroups $(podman info --format '{{.Host.CgroupsVersion}}')"
