#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the tests (installing it from Debian's packages if
# missing) and prints the admin URL. initdb refuses root, so the cluster runs as `postgres`.
#   export ANJIAN_TEST_DATABASE_URL=$(scripts/start-postgres.sh)
set -euo pipefail
port="${PGPORT_TEST:-55432}"
dir="${PGDATA_TEST:-/tmp/anjian-pg}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    if [ ! -f "$dir/PG_VERSION" ]; then
        mkdir -p "$dir"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
        run "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >&2
    fi
    run "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" -w start >&2
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
