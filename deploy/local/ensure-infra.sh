#!/usr/bin/env bash
# Makes sure the local infrastructure the FOMO suite needs is installed, running and set up:
#   - PostgreSQL (any installed major version) on 127.0.0.1:5432 with, per service short name
#     x in treasury rmo billing staking emission: role fomo_x (LOGIN, password fomo_x) and the
#     databases fomo_x and fomo_x_test owned by it;
#   - RabbitMQ on 127.0.0.1:5672 with user guest/guest and the vhost fomo (full permissions for guest,
#     the tests' harness and the operator's tool), and one user per service, fomo-x (password fomo-x-local),
#     on vhost fomo and on the tests' vhost /, with least rights (issue #17): configure/write/read only its
#     own queues and the events exchanges, and topic permissions so that it publishes only the event types
#     it produces and binds only the ones it consumes (the table of fomo-shared's EventProducers). On / also
#     fomo-shared (the shared module's own test app, event type CounterBumped);
#   - the tools the other scripts use (Java 17+, curl, unzip, ss).
# Missing Debian packages are installed with apt-get (apt-get update first, only when installing);
# stopped servers are started without systemd. Idempotent: running it again changes nothing.
# Where it cannot do something (not root, not Debian, ...) it says exactly what to run instead.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0="$(now_s)"
SHORTS=(treasury rmo billing staking emission)
PG_HOST=127.0.0.1
PG_PORT=5432
RABBIT_VHOST=fomo

# ---- privileges ----------------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  SUDO=(__no_root__)
fi
as_root() {
  if [ "${SUDO[0]:-}" = __no_root__ ]; then
    die "need root for: $*
  Run it yourself as root (or with sudo), then run $0 again."
  fi
  "${SUDO[@]}" "$@"
}

# ---- apt -----------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "packages missing: $*. This is not a Debian/Ubuntu machine:
  install them with your package manager (PostgreSQL 13+, RabbitMQ 3.9+, a JDK 17+, curl, unzip), start them, run $0 again."
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q >&2 \
      || die "apt-get update failed. Fix the apt sources (or the network), then: apt-get update && apt-get install -y $*"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@" >&2 \
    || die "apt-get install $* failed (see above). Install them by hand: apt-get install -y $*"
}

# ---- tools ---------------------------------------------------------------------------------
ensure_tools() {
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  command -v setsid >/dev/null 2>&1 && command -v flock >/dev/null 2>&1 || missing+=(util-linux)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  local v
  v="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  case "$v" in
    1.*|[0-9]|1[0-6]) die "Java $v found (java on PATH: $(command -v java)); the suite needs Java 17 or newer:
  apt-get install -y openjdk-17-jdk-headless, and put it first on PATH (or set JAVA_HOME)." ;;
  esac
}

# ---- PostgreSQL ----------------------------------------------------------------------------
pg_installed() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; }
pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }

