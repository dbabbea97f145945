# shellcheck shell=bash
# Shared functions for the deploy/local scripts. Source it; do not run it.
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Everything here is for a local developer machine or CI box: no Docker, no network except
# Maven Central (through ./mvnw) and the Debian archive (through apt-get).

# ---- paths ---------------------------------------------------------------------------------
# shellcheck disable=SC2034 # constants for the scripts that source this file
FOMO_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FOMO_ROOT="$(cd "$FOMO_LOCAL_DIR/../.." && pwd)"
FOMO_STATE_DIR="${FOMO_STATE_DIR:-$FOMO_LOCAL_DIR/.state}"
FOMO_REALM_JSON="$FOMO_ROOT/deploy/keycloak/fomo-realm.json"

KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
KEYCLOAK_ARTIFACT="org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip"
# Pinned so the goal does not depend on whatever the Maven default happens to be.
MAVEN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# The five services: name, short name (database), HTTP port, gRPC port (SPEC section 9), management port
# (/q/health, /q/metrics, /q/openapi: Quarkus' management interface, never the public HTTP port; issue #17).
# shellcheck disable=SC2034
FOMO_SERVICES=(
  "treasury-service treasury 8081 9081 9181"
  "rmo-service rmo 8082 9082 9182"
  "inference-billing billing 8083 9083 9183"
  "staking-service staking 8084 9084 9184"
  "emission-service emission 8085 9085 9185"
)

# ---- logging -------------------------------------------------------------------------------
_fomo_me="$(basename "${0:-fomo}")"
log()  { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "$_fomo_me" "$*" >&2; }
warn() { printf '%s [%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$_fomo_me" "$*" >&2; }
die()  { printf '%s [%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$_fomo_me" "$*" >&2; exit 1; }

# Seconds since the epoch, for timings.
now_s() { date +%s; }
# "1m 05s" from a number of seconds.
fmt_duration() { printf '%dm %02ds' $(($1 / 60)) $(($1 % 60)); }

# Print the last N lines of a log file, indented, to stderr (used when something fails to start).
log_tail() {
  local file="$1" n="${2:-60}"
  if [ -f "$file" ]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$file" >&2
    tail -n "$n" "$file" | sed 's/^/    /' >&2
    printf -- '----- end of %s -----\n' "$file" >&2
  else
    printf -- '(no log file %s)\n' "$file" >&2
  fi
}

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed. On Debian: apt-get install -y $(_pkg_for "$c")"
  done
}
_pkg_for() {
  case "$1" in
    curl) echo curl ;; ss) echo iproute2 ;; setsid|flock) echo util-linux ;;
    unzip) echo unzip ;; java) echo openjdk-17-jdk-headless ;; psql) echo postgresql-client ;;
    *) echo "$1" ;;
  esac
}

# ---- waiting -------------------------------------------------------------------------------
# wait_for_url URL TIMEOUT_SECONDS [PATTERN] [PID]
# Polls URL until it answers 2xx (and, if PATTERN is given, the body contains it).
# Gives up early when PID is given and that process has exited. Returns 0 on success, 1 otherwise.
wait_for_url() {
  local url="$1" timeout="$2" pattern="${3:-}" pid="${4:-}" deadline body
  deadline=$(( $(now_s) + timeout ))
  while [ "$(now_s)" -lt "$deadline" ]; do
    if body="$(curl -fsS --max-time 5 "$url" 2>/dev/null)"; then
      if [ -z "$pattern" ] || grep -q -- "$pattern" <<<"$body"; then
        return 0
      fi
    fi
    if [ -n "$pid" ] && ! pid_alive "$pid"; then
      return 1
    fi
    sleep 1
  done
  return 1
}

# ---- ports ---------------------------------------------------------------------------------
# port_in_use PORT: true when something listens on TCP PORT (any local address).
port_in_use() {
  local p="$1"
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Htln "sport = :$p" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
  fi
}

