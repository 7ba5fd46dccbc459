#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser tests (Playwright drives it with
# executable_path=/usr/bin/chromium; Playwright's own browser download is not used).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "test-browser: installing Chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