# psql as a superuser: over TCP as postgres (works with trust auth), else through the local socket
# as the postgres OS user (peer auth, Debian's default). Prints the method that works.
PG_SUPER=()
find_pg_super() {
  if psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -Atqc 'select 1' >/dev/null 2>&1; then
    PG_SUPER=(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -w)
  elif [ "$(id -u)" = 0 ] && runuser -u postgres -- psql -p "$PG_PORT" -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    PG_SUPER=(runuser -u postgres -- psql -p "$PG_PORT")
  elif [ "${SUDO[0]:-}" = sudo ] && sudo -n -u postgres psql -p "$PG_PORT" -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    PG_SUPER=(sudo -n -u postgres psql -p "$PG_PORT")
  else
    die "cannot connect to PostgreSQL as superuser (tried: psql -h $PG_HOST -U postgres, and as the postgres OS user).
  Create the roles and databases yourself as a superuser, e.g. for each x in ${SHORTS[*]}:
    CREATE ROLE fomo_x LOGIN PASSWORD 'fomo_x';
    CREATE DATABASE fomo_x OWNER fomo_x; CREATE DATABASE fomo_x_test OWNER fomo_x;"
  fi
}
pg_super() { "${PG_SUPER[@]}" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
role_can_login() {
  PGPASSWORD="$1" psql -h "$PG_HOST" -p "$PG_PORT" -U "$1" -d "$1" -w -Atqc 'select 1' >/dev/null 2>&1
}

ensure_postgres() {
  if ! pg_installed; then
    apt_install postgresql postgresql-client
  fi
  command -v pg_isready >/dev/null 2>&1 || apt_install postgresql-client
  if ! pg_ready; then
    if command -v pg_lsclusters >/dev/null 2>&1; then
      if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
        local ver; ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)"
        log "PostgreSQL $ver has no cluster: creating $ver/main on port $PG_PORT"
        as_root pg_createcluster -p "$PG_PORT" "$ver" main >&2 \
          || die "could not create a cluster; run: pg_createcluster -p $PG_PORT $ver main --start"
      fi
      local ver name port status
      while read -r ver name port status _; do
        [ "$port" = "$PG_PORT" ] || continue
        if [ "$status" != online ]; then
          log "starting PostgreSQL cluster $ver/$name (port $port)"
          as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 \
            || die "could not start PostgreSQL $ver/$name; try: pg_ctlcluster --skip-systemctl-redirect $ver $name start
  and look at /var/log/postgresql/postgresql-$ver-$name.log"
        fi
      done < <(pg_lsclusters -h 2>/dev/null)
    else
      die "PostgreSQL does not answer on $PG_HOST:$PG_PORT and pg_ctlcluster is not available: start it yourself."
    fi
    local deadline=$(( $(now_s) + 60 ))
    until pg_ready; do
      [ "$(now_s)" -lt "$deadline" ] || die "PostgreSQL does not accept connections on $PG_HOST:$PG_PORT after 60 s.
  Check: pg_lsclusters; the cluster must listen on port $PG_PORT (listen_addresses includes localhost)."
      sleep 1
    done
  fi
  log "PostgreSQL accepts connections on $PG_HOST:$PG_PORT"

  find_pg_super
  # One look at what exists, then only the missing pieces (so a second run costs two queries).
  local roles dbs x role db
  roles="$(pg_super -c "SELECT rolname FROM pg_roles WHERE rolname LIKE 'fomo%'")"
  dbs="$(pg_super -c "SELECT datname || ' ' || pg_get_userbyid(datdba) FROM pg_database WHERE datname LIKE 'fomo%'")"
  for x in "${SHORTS[@]}"; do
    role="fomo_$x"
    if ! grep -qx "$role" <<<"$roles"; then
      log "creating role $role"
      pg_super -c "CREATE ROLE $role LOGIN PASSWORD '$role'"
    fi
    for db in "fomo_$x" "fomo_${x}_test"; do
      if ! grep -q "^$db " <<<"$dbs"; then
        log "creating database $db (owner $role)"
        pg_super -c "CREATE DATABASE $db OWNER $role"
      elif ! grep -qx "$db $role" <<<"$dbs"; then
        log "database $db: setting owner to $role"
        pg_super -c "ALTER DATABASE $db OWNER TO $role"
      fi
    done
  done
  # The services log in over TCP with a password: prove that works. A role that exists with
  # another password or without LOGIN is repaired once; pg_hba.conf may still forbid it.
  for x in "${SHORTS[@]}"; do
    role="fomo_$x"
    if ! role_can_login "$role"; then
      log "role $role cannot log in with its password: setting LOGIN PASSWORD '$role'"
      pg_super -c "ALTER ROLE $role LOGIN PASSWORD '$role'"
      role_can_login "$role" || die "role $role cannot log in to database $role over TCP with its password.
  Allow it in pg_hba.conf (e.g. 'host all all 127.0.0.1/32 scram-sha-256'), reload PostgreSQL
  (pg_ctlcluster --skip-systemctl-redirect <version> main reload), then run $0 again."
    fi
  done
  log "PostgreSQL: roles fomo_<x> and databases fomo_<x>, fomo_<x>_test ready for x in: ${SHORTS[*]}"
}

# ---- RabbitMQ ------------------------------------------------------------------------------
rmqctl() { as_root rabbitmqctl "$@"; }
# await_startup fails at once when no node runs, and waits while one boots.
rabbit_up() { rmqctl -q await_startup -t "${1:-10}" >/dev/null 2>&1; }

