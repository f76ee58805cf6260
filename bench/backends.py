# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
CPU backends: PyTorch, ONNX Runtime and OpenVINO on the same vtest frames, in one run.

Every backend runs through pose_node's PoseEstimator, so each time is what the node's
``inference`` stage costs (Ultralytics pre-processing, the network, NMS, numpy results).
The exports have a fixed 640x640 input, so they see every 768x576 frame letterboxed to a
square; PyTorch is timed both on its default rect input (640x480) and on the same square
input, and like is compared with like. Per frame every backend runs in turn, the order
rotating, so that drift on a noisy machine hits all alike. The bare session calls on a
640x640 tensor (ONNX Runtime, OpenVINO) are the floor for any wrapper.

Keypoints: each backend's persons are matched to PyTorch square's (same input) by box IoU
>= 0.5; the table gives the pixel distance of keypoints that both call confident (>= 0.5).

The exports are found by bare name as pose_node finds them (``make export`` puts them
there); when missing they are exported into bench/out/models first (offline, ~5 s each).

    python bench/backends.py --frames 30 --rounds 2 [--device cuda:0]
"""

import argparse
import time

from bench_common import machine_tag, median, percentile, REPO, video_frames
import numpy as np
from ros_helpers import load_repo_tool

PT_RECT, PT_SQUARE, ONNX, OPENVINO = 'PyTorch rect', 'PyTorch square', 'ONNX Runtime', 'OpenVINO'
OPENVINO_F32 = 'OpenVINO, f32 forced'
EXPORTS = {ONNX: 'onnx', OPENVINO: 'openvino'}
CONFIDENT = 0.5
MATCH_IOU = 0.5


def find_or_export(pt_path, fmt, imgsz):
    """Return the export of ``pt_path`` found by bare name, else one made in bench/out."""
    from pose_ros import model_loading
    tool = load_repo_tool('tools/export_model.py')
    name = tool.export_name(pt_path, fmt)
    try:
        return model_loading.resolve_model_path(name)
    except model_loading.ModelNotFoundError:
        return tool.export(pt_path, fmt, REPO / 'bench' / 'out' / 'models', imgsz)


def box_iou(a, b):
    """Return the IoU matrix of boxes ``a`` (N, 4) and ``b`` (M, 4), x1 y1 x2 y2."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def match(reference, other, threshold=MATCH_IOU):
    """Return greedy (i, j) pairs of persons by box IoU >= ``threshold``, best first."""
    iou = box_iou(reference.boxes, other.boxes)
    pairs, used_i, used_j = [], set(), set()
    for flat in np.argsort(-iou, axis=None):
        i, j = np.unravel_index(flat, iou.shape)
        if iou[i, j] < threshold:
            break
        if i not in used_i and j not in used_j:
            pairs.append((int(i), int(j)))
            used_i.add(i)
            used_j.add(j)
    return pairs


class Agreement:
    """Keypoint and box agreement of one backend with the reference, over many frames."""

    def __init__(self):
        self.distances = []   # px, keypoints confident in both
        self.score_diffs = []
        self.matched = 0
        self.only_reference = 0
        self.only_other = 0

    def add(self, reference, other):
        """Compare the PoseDetections of one frame."""
        pairs = match(reference, other)
        self.matched += len(pairs)
        self.only_reference += len(reference.boxes) - len(pairs)
        self.only_other += len(other.boxes) - len(pairs)
        for i, j in pairs:
            a, b = reference.keypoints[i], other.keypoints[j]
            both = (a[:, 2] >= CONFIDENT) & (b[:, 2] >= CONFIDENT)
            self.distances += np.hypot(*(a[both, :2] - b[both, :2]).T).tolist()
            self.score_diffs.append(abs(float(reference.scores[i]) - float(other.scores[j])))

    def row(self, name):
        """Return a markdown table row."""
        d = self.distances or [float('nan')]
        return (f'| {name} | {self.matched} | {self.only_reference} / {self.only_other} | '
                f'{len(self.distances)} | {np.mean(d):.4f} | {percentile(d, 0.95):.4f} | '
                f'{max(d):.4f} | {max(self.score_diffs or [float("nan")]):.3f} |')


