#!/usr/bin/env bash
# Create, or reuse from the cache, the venv for one ROS distro and link it into the repo.
#
# The venv lives outside the clone in $POSE_ROS_CACHE (default ~/.cache/pose_ros), keyed by a
# hash of the pins and of this script, so a second clone or CI run reuses it instead of
# reinstalling ~6 GB. Usage: tools/setup_venv.sh <distro> <link>, e.g. jazzy .venv
set -euo pipefail
cd "$(dirname "$0")/.."

distro=${1:-jazzy}
link=${2:-.venv}
python=${PYTHON:-python3.11}
cache=${POSE_ROS_CACHE:-$HOME/.cache/pose_ros}
pins="requirements.txt requirements-$distro.txt requirements-dev.txt"
for file in $pins; do
  [ -f "$file" ] || { echo "setup_venv: no $file: unknown distro '$distro' (try DISTRO=jazzy or DISTRO=kilted)" >&2; exit 2; }
done
command -v "$python" >/dev/null || { echo "setup_venv: $python not found; install Python 3.11 or set PYTHON=" >&2; exit 2; }

key=$( (cat $pins tools/setup_venv.sh tools/fix_ros_wheel_prefix.py; "$python" --version) | sha256sum | cut -c1-16)
venv=$cache/venv-$distro-$key

quiet_pip() {
  # Hide pip's notes about this machine's empty local index folders; keep real errors.
  "$venv/bin/python" -m pip "$@" 2>&1 | { grep -v -e 'is ignored: it is neither a file nor a directory' || true; }
  return "${PIPESTATUS[0]}"
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9  # one installer at a time: parallel `make` runs and CI share the cache

if [ ! -f "$venv/.pose_ros_complete" ]; then
  echo "setup_venv: creating $venv (first time for these pins; a few minutes)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  quiet_pip install -q -r requirements.txt -r "requirements-$distro.txt" -r requirements-dev.txt
  "$venv/bin/python" tools/fix_ros_wheel_prefix.py
  touch "$venv/COLCON_IGNORE"  # colcon must not crawl the ROS wheels' package.xml files
  touch "$venv/.pose_ros_complete"
else
  echo "setup_venv: reusing $venv"
fi
ln -sfn "$venv" "$link"
touch "$venv"
# Drop this distro's venvs for other pins once unused for a week (~6 GB each).
find "$cache" -maxdepth 1 -name "venv-$distro-*" ! -path "$venv" -mtime +7 -exec rm -rf {} +