ensure_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null 2>&1 || ! command -v rabbitmqctl >/dev/null 2>&1; then
    apt_install rabbitmq-server
  fi
  if ! rabbit_up 60; then
    log "starting RabbitMQ (rabbitmq-server -detached)"
    as_root rabbitmq-server -detached >&2 || true
    local deadline=$(( $(now_s) + 120 ))
    until rabbit_up 10; do
      [ "$(now_s)" -lt "$deadline" ] || die "RabbitMQ did not start within 120 s of 'rabbitmq-server -detached'.
  Look at /var/log/rabbitmq/ (startup_err, rabbit@<host>.log); start it yourself (rabbitmq-server -detached), then run $0 again."
      sleep 2
    done
  fi
  local deadline=$(( $(now_s) + 30 ))
  until port_in_use 5672; do
    [ "$(now_s)" -lt "$deadline" ] || die "RabbitMQ runs but nothing listens on port 5672; check its listeners (rabbitmq-diagnostics listeners)"
    sleep 1
  done
  log "RabbitMQ is up on 127.0.0.1:5672"

  # guest's permissions tell in one call whether guest and the vhost exist and are set up.
  local perms
  perms="$(rmqctl -q list_user_permissions guest --no-table-headers 2>/dev/null || true)"
  if printf '%s\n' "$perms" | grep -qxE "${RABBIT_VHOST}[[:space:]]+\.\*[[:space:]]+\.\*[[:space:]]+\.\*"; then
    log "RabbitMQ: vhost $RABBIT_VHOST with full permissions for guest is ready"
    return 0
  fi
  local users vhosts
  users="$(rmqctl -q list_users --no-table-headers | awk '{print $1}')"
  if ! grep -qx guest <<<"$users"; then
    log "RabbitMQ: creating user guest (password guest; RabbitMQ only lets it in from localhost)"
    rmqctl -q add_user guest guest >/dev/null
    rmqctl -q set_permissions -p / guest '.*' '.*' '.*' >/dev/null
  fi
  vhosts="$(rmqctl -q list_vhosts --no-table-headers)"
  if ! grep -qx "$RABBIT_VHOST" <<<"$vhosts"; then
    log "RabbitMQ: creating vhost $RABBIT_VHOST"
    rmqctl -q add_vhost "$RABBIT_VHOST" >/dev/null
  fi
  rmqctl -q set_permissions -p "$RABBIT_VHOST" guest '.*' '.*' '.*' >/dev/null
  log "RabbitMQ: vhost $RABBIT_VHOST with full permissions for guest is ready"
}

# ---- RabbitMQ: one user per service, least rights (issue #17) --------------------------------------
# Who publishes and who consumes which event type: the same table as fomo-shared's
# io.fomo.shared.events.EventProducers (producers) and each service's mp.messaging.incoming.*.routing-keys.
# Fields: short name, module (its queues are <module>.<Type> on vhost fomo), queue prefixes of its tests on
# vhost / (regex, |-separated), event types it publishes, event types it consumes.
RABBIT_SERVICES=(
  "treasury treasury-service treasury-test-|treasury-service-test- - DeploymentLive|WindowSettled|CreditsToppedUp|CreditsRefunded"
  "rmo rmo-service rmo-service-test- DeploymentLive|DeploymentStatusChanged|PricesChanged DeploymentWoundDown"
  "billing inference-billing inference-billing-test- WindowSettled|EpochClosed|CreditsToppedUp|CreditsRefunded|DeploymentWoundDown DeploymentLive|StakeChanged|DeploymentStatusChanged|PricesChanged"
  "staking staking-service staking-service-test- StakeChanged DeploymentLive|EmissionAllocated|DeploymentStatusChanged"
  "emission emission-service emission-service-test- EmissionAllocated DeploymentLive|EpochClosed|DeploymentStatusChanged"
)
# fomo-shared's own @QuarkusTest app (fomo.service=shared): only on the tests' vhost.
RABBIT_TEST_ONLY="shared fomo-shared fomo-shared-test- CounterBumped CounterBumped"
# The tests' vhost and their exchanges: fomo.events.test.<module> (fomo-testkit ServiceProcess.testExchange) and the
# system tests' fomo.events.test.system. Topic permissions name an exchange exactly, so each gets its own.
RABBIT_TEST_VHOST=/
RABBIT_TEST_EXCHANGES=(fomo.events.test.shared fomo.events.test.treasury fomo.events.test.rmo fomo.events.test.billing
  fomo.events.test.staking fomo.events.test.emission fomo.events.test.system)
RABBIT_EXCHANGE=fomo.events

# "-" (none) -> ^$ (matches no routing key); "A|B" -> ^(A|B)$
topic_regex() { if [ "$1" = - ]; then printf '^$'; else printf '^(%s)$' "$1"; fi; }