def session_floor(paths, device, runs):
    """Time the bare runtime calls on a 1x3x640x640 tensor; return {name: [ms]}."""
    tensor = np.random.default_rng(0).random((1, 3, 640, 640), dtype=np.float32)
    calls = {}
    if ONNX in paths:
        import onnxruntime
        providers = ['CPUExecutionProvider']
        if device.startswith('cuda'):
            providers.insert(0, 'CUDAExecutionProvider')
        session = onnxruntime.InferenceSession(str(paths[ONNX]), providers=providers)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--frames', type=int, default=30)
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--device', default='cpu', help='cpu or cuda:N')
    parser.add_argument('--imgsz', type=int, default=640)
    parser.add_argument('--backends', nargs='+', default=None,
                        choices=('pt_rect', 'pt_square', 'onnx', 'openvino'),
                        help='default: all four on the CPU; pt_rect, pt_square, onnx on CUDA')
    args = parser.parse_args()

    import onnxruntime
    import openvino
    from pose_ros import model_loading
    from pose_ros.pose_estimator import detections_from_result, PoseEstimator

    device = model_loading.select_device(args.device)
    keys = {'pt_rect': PT_RECT, 'pt_square': PT_SQUARE, 'onnx': ONNX, 'openvino': OPENVINO}
    chosen = args.backends or (['pt_rect', 'pt_square', 'onnx'] if device.startswith('cuda')
                               else list(keys))
    names = [keys[k] for k in chosen]
    pt_path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    paths = {name: pt_path for name in (PT_RECT, PT_SQUARE)}
    for name, fmt in EXPORTS.items():
        if name in names:
            paths[name] = find_or_export(pt_path, fmt, args.imgsz)
    estimators = {name: PoseEstimator(paths[name], device=device, imgsz=args.imgsz,
                                      square_input=name != PT_RECT) for name in names}
    for estimator in estimators.values():
        estimator.warmup(576, 768)
    frames = video_frames(count=args.frames, step=10)

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
    floor, ov_precision = session_floor({n: paths[n] for n in names if n in EXPORTS},
                                        device, max(10, args.frames // 2))

    reference = PT_SQUARE if PT_SQUARE in names else names[0]
    base = median(total[PT_RECT]) if PT_RECT in names else median(total[names[0]])
    print(f'machine: {machine_tag()}; onnxruntime {onnxruntime.__version__}, '
          f'openvino {openvino.__version__}')
    print(f'{len(frames)} frames of vtest.avi (768x576, every 10th) x {args.rounds} rounds, '
          f'device {device}, imgsz {args.imgsz}, conf 0.25; exports: '
          + ', '.join(f'{n} {paths[n]}' for n in names if n in EXPORTS))
    print()
    print('| backend | network input | ms per frame (median) | p95 | pre / net / post ms | '
          'bare session ms | speed-up over PyTorch rect | over PyTorch square |')
    print('|---|---|---|---|---|---|---|---|')
    for name in names:
        ms = median(total[name])
        parts = ' / '.join(f'{median([s[k] for s in speed[name]]):.1f}'
                           for k in ('preprocess', 'inference', 'postprocess'))
        shape = '640x480 (rect)' if name == PT_RECT else f'{args.imgsz}x{args.imgsz}'
        session = f'{median(floor[name]):.1f}' if name in floor else '-'
        square = (f'{median(total[PT_SQUARE]) / ms:.2f}' if PT_SQUARE in names else '-')
        print(f'| {name} | {shape} | {ms:.1f} | {percentile(total[name], 0.95):.1f} | {parts} | '
              f'{session} | {base / ms:.2f} | {square} |')
    if OPENVINO_F32 in floor:
        print()
        print(f'OpenVINO runs in {ov_precision} here (the default of its CPU plugin); its '
              f'bare session with INFERENCE_PRECISION_HINT f32 takes '
              f'{median(floor[OPENVINO_F32]):.1f} ms (vs {median(floor[OPENVINO]):.1f} ms).')
    print()
    print(f'Agreement with {reference} (same input), persons matched by box IoU >= {MATCH_IOU}, '
          f'keypoints confident (>= {CONFIDENT}) in both:')
    print()
    print('| backend | persons matched | unmatched (ref / backend) | keypoints | mean px | '
          'p95 px | max px | max score diff |')
    print('|---|---|---|---|---|---|---|---|')
    for name in names:
        if name == reference:
            continue
        agreement = Agreement()
        for ref, other in zip(detections[reference], detections[name]):
            agreement.add(ref, other)
        print(agreement.row(name))


if __name__ == '__main__':
    main()