# free_port [EXCLUDE...]: prints a TCP port nobody listens on, picked at random in 20000-31999
# (so that two scripts running at once are unlikely to pick the same one, and below Linux's
# default ephemeral range 32768-60999, which outgoing connections draw from), skipping EXCLUDE.
free_port() {
  local p x skip
  for _ in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
    skip=0
    for x in "$@"; do [ "$x" = "$p" ] && skip=1; done
    [ "$skip" = 0 ] || continue
    if ! port_in_use "$p"; then
      echo "$p"
      return 0
    fi
  done
  die "could not find a free TCP port"
}

# ---- pid files -----------------------------------------------------------------------------
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# read_pidfile FILE: prints the pid recorded in FILE (empty when there is none).
read_pidfile() {
  [ -f "$1" ] || return 0
  local pid
  pid="$(head -n1 "$1" 2>/dev/null | tr -dc '0-9')"
  echo "$pid"
}

# pidfile_running FILE [MARKER]: true when FILE names a live process whose command line contains
# MARKER (guards against a stale pid file whose pid now belongs to someone else's process).
pidfile_running() {
  local file="$1" marker="${2:-}" pid
  pid="$(read_pidfile "$file")"
  pid_alive "$pid" || return 1
  if [ -n "$marker" ]; then
    # Not "... | grep -q": under pipefail, grep quitting early would fail the pipeline.
    local cmdlines
    cmdlines="$(_proc_tree_cmdlines "$pid")"
    [[ "$cmdlines" == *"$marker"* ]] || return 1
  fi
  return 0
}

# The command lines of PID and of its direct children (kc.sh runs java as a child).
_proc_tree_cmdlines() {
  local pid="$1" c
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null; echo
  # shellcheck disable=SC2013 # the children files hold space-separated pids
  for c in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
    tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null; echo
  done
}

# stop_pidfile FILE NAME [TIMEOUT] [MARKER]: stops the process recorded in FILE and its whole
# process group (the scripts start everything with setsid, so the pid is the group leader):
# SIGTERM, wait up to TIMEOUT seconds, then SIGKILL. Removes FILE. Harmless when nothing runs.
stop_pidfile() {
  local file="$1" name="$2" timeout="${3:-30}" marker="${4:-}" pid deadline
  pid="$(read_pidfile "$file")"
  if [ -z "$pid" ]; then
    rm -f "$file"
    return 0
  fi
  if ! pidfile_running "$file" "$marker"; then
    log "$name: not running (stale pid file $file, pid $pid)"
    rm -f "$file"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(now_s) + timeout ))
  while pid_alive "$pid" || _group_alive "$pid"; do
    if [ "$(now_s)" -ge "$deadline" ]; then
      warn "$name: still running after ${timeout}s, sending SIGKILL to process group $pid"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$file"
  log "$name: stopped"
}

# True while any process in process group PGID is alive.
_group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# start_bg PIDFILE LOGFILE CMD...: starts CMD in its own session (setsid, so it is a process group
# leader we can stop as a whole and it survives the calling shell), output to LOGFILE, no stdin.
# Writes the pid to PIDFILE and prints it.
start_bg() {
  local pidfile="$1" logfile="$2"; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  : >"$logfile"
  # 8>&- 9>&-: never hand the callers' lock file descriptors (keycloak.sh, test.sh) to a
  # long-lived child, or the lock would outlive the script.
  setsid nohup "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &
  local pid=$!
  echo "$pid" >"$pidfile"
  echo "$pid"
}

# ---- services ------------------------------------------------------------------------------
# start.sh runs each service from its own copy of <svc>/target/quarkus-app under the state dir, so
# a later build (deploy/local/test.sh, an IDE, ./mvnw package) never rewrites the jars of a
# running service. The copy's path also identifies our process (pid-file check).
svc_run_dir() { echo "$FOMO_STATE_DIR/services/$1/quarkus-app"; }
svc_run_jar() { echo "$(svc_run_dir "$1")/quarkus-run.jar"; }

# ---- Maven / Java --------------------------------------------------------------------------
mvnw() { (cd "$FOMO_ROOT" && ./mvnw "$@"); }