ensure_rabbit_users() {
  local users want_perms want_topics have_perms have_topics entry
  local short module tprefix pub con user pass vhost q ex line
  users="$(rmqctl -q list_users --no-table-headers | awk '{print $1}')"
  want_perms=""
  want_topics=""
  for entry in "${RABBIT_SERVICES[@]}" "$RABBIT_TEST_ONLY"; do
    read -r short module tprefix pub con <<<"$entry"
    user="fomo-$short"
    pass="fomo-$short-local"
    if ! grep -qx -- "$user" <<<"$users"; then
      log "RabbitMQ: creating user $user (password $pass)"
      rmqctl -q add_user "$user" "$pass" >/dev/null
    elif ! rmqctl -q authenticate_user "$user" "$pass" >/dev/null 2>&1; then
      log "RabbitMQ: user $user cannot log in with its local password: setting it to $pass"
      rmqctl -q change_password "$user" "$pass" >/dev/null
    fi
    # The events exchange (declared by every service at start: configure; published to: write; bound from: read),
    # the dead-letter exchange DLX (declared; a queue with x-dead-letter-exchange needs write on it) and its own
    # queues <module>.<Type> and their <queue>.dlq. Nothing else: another service's queue can be neither read nor
    # declared nor bound.
    if [ "$short" != shared ]; then
      q="^(fomo\\.events|DLX|${module//./\\.}\\..*)\$"
      want_perms+="$RABBIT_VHOST"$'\t'"$user"$'\t'"$q"$'\n'
      want_topics+="$RABBIT_VHOST"$'\t'"$user"$'\t'"$RABBIT_EXCHANGE"$'\t'"$(topic_regex "$pub")"$'\t'"$(topic_regex "$con")"$'\n'
    fi
    # The tests: their exchanges fomo.events.test.*, exclusive queues <prefix><uuid>, the system tests' durable
    # queues system-<run>.<short>.<channel> (and .dlq).
    q="^(fomo\\.events\\.test\\..*|DLX|(${tprefix}).*|system-[^.]+\\.${short}\\..*)\$"
    want_perms+="$RABBIT_TEST_VHOST"$'\t'"$user"$'\t'"$q"$'\n'
    for ex in "${RABBIT_TEST_EXCHANGES[@]}"; do
      want_topics+="$RABBIT_TEST_VHOST"$'\t'"$user"$'\t'"$ex"$'\t'"$(topic_regex "$pub")"$'\t'"$(topic_regex "$con")"$'\n'
    done
  done
  have_perms=""
  have_topics=""
  for vhost in "$RABBIT_VHOST" "$RABBIT_TEST_VHOST"; do
    have_perms+="$(rmqctl -q list_permissions -p "$vhost" --no-table-headers | awk -F'\t' -v v="$vhost" \
      '$2 == $3 && $3 == $4 { print v "\t" $1 "\t" $2 }')"$'\n'
    have_topics+="$(rmqctl -q list_topic_permissions -p "$vhost" --no-table-headers | awk -F'\t' -v v="$vhost" \
      '{ print v "\t" $0 }')"$'\n'
  done
  local changed=0
  while IFS=$'\t' read -r vhost user q; do
    [ -n "$user" ] || continue
    grep -qxF -- "$vhost"$'\t'"$user"$'\t'"$q" <<<"$have_perms" && continue
    rmqctl -q set_permissions -p "$vhost" "$user" "$q" "$q" "$q" >/dev/null </dev/null
    changed=$((changed + 1))
  done <<<"$want_perms"
  while IFS=$'\t' read -r vhost user ex w r; do
    [ -n "$user" ] || continue
    grep -qxF -- "$vhost"$'\t'"$user"$'\t'"$ex"$'\t'"$w"$'\t'"$r" <<<"$have_topics" && continue
    rmqctl -q set_topic_permissions -p "$vhost" "$user" "$ex" "$w" "$r" >/dev/null </dev/null
    changed=$((changed + 1))
  done <<<"$want_topics"
  log "RabbitMQ: service users fomo-<x> with least rights ready on vhosts $RABBIT_VHOST and $RABBIT_TEST_VHOST ($changed permissions set)"
}

# Queues that a build from before dead-lettering (2026-11-25) declared in the suite's vhost lack the
# x-dead-letter-exchange argument, and RabbitMQ refuses to declare them again with it (PRECONDITION_FAILED), so the
# services would not start: delete such a consumer queue once when it is empty (its service declares it again, with
# its dead-letter queue); a non-empty one is only reported, for an operator to drain first.
migrate_queues() {
  local name messages args
  while IFS=$'\t' read -r name messages args; do
    case "$name" in *.dlq|'') continue ;; esac
    case "$name" in *-service.*|inference-billing.*) ;; *) continue ;; esac
    case "$args" in *x-dead-letter-exchange*) continue ;; esac
    if [ "$messages" = 0 ]; then
      rmqctl -q delete_queue -p "$RABBIT_VHOST" "$name" >/dev/null </dev/null && log "RabbitMQ: deleted the empty queue $name of an older build (declared again with its dead-letter queue)"
    else
      log "RabbitMQ: WARNING: queue $name (vhost $RABBIT_VHOST) has no dead-letter exchange and $messages messages: drain it, then delete it"
    fi
  done < <(rmqctl -q list_queues -p "$RABBIT_VHOST" --no-table-headers name messages arguments 2>/dev/null || true)
}

ensure_tools
ensure_postgres
ensure_rabbitmq
ensure_rabbit_users
migrate_queues
log "infrastructure ready in $(fmt_duration $(( $(now_s) - T0 )))"
