# Starts a throwaway PostgreSQL server for the test suite; source it, then call pg_start.
# Exports TEST_DATABASE_URL (an admin URL; each test app creates its own database there).
# pg_stop stops it and, unless PG_DATA names a folder of yours, deletes its data folder, so
# the databases that test runs create do not pile up between runs.

PG_PORT=${PG_PORT:-54329}
if [ -z "${PG_DATA:-}" ]; then
  PG_DATA=${TMPDIR:-/tmp}/projitt-meet-pg-$PG_PORT
  PG_DATA_THROWAWAY=1
fi

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; return 1; }
  echo "$dir"
}

# PostgreSQL refuses to run as root; run it as the postgres account then.
pg_run() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  local bin; bin=$(pg_bin) || return 1
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    rm -rf "$PG_DATA"; mkdir -p "$PG_DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DATA"
    pg_run "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! pg_run "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    pg_run "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  fi
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL running on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  local bin; bin=$(pg_bin) || return 0
  pg_run "$bin/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
  if [ -n "${PG_DATA_THROWAWAY:-}" ]; then rm -rf "$PG_DATA"; fi
}
