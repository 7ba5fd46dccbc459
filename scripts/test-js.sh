#!/usr/bin/env bash
# The JavaScript: @tasklane/realtime and @tasklane/react (clients/js/), the React example
# (examples/react-board) and the unit tests of the pages' own scripts (tests/js/). The
# dependencies are pinned by package-lock.json at the root (npm workspaces) and installed
# into node_modules/ here. Runs the packages' strict type checks (which also write the
# declarations they ship), the example's type check, and every unit test with Node's own
# test runner (fake timers and transports; real React in jsdom, 19 and then 18).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test-js: Node.js (20.19 or newer, with npm) is needed for the JavaScript packages' tests" \
    "and type checks, and was not found on PATH. Install it (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
# The packages and the pages' scripts are ES modules; Node reads .js files without a
# package.json saying so as such from 20.19 (and 22.12) on.
if ! node -e 'import("./src/tasklane/web/static/js/project/store.js").catch(() => process.exit(1))' 2>/dev/null; then
  echo "test-js: this Node.js ($(node --version)) cannot import the static ES modules; 20.19 or newer is needed." >&2
  exit 1
fi

scripts/install-js.sh

echo "test-js: type checks (the packages' JSDoc, strict, making the declarations they ship"
echo "         into types/; then code using both packages, against those declarations)"
npm run --silent check --workspace @tasklane/react
echo "test-js: type check of the example (examples/react-board)"
node_modules/.bin/tsc --project examples/react-board/tsconfig.json --noEmit
echo "test-js: unit tests (node --test)"
node --test --test-reporter=spec clients/js/realtime/test/*.test.mjs clients/js/react/test/*.test.mjs tests/js/*.test.mjs
echo "test-js: @tasklane/react's tests again, on React 18"
node --import ./clients/js/react/test/react18.mjs --test --test-reporter=dot clients/js/react/test/*.test.mjs
