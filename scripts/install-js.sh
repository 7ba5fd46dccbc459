#!/usr/bin/env bash
# Installs the JavaScript dependencies, as package-lock.json pins them, into node_modules/
# (npm workspaces: the packages, the example and the tests share one install); again only
# when the lock has changed since.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
