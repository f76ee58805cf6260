# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Backends on the same input: PyTorch, ONNX Runtime, OpenVINO (and TensorRT on a GPU), one run.

Every backend runs through pose_node's PoseEstimator, so each time is what the node's
``inference`` stage costs (Ultralytics pre-processing, the network, NMS, numpy results), at
the same input: by default pose_node's (imgsz 960, the input shaped like the frame: 960x736
for vtest's 768x576). ONNX Runtime and OpenVINO run the dynamic-input exports pose_node makes
into its cache. Per frame every backend runs in turn, the order rotating, so that drift on a
noisy machine hits all alike. The bare session calls on the same input tensor are the floor
for any wrapper.

Keypoints: each backend's persons are matched to PyTorch's (FP32 on the CPU; same input) by
box IoU >= 0.5; the table gives the persons PyTorch found that the backend lost and the pixel
distance of keypoints that both call confident (>= 0.5).

    python bench/backends.py --frames 40 --rounds 2 [--imgsz 640 --square]
    python bench/backends.py --device cuda:0 --engine yolo11n-pose.engine   # on a GPU
"""

import argparse
import time

from bench_common import machine_tag, median, percentile, video_frames
from detection_agreement import Agreement
import numpy as np

PYTORCH, ONNX, OPENVINO, TENSORRT = 'PyTorch', 'ONNX Runtime', 'OpenVINO', 'TensorRT'
KEYS = {'pytorch': PYTORCH, 'onnxruntime': ONNX, 'openvino': OPENVINO, 'tensorrt': TENSORRT}
OPENVINO_F32 = 'OpenVINO, f32 forced'


def network_shape(frame_shape, imgsz, square, stride=32):
    """Return (height, width) of the network input Ultralytics makes of a frame."""
    if square:
        return imgsz, imgsz
    height, width = frame_shape[:2]
    scale = imgsz / max(height, width)
    return tuple(int(np.ceil(round(side * scale) / stride) * stride)
                 for side in (height, width))


def session_floor(paths, device, shape, runs):
    """Time the bare runtime calls on a 1x3xHxW tensor; return ({name: [ms]}, precision)."""
    tensor = np.random.default_rng(0).random((1, 3, *shape), dtype=np.float32)
    calls = {}
    if ONNX in paths:
        import onnxruntime
        from pose_ros.pose_estimator import ONNXRUNTIME_CPU_CONFIG
        providers = ['CPUExecutionProvider']
        options = onnxruntime.SessionOptions()
        if device.startswith('cuda'):
            providers.insert(0, 'CUDAExecutionProvider')
        else:  # as PoseEstimator configures it
            for key, value in ONNXRUNTIME_CPU_CONFIG.items():
                options.add_session_config_entry(key, value)
        session = onnxruntime.InferenceSession(str(paths[ONNX]), options, providers=providers)
        feed = {session.get_inputs()[0].name: tensor}
        calls[ONNX] = lambda: session.run(None, feed)
    precision = None
    if OPENVINO in paths:
        import openvino
        xml = str(next(paths[OPENVINO].glob('*.xml')))
        core = openvino.Core()
        # As Ultralytics compiles it; the CPU plugin picks its own inference precision.
        compiled = core.compile_model(xml, 'CPU', {'PERFORMANCE_HINT': 'LATENCY'})
        precision = compiled.get_property('INFERENCE_PRECISION_HINT').to_string()
        calls[OPENVINO] = lambda: compiled(tensor)
        strict = core.compile_model(xml, 'CPU', {'PERFORMANCE_HINT': 'LATENCY',
                                                 'INFERENCE_PRECISION_HINT': 'f32'})
        calls[OPENVINO_F32] = lambda: strict(tensor)
    times = {name: [] for name in calls}
    for call in calls.values():
        call()
    for _ in range(runs):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - start) * 1000)
    return times, precision


def runtime_versions() -> str:
    """Name the installed ONNX Runtime (with its providers), OpenVINO and TensorRT."""
    import importlib
    parts = []
    for name in ('onnxruntime', 'openvino', 'tensorrt'):
        try:
            module = importlib.import_module(name)
        except ImportError:
            parts.append(f'{name} not installed')
            continue
        text = f'{name} {getattr(module, "__version__", "?")}'
        if name == 'onnxruntime':
            text += f' ({", ".join(module.get_available_providers())})'
        parts.append(text)
    return ', '.join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--frames', type=int, default=30)
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--device', default='cpu', help='cpu or cuda:N')
    parser.add_argument('--imgsz', type=int, default=960)
    parser.add_argument('--square', action='store_true', help='letterbox to imgsz x imgsz')
    parser.add_argument('--backends', nargs='+', default=None, choices=tuple(KEYS),
                        help='default: pytorch onnxruntime openvino on the CPU; on CUDA pytorch '
                        '(FP16), onnxruntime (CUDA provider), and tensorrt with --engine')
    parser.add_argument('--engine', default=None,
                        help='TensorRT engine (made by `make export` on the GPU): path or name')
    args = parser.parse_args()

    from pose_ros import model_export, model_loading
    from pose_ros.pose_estimator import detections_from_result, PoseEstimator

    device = model_loading.select_device(args.device)
    cuda = device.startswith('cuda')
    chosen = args.backends or (['pytorch', 'onnxruntime'] + (['tensorrt'] if args.engine else [])
                               if cuda else ['pytorch', 'onnxruntime', 'openvino'])
    names = [KEYS[k] for k in chosen]
    pt_path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    paths = {PYTORCH: pt_path}
    if ONNX in names:
        paths[ONNX] = model_export.cached_export(pt_path, 'onnx')
    if OPENVINO in names:
        paths[OPENVINO] = model_export.cached_export(pt_path, 'openvino')
    if TENSORRT in names:
        paths[TENSORRT] = model_loading.resolve_model_path(args.engine or 'yolo11n-pose.engine')
    estimators = {name: PoseEstimator(paths[name], device=device, imgsz=args.imgsz,
                                      square_input=args.square) for name in names}
    reference_estimator = (PoseEstimator(pt_path, device='cpu', imgsz=args.imgsz,
                                         square_input=args.square) if cuda else None)
    for estimator in estimators.values():
        estimator.warmup(576, 768)
    frames = video_frames(count=args.frames, step=10)
    shape = network_shape(frames[0].shape, args.imgsz, args.square)

    total, speed = {n: [] for n in names}, {n: [] for n in names}
    detections = {n: [] for n in names}
    for round_index in range(args.rounds):
        for index, frame in enumerate(frames):
            shift = (index + round_index) % len(names)
            for name in names[shift:] + names[:shift]:
                estimator = estimators[name]
                start = time.perf_counter()
                result = estimator.model.predict(frame, **estimator.predict_kwargs())[0]
                found = detections_from_result(result)
                total[name].append((time.perf_counter() - start) * 1000)
                speed[name].append(result.speed)
                if round_index == 0:
                    detections[name].append(found)
    floor, ov_precision = session_floor({n: paths[n] for n in (ONNX, OPENVINO) if n in names},
                                        device, shape, max(10, args.frames // 2))
    if reference_estimator is not None:
        reference = [reference_estimator.predict(frame) for frame in frames]
        reference_name = 'PyTorch FP32 on the CPU'
    else:
        reference = detections[PYTORCH]
        reference_name = 'PyTorch'

    print(f'machine: {machine_tag()}; {runtime_versions()}')
    print(f'{len(frames)} frames of vtest.avi (768x576, every 10th) x {args.rounds} rounds, '
          f'device {device}, imgsz {args.imgsz} {"square" if args.square else "rect"} '
          f'(network input {shape[1]}x{shape[0]}), conf 0.25; models: '
          + ', '.join(f'{n} {paths[n]}' for n in names))
    print()
    print('| backend | ms per frame (median) | p95 | pre / net / post ms | bare session ms | '
          'speed-up over PyTorch |')
    print('|---|---|---|---|---|---|')
    base = median(total[PYTORCH]) if PYTORCH in names else median(total[names[0]])
    for name in names:
        ms = median(total[name])
        parts = ' / '.join(f'{median([s[k] for s in speed[name]]):.1f}'
                           for k in ('preprocess', 'inference', 'postprocess'))
        session = f'{median(floor[name]):.1f}' if name in floor else '-'
        print(f'| {name} | {ms:.1f} | {percentile(total[name], 0.95):.1f} | {parts} | '
              f'{session} | {base / ms:.2f} |')
    if OPENVINO_F32 in floor:
        print()
        print(f'OpenVINO runs in {ov_precision} here (the default of its CPU plugin); its '
              f'bare session with INFERENCE_PRECISION_HINT f32 takes '
              f'{median(floor[OPENVINO_F32]):.1f} ms (vs {median(floor[OPENVINO]):.1f} ms).')
    print()
    print(f'Agreement with {reference_name} (same input), first round:')
    print()
    print(Agreement.header())
    for name in names:
        if name == PYTORCH and reference_estimator is None:
            continue
        agreement = Agreement()
        for ref, other in zip(reference, detections[name]):
            agreement.add(ref, other)
        print(agreement.row(name if not cuda or name != PYTORCH else 'PyTorch FP16'))


if __name__ == '__main__':
    main()
