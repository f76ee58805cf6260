#!/usr/bin/env bash
# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
# The bench-only venv of bench/tracking_eval.py: it sees every package of the main venv
# (a .pth file) and adds bench/requirements-bench.txt on top, so boxmot's opencv-python < 5
# and pandas < 3 never touch the runtime pins. Usage: tools/setup_bench_venv.sh MAIN BENCH
set -euo pipefail
main=${1:-.venv}
bench=${2:-.venv-bench}
here=$(cd "$(dirname "$0")/.." && pwd)
requirements="$here/bench/requirements-bench.txt"
stamp="$bench/.requirements.sha256"
digest=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi
main_site=$("$main/bin/python" -c 'import site; print(site.getsitepackages()[0])')
python=$(readlink -f "$main/bin/python")
rm -rf "$bench"
"$python" -m venv "$bench"
bench_site=$("$bench/bin/python" -c 'import site; print(site.getsitepackages()[0])')
echo "$main_site" > "$bench_site/_pose_ros_main_venv.pth"
"$bench/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
echo "$digest" > "$stamp"
echo "bench venv ready: $bench (on top of $main)"
