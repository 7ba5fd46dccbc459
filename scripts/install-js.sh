#!/usr/bin/env bash
# Installs the JavaScript dependencies, as package-lock.json pins them, into node_modules/
# (npm workspaces: the packages, the example and the tests share one install), and React 18
# for a second run of @tasklane/react's tests (clients/js/react/test/react18/); each again
# only when its lock has changed since.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
react18=clients/js/react/test/react18
if [ ! -f $react18/node_modules/.package-lock.json ] || [ $react18/package-lock.json -nt $react18/node_modules/.package-lock.json ]; then
  npm ci --prefix $react18 --no-audit --no-fund --loglevel=error
fi
