#!/usr/bin/env bash
# Debian's chromium for the browser journeys (shegong/e2e_tests) and `make e2e`; Playwright's
# own browser download is not used (the CJK font comes with `make install`'s system packages).
# Idempotent: installs only what dpkg does not already have.
set -euo pipefail
missing=()
for pkg in chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} (apt-get)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
