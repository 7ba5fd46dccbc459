#!/usr/bin/env bash
# The browser's scripts: the type check of the realtime client's modules (TypeScript,
# pinned in tests/js/package-lock.json, installed into tests/js/node_modules) and the unit
# tests in tests/js/ (Node's own test runner, fake timers and transports, no browser).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test-js: Node.js (20.19 or newer, with npm) is needed for the browser's unit tests" \
    "and type check, and was not found on PATH. Install it (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
# The static scripts are ES modules in .js files with no package.json around them: Node
# reads them as such from 20.19 (and 22.12) on.
if ! node -e 'import("./src/tasklane/web/static/js/realtime/constants.js").catch(() => process.exit(1))' 2>/dev/null; then
  echo "test-js: this Node.js ($(node --version)) cannot import the static ES modules; 20.19 or newer is needed." >&2
  exit 1
fi

lock=tests/js/package-lock.json
installed=tests/js/node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi

echo "test-js: type check (tsc --noEmit --allowJs --checkJs, tests/js/tsconfig.json)"
tests/js/node_modules/.bin/tsc --project tests/js/tsconfig.json --noEmit --allowJs --checkJs
echo "test-js: unit tests (node --test tests/js/)"
node --test --test-reporter=spec tests/js/*.test.mjs
