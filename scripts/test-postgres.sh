#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for the test suite and prints its admin URL.
#   1. the one at $TASKLANE_TEST_POSTGRES (default: postgres@127.0.0.1:5432), if it answers;
#   2. else the machine's own cluster, started with pg_ctlcluster;
#   3. else a throwaway cluster of our own under .cache/postgres (installing PostgreSQL
#      from Debian's packages first if it is missing), trust auth, port 54329.
# Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail
url="${TASKLANE_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/postgres}"
say() { echo "test-postgres: $*" >&2; }

answers() {  # answers URL: can we log in and run a query?
  psql "$1" -qtAc 'SELECT 1' >/dev/null 2>&1
}

if ! command -v psql >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi

if answers "$url"; then echo "$url"; exit 0; fi

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting the machine's PostgreSQL $version cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || true
  for _ in $(seq 1 30); do answers "$url" && { echo "$url"; exit 0; }; sleep 1; done
fi

own="postgresql://postgres@127.0.0.1:54329/postgres"
if answers "$own"; then echo "$own"; exit 0; fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir="$(pwd)/.cache/postgres"
say "starting a throwaway cluster in $dir"
rm -rf "$dir" && mkdir -p "$dir"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; as_pg=(runuser -u postgres --); fi
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p 54329 -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
answers "$own" || { say "PostgreSQL did not come up; see $dir/log"; exit 1; }
echo "$own"
