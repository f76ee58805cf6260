#!/usr/bin/env bash
# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
#
# Every GPU figure of docs/BENCHMARKS.md in one run, in under 8 minutes, into one results file:
#   1. the CUDA tests (pose_ros/test/test_gpu.py: PyTorch FP16, TensorRT engine, ONNX Runtime
#      on CUDA, pose_node on the GPU);
#   2. the TensorRT engine, made by `make export` (tools/export_model.py --formats engine);
#   3. inference ms per backend at pose_node's input (bench/backends.py --device cuda:0):
#      PyTorch FP16, the engine, ONNX Runtime with the CUDA provider when it is installed;
#   4. end-to-end FPS unthrottled (bench/latency.py), 5. the overhead ratio
#      (bench/overhead_ratio.py), 6. memory flatness (bench/memory.py), all on cuda:0.
#
# Usage: bench/gpu.sh [--dry-run] [--out FILE]
#   --dry-run  runs the same steps on the CPU with tiny sizes, to check the script anywhere.
#   --out      results file (default bench/out/gpu_results.md; a log beside it).
#
# Environment: the project's venv when `make setup` has run (.venv and install/); otherwise the
# machine's python3, plus wheels in .whl/ when present (installed into /tmp/pose_ros_site, no
# network), and the source tree on PYTHONPATH. A step whose needs are missing (ROS 2, tensorrt,
# onnxruntime-gpu) is recorded as "not run" with the reason; nothing fails silently. vtest.avi
# is taken from ../shared/data/, else from .gpu_media/vtest.avi (for machines that get the
# repository alone).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
repo=$PWD

dry=0
out=bench/out/gpu_results.md
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --out) out=$2; shift ;;
    *) echo "usage: bench/gpu.sh [--dry-run] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$(dirname "$out")"
log=${out%.*}.log
: >"$out"
: >"$log"
started=$(date +%s)
export PYTHONUNBUFFERED=1 YOLO_OFFLINE=1 YOLO_AUTOINSTALL=false
export ROS_AUTOMATIC_DISCOVERY_RANGE=${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}

say() { echo "$*" | tee -a "$out"; }

# -- environment ---------------------------------------------------------------------------
ros=0
if [ -f .venv/bin/activate ] && [ -f install/setup.bash ]; then
  set +u  # the activate and setup scripts read unset variables
  # shellcheck disable=SC1091
  source .venv/bin/activate && source install/setup.bash && ros=1
  set -u
  python=python