# ---- Keycloak distribution -----------------------------------------------------------------
# The first start-dev of a freshly unpacked Keycloak re-augments it for the dev profile (a build
# step of 45 s on an idle machine, minutes on a busy one). A copy of a dist that has already been
# built that way starts without it, so after the first successful start keycloak.sh keeps one
# under the user's cache (like ~/.m2 keeps the zip); new state dirs (a fresh clone, CI, the test
# instance) copy it instead of unzipping. Should the cached build not match, Keycloak simply
# rebuilds on start: the cache is an optimisation, never a source of behaviour.
KEYCLOAK_CACHE="${FOMO_KEYCLOAK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fomo/keycloak-$KEYCLOAK_VERSION-dev}"

# keycloak_dist STATE_DIR: makes sure the Keycloak distribution is unpacked in STATE_DIR and prints
# its home directory (STATE_DIR/keycloak-<version>). The zip comes from Maven Central through
# ./mvnw and is cached in the user's Maven repository (~/.m2), so it is downloaded once per machine.
keycloak_dist() {
  local state="$1" home
  home="$state/keycloak-$KEYCLOAK_VERSION"
  if [ -x "$home/bin/kc.sh" ]; then
    echo "$home"
    return 0
  fi
  mkdir -p "$state"
  rm -rf "$home" "$state/.unpack"
  mkdir -p "$state/.unpack"
  if [ -x "$KEYCLOAK_CACHE/bin/kc.sh" ] && cp -a "$KEYCLOAK_CACHE" "$state/.unpack/keycloak-$KEYCLOAK_VERSION" 2>/dev/null; then
    log "copied the prepared Keycloak $KEYCLOAK_VERSION from $KEYCLOAK_CACHE into $state"
  else
    rm -rf "$state/.unpack" && mkdir -p "$state/.unpack"
    local dl="$state/download"
    local zip="$dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
    if [ ! -s "$zip" ]; then
      log "fetching $KEYCLOAK_ARTIFACT with ./mvnw (from ~/.m2, or Maven Central the first time: ~177 MB)"
      mvnw -B -q -N "$MAVEN_DEPENDENCY_PLUGIN:copy" \
        -Dartifact="$KEYCLOAK_ARTIFACT" -DoutputDirectory="$dl" >&2 \
        || die "could not fetch $KEYCLOAK_ARTIFACT with ./mvnw (is Maven Central reachable?)"
    fi
    [ -s "$zip" ] || die "expected $zip after the download"
    log "unpacking Keycloak $KEYCLOAK_VERSION into $state"
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$zip" -d "$state/.unpack"
    elif command -v jar >/dev/null 2>&1; then
      (cd "$state/.unpack" && jar xf "$zip")
    elif command -v python3 >/dev/null 2>&1; then
      python3 -m zipfile -e "$zip" "$state/.unpack"
    else
      die "need unzip to unpack Keycloak: apt-get install -y unzip"
    fi
    rm -rf "$dl"
  fi
  mv "$state/.unpack/keycloak-$KEYCLOAK_VERSION" "$home"
  rm -rf "$state/.unpack"
  chmod +x "$home"/bin/*.sh
  echo "$home"
}

# keycloak_cache_store HOME: after a successful start, keeps a copy of HOME (built for start-dev,
# without its data/) as the cache described above, unless there is one. Never fails the caller.
keycloak_cache_store() {
  local home="$1" tmp
  [ -x "$KEYCLOAK_CACHE/bin/kc.sh" ] && return 0
  tmp="$KEYCLOAK_CACHE.tmp.$$"
  # A chain, not "set -e" in a subshell: errexit is off inside an if condition.
  if mkdir -p "$(dirname "$KEYCLOAK_CACHE")" && rm -rf "$tmp" && cp -a "$home" "$tmp" 2>/dev/null \
     && rm -rf "$tmp/data" && mv -T "$tmp" "$KEYCLOAK_CACHE" 2>/dev/null; then
    log "kept the prepared Keycloak in $KEYCLOAK_CACHE (later first starts skip the build step)"
  fi
  rm -rf "$tmp"
}
