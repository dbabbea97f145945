#!/bin/sh
# Entrypoint of localhost/fomo-postgres (deploy/podman/base-images.sh): a PostgreSQL 15 server the way a
# CloudNativePG Cluster with `bootstrap.initdb {database, owner}` gives one: database POSTGRES_DB owned by
# POSTGRES_USER with password POSTGRES_PASSWORD (from the Secret <cluster>-app), password (scram) logins over TCP.
# The cluster is made on the first start in PGDATA (the pod's volume) and reused after a restart.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_DB:?}" "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}"
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
as_pg() { runuser -u postgres -- "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  # psql variables keep the password out of the command line and quote it right.
  as_pg psql -v ON_ERROR_STOP=1 -q -d postgres -v user="$POSTGRES_USER" -v pw="$POSTGRES_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"user";
SQL
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  echo "fomo-postgres: created database $POSTGRES_DB owned by $POSTGRES_USER"
fi
exec runuser -u postgres -- "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*' \
  -c shared_buffers="${POSTGRES_SHARED_BUFFERS:-32MB}" -c max_connections="${POSTGRES_MAX_CONNECTIONS:-100}"
