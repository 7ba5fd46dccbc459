#!/usr/bin/env bash
# Makes a Redis server reachable for the test suite and prints its URL.
#   1. the one at $TASKLANE_TEST_REDIS (default: redis://127.0.0.1:6379/0), if it answers;
#   2. else the machine's own redis-server service, started;
#   3. else a throwaway server of our own under .cache/redis, port 63790.
# redis-server is installed from Debian's packages first when missing: the multi-process
# tests (tests/scale) also start throwaway servers of their own, to restart under load.
# Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail
url="${TASKLANE_TEST_REDIS:-redis://127.0.0.1:6379/0}"
say() { echo "test-redis: $*" >&2; }

answers() {  # answers URL: does it say PONG?
  [ "$(redis-cli -u "$1" ping 2>/dev/null)" = "PONG" ]
}

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  say "installing Redis from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq redis-server >&2
fi

if answers "$url"; then echo "$url"; exit 0; fi

if [ -x /etc/init.d/redis-server ]; then
  say "starting the machine's redis-server"
  /etc/init.d/redis-server start >&2 2>&1 || true
  for _ in $(seq 1 20); do answers "$url" && { echo "$url"; exit 0; }; sleep 0.5; done
fi

own="redis://127.0.0.1:63790/0"
if answers "$own"; then echo "$own"; exit 0; fi
dir="$(pwd)/.cache/redis"
say "starting a throwaway server in $dir"
mkdir -p "$dir"
redis-server --port 63790 --bind 127.0.0.1 --daemonize yes --dir "$dir" \
  --logfile "$dir/log" --pidfile "$dir/pid" --save "" --appendonly no >&2
for _ in $(seq 1 20); do answers "$own" && { echo "$own"; exit 0; }; sleep 0.5; done
say "Redis did not come up; see $dir/log"
exit 1
