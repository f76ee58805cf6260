#!/usr/bin/env bash
# The Debian packages the test suite needs: installed when missing (as root, with apt-get),
# or else a stop at once with the one command to run. Called by `make test` before any test.
#   chromium: the viewer test drives /usr/bin/chromium headless (test_viewer.py)
#   iproute2: `ip netns` for the several-machines test (test_netns.py)
set -euo pipefail
chromium=${POSE_ROS_CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$chromium" ] || missing+=(chromium)
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "make test: installing ${missing[*]} with apt-get (needed by the browser and netns tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "make test needs ${missing[*]}. Run:  sudo apt-get install -y ${missing[*]}" >&2
exit 1