else
  python=python3
  if ls .whl/*.whl >/dev/null 2>&1; then
    "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/pose_ros_site .whl/*.whl >>"$log" 2>&1 \
      || { say "installing .whl/ failed: see $log"; exit 1; }
    export PYTHONPATH=/tmp/pose_ros_site:${PYTHONPATH:-}
  fi
  export PYTHONPATH=$repo/pose_ros:${PYTHONPATH:-}
  # ROS 2 counts when pose_ros is installed in a sourced prefix (a ROS install with colcon)
  "$python" -c 'import rclpy; from ament_index_python.packages import get_package_prefix as p; p("pose_ros")' \
    2>/dev/null && ros=1
fi
if [ ! -f ../shared/data/vtest.avi ] && [ -f .gpu_media/vtest.avi ]; then
  mkdir -p ../shared/data && ln -sf "$repo/.gpu_media/vtest.avi" ../shared/data/vtest.avi
fi

device=cuda:0
if [ "$dry" = 1 ]; then
  device=cpu
elif ! "$python" -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' 2>>"$log"; then
  say "no CUDA GPU visible to torch: nothing measured (bench/gpu.sh --dry-run checks the script)"
  exit 1
fi
has() { "$python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$1') is None)"; }
cuda_ort=0
"$python" -c 'import onnxruntime, sys; sys.exit("CUDAExecutionProvider" not in onnxruntime.get_available_providers())' \
  2>/dev/null && cuda_ort=1

say "# GPU figures: bench/gpu.sh$([ "$dry" = 1 ] && echo ' --dry-run (CPU, tiny sizes: checks the script, measures nothing)')"
say ""
say "- date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
say "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo none)"
say "- $("$python" - 2>>"$log" <<'EOF'
import importlib, platform
parts = [f'Python {platform.python_version()}']
for name in ('torch', 'ultralytics', 'onnxruntime', 'tensorrt', 'openvino', 'rclpy'):
    try:
        module = importlib.import_module(name)
        parts.append(f'{name} {getattr(module, "__version__", "present")}')
    except Exception:
        parts.append(f'{name} absent')
import torch
parts.append(f'CUDA build {torch.version.cuda}')
print(', '.join(parts))
EOF
)"
say "- environment: $([ -f .venv/bin/activate ] && echo 'project venv' || echo 'machine python3'), ROS 2 $([ "$ros" = 1 ] && echo present || echo absent), ONNX Runtime CUDA provider $([ "$cuda_ort" = 1 ] && echo present || echo absent)"
say ""

# step TITLE SECONDS COMMAND...: run with a time limit, keep its output, record the outcome.
step() {
  local title=$1 limit=$(($2 * limit_scale))
  shift 2
  local begin status
  begin=$(date +%s)
  say "## $title"
  say ""
  say '```'
  timeout --signal=INT --kill-after=10 "$limit" "$@" 2>>"$log" | tee -a "$log" \
    | grep -v -e '^\s*$' -e 'Warning' -e 'warnings.warn' >>"$out"
  status=${PIPESTATUS[0]}
  say '```'
  if [ "$status" = 124 ]; then
    say "(stopped at its ${limit} s limit)"
  elif [ "$status" != 0 ]; then
    say "(exit $status; the log $log has the details)"
  fi
  say "($(($(date +%s) - begin)) s)"
  say ""
}
not_run() { say "## $1"; say ""; say "not run: $2"; say ""; }

# Sizes and limits: the limits of the steps add up to 480 s, so the real run ends within 8
# minutes whatever happens; the dry run gets 4 times the limits (2 CPU cores run 960x736).
if [ "$dry" = 1 ]; then
  frames=4; rounds=1; seconds=5; mem_frames=200; mem_warmup=50; mem_fps=30; modes=(pipeline)
  limit_scale=4; max_slope=1000  # 2 CPU cores, maybe shared: the script is checked, not timed
else
  frames=30; rounds=2; seconds=12; mem_frames=2000; mem_warmup=500; mem_fps=1000
  modes=(nodes pipeline); limit_scale=1; max_slope=0.5
fi

# 1. CUDA tests (skipped as a module without CUDA: in the dry run they report that).
step "CUDA tests (pose_ros/test/test_gpu.py)" 80 \
  bash -c "cd pose_ros && $python -m pytest test/test_gpu.py -rs -q -p no:cacheprovider"

# 2. The TensorRT engine, as `make export` makes it on a GPU.
engine_args=()
if [ "$dry" = 1 ]; then
  not_run "TensorRT engine (make export)" "dry run (an engine needs the GPU)"
elif has tensorrt; then
  step "TensorRT engine (tools/export_model.py --formats engine, as make export)" 140 \
    "$python" tools/export_model.py --formats engine
  engine_args=(--engine yolo11n-pose.engine)
else
  not_run "TensorRT engine (make export)" "tensorrt is not installed (pip install tensorrt)"
fi

# 3. Inference ms per backend at pose_node's input.
backends=(pytorch)
[ "$cuda_ort" = 1 ] && backends+=(onnxruntime)
[ ${#engine_args[@]} -gt 0 ] && backends+=(tensorrt)
[ "$dry" = 1 ] && backends=(pytorch onnxruntime)
step "Inference per backend (bench/backends.py)" 60 \
  "$python" bench/backends.py --device "$device" --frames "$frames" --rounds "$rounds" \
  --backends "${backends[@]}" "${engine_args[@]}"
[ "$cuda_ort" = 1 ] || [ "$dry" = 1 ] \
  || say "ONNX Runtime on CUDA: not run (no CUDAExecutionProvider; pip install onnxruntime-gpu)"

# 4-6. The pipeline, which needs ROS 2.
if [ "$ros" = 1 ]; then
  step "End-to-end, unthrottled camera (bench/latency.py)" 80 \
    "$python" bench/latency.py --device "$device" --modes "${modes[@]}" --rates 0 \
    --seconds "$seconds" --no-image-counter
  step "Overhead ratio (bench/overhead_ratio.py)" 45 \
    "$python" bench/overhead_ratio.py --device "$device" --frames "$frames" --rounds "$rounds"
  step "Memory flatness (bench/memory.py)" 75 \
    "$python" bench/memory.py --device "$device" --mode pipeline --frames "$mem_frames" \
    --warmup "$mem_warmup" --fps "$mem_fps" --max-slope "$max_slope"
else
  for title in "End-to-end, unthrottled camera" "Overhead ratio" "Memory flatness"; do
    not_run "$title" "no ROS 2 (rclpy) in this environment: run make setup"
  done
fi

say "total: $(($(date +%s) - started)) s; results $out, log $log"
