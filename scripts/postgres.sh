#!/usr/bin/env bash
# PostgreSQL 15 from Debian's package, for the plugin's store tests: one throw-away cluster on
# 127.0.0.1 with trust authentication (local test use only), its data under $FAWKES_DATA_DIR.
#
# usage: scripts/postgres.sh start|stop|status|env
#   start   initialises the cluster when needed, starts it, waits until it accepts connections,
#           and prints the export line of the connection string the Backstage TestDatabases read
#   stop    stops it (fast shutdown)
#   status  exits 0 when it accepts connections, 3 otherwise
#   env     prints `export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=...`;
#           use it as: eval "$(scripts/postgres.sh env)"
#
# Environment (defaults in brackets):
#   FAWKES_DATA_DIR   data folder; the cluster lives in $FAWKES_DATA_DIR/postgres  [<repo>/.data]
#   POSTGRES_PORT     port on 127.0.0.1                                             [15432]
#   POSTGRES_BIN      PostgreSQL's binaries                       [/usr/lib/postgresql/15/bin]
#
# PostgreSQL refuses to run as root: when run as root, the server runs as the `postgres` user
# (runuser), which then owns the cluster's folder; otherwise it runs as the calling user.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${FAWKES_DATA_DIR:-$root/.data}"
port="${POSTGRES_PORT:-15432}"
bin="${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
cluster="$data_dir/postgres"
log="$data_dir/postgres.log"
connection_string="postgresql://postgres@127.0.0.1:$port"
env_name=BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING

die() {
  printf 'postgres: error: %s\n' "$*" >&2
  exit 1
}

# Runs a PostgreSQL binary as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

accepting() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -t 2; }

cmd_env() { printf 'export %s=%s\n' "$env_name" "$connection_string"; }

cmd_start() {
  [ -x "$bin/pg_ctl" ] ||
    die "$bin/pg_ctl not found: install Debian's PostgreSQL 15 (apt-get install -y postgresql) or set POSTGRES_BIN"
  mkdir -p "$data_dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "the 'postgres' user is missing (Debian's postgresql package creates it)"
    mkdir -p "$cluster"
    chown postgres: "$cluster"
    touch "$log"
    chown postgres: "$log"
  fi
  if [ ! -f "$cluster/PG_VERSION" ]; then
    echo "postgres: initialising a cluster in $cluster"
    as_owner "$bin/initdb" -D "$cluster" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >>"$log" 2>&1 || {
      tail -n 20 "$log" >&2
      die "initdb failed (log: $log)"
    }
  fi
  if as_owner "$bin/pg_ctl" -D "$cluster" status >/dev/null 2>&1; then
    echo "postgres: already running (127.0.0.1:$port, data $cluster)"
  else
    if accepting; then
      die "127.0.0.1:$port already answers, but not from the cluster in $cluster; stop it or set POSTGRES_PORT"
    fi
    # The socket goes into the cluster's own folder: /var/run/postgresql may not exist or be
    # writable, and tests connect over TCP anyway. max_connections covers the test pools
    # (TestDatabases opens a pool per logical database).
    as_owner "$bin/pg_ctl" -D "$cluster" -l "$log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c max_connections=200 -c fsync=off" \
      >/dev/null || {
      tail -n 20 "$log" >&2
      die "PostgreSQL did not start (log: $log)"
    }
  fi
  local deadline=$((SECONDS + 30))
  until accepting; do
    [ "$SECONDS" -lt "$deadline" ] || die "PostgreSQL does not accept connections on 127.0.0.1:$port (log: $log)"
    sleep 0.2
  done
  echo "postgres: up on 127.0.0.1:$port (data $cluster)"
  cmd_env
}

cmd_stop() {
  if [ ! -f "$cluster/PG_VERSION" ] || ! as_owner "$bin/pg_ctl" -D "$cluster" status >/dev/null 2>&1; then
    echo "postgres: not running"
    return 0
  fi
  as_owner "$bin/pg_ctl" -D "$cluster" -m fast -w -t 60 stop >/dev/null
  echo "postgres: stopped"
}

cmd_status() {
  if accepting; then
    echo "postgres: up on 127.0.0.1:$port (data $cluster)"
  else
    echo "postgres: down"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
