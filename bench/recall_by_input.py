# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
People found per frame on vtest.avi, and the time each costs, by backend and network input.

vtest's pedestrians are small, so the input matters. Every setting runs through pose_node's
PoseEstimator on each frame in turn (the order rotating), so drift on a noisy machine hits all
alike; times are ratios to ``pytorch:640:square``, the setting of config/pose.yaml before
issue 16. A setting is ``backend:imgsz:shape``:

- backend: pytorch, onnxruntime, openvino (the dynamic-input exports pose_node makes into its
  cache) or onnxruntime-static (an export with a fixed input of the size given);
- imgsz: the long side (``960``), or ``WxH`` for onnxruntime-static (``960x736``);
- shape: rect (the input follows the frame: 960x736 for 768x576) or square (letterboxed).

``default`` is pose_node at the defaults of config/pose.yaml, resolved as the node resolves
them (backend auto: ONNX Runtime on AMD, OpenVINO on Intel). Each non-PyTorch setting is also
checked against PyTorch at the same input, when that is in the run: persons PyTorch found
that it lost, and keypoint offsets.

    python bench/recall_by_input.py --frames 100                      # the first 100 frames
    python bench/recall_by_input.py --frames 100 --step 8             # spread over the video
    python bench/recall_by_input.py --settings pytorch:640:square default --frames 100
    python bench/recall_by_input.py --aspect 16:9 \
        --settings default onnxruntime-static:960x736:rect
"""

import argparse
import time

from bench_common import machine_tag, median, percentile, video_frames
from detection_agreement import Agreement

BASELINE = 'pytorch:640:square'
SETTINGS = (BASELINE, 'pytorch:640:rect', 'default', 'pytorch:960:rect', 'onnxruntime:640:square',
            'onnxruntime:832:rect', 'onnxruntime:1024:rect', 'openvino:960:rect',
            'onnxruntime-static:960x736:rect')


def reshape_frames(frames, aspect):
    """Return the frames as a camera of another shape would give them."""
    import cv2
    if aspect == 'native':
        return frames
    if aspect == '16:9':  # the middle band of the 4:3 frame, as a 16:9 camera frames it
        height, width = frames[0].shape[:2]
        band = round(width * 9 / 16)
        top = (height - band) // 2
        return [frame[top:top + band] for frame in frames]
    width, height = (int(v) for v in aspect.split('x'))
    return [cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA) for frame in frames]


def build(setting, pt_path):
    """Return (estimator, description) for one setting."""
    from pose_ros import inference_backend, model_export
    from pose_ros.pose_estimator import PoseEstimator
    if setting == 'default':
        from perf_common import pose_settings
        config = pose_settings()
        choice = inference_backend.choose_model(pt_path, config['backend'], 'cpu',
                                                log=lambda text: None)
        estimator = PoseEstimator(choice.path, 'cpu', imgsz=config['imgsz'],
                                  conf=config['conf'], iou=config['iou'],
                                  max_det=config['max_det'], square_input=config['square_input'])
        shape = 'square' if config['square_input'] else 'rect'
        return estimator, f'{choice.backend}:{config["imgsz"]}:{shape}'
    backend, size, shape = setting.split(':')
    square = shape == 'square'
    if backend == 'pytorch':
        return PoseEstimator(pt_path, 'cpu', imgsz=int(size), square_input=square), setting
    if backend == 'onnxruntime-static':
        import tempfile
        width, height = (int(v) for v in size.split('x'))
        folder = tempfile.mkdtemp(prefix='pose_ros_static-')
        path = model_export.export(pt_path, 'onnx', folder, imgsz=(height, width),
                                   dynamic=False, log=lambda text: None)
        return PoseEstimator(path, 'cpu', imgsz=max(width, height), square_input=True), setting
    fmt = inference_backend.EXPORT_FORMAT[backend]
    path = model_export.cached_export(pt_path, fmt, log=lambda text: None)
    return PoseEstimator(path, 'cpu', imgsz=int(size), square_input=square), setting


def input_key(description):
    """Return (imgsz, shape) of a setting, to find PyTorch at the same input."""
    backend, size, shape = description.split(':')
    if 'x' in size:  # a fixed WxH export letterboxes a frame of its own shape like rect
        size, shape = str(max(int(v) for v in size.split('x'))), 'rect'
    return size, shape


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--frames', type=int, default=100)
    parser.add_argument('--start', type=int, default=0)
    parser.add_argument('--step', type=int, default=1, help='every step-th frame')
    parser.add_argument('--aspect', default='native',
                        help='native (768x576), 16:9 (the middle 768x432), or WxH (a resize)')
    parser.add_argument('--settings', nargs='+', default=list(SETTINGS))
    args = parser.parse_args()
    from pose_ros import model_loading

    pt_path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    frames = reshape_frames(video_frames(count=args.frames, start=args.start, step=args.step),
                            args.aspect)
    built = [build(setting, pt_path) for setting in args.settings]
    names = [f'default ({description})' if setting == 'default' else description
             for setting, (_, description) in zip(args.settings, built)]
    estimators = dict(zip(names, (estimator for estimator, _ in built)))
    descriptions = dict(zip(names, (description for _, description in built)))
    height, width = frames[0].shape[:2]
    for estimator in estimators.values():
        estimator.warmup(height, width, runs=2)
    people = {name: 0 for name in names}
    times = {name: [] for name in names}
    found = {name: [] for name in names}
    for index, frame in enumerate(frames):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            detections = estimators[name].predict(frame)
            times[name].append((time.perf_counter() - start) * 1000)
            people[name] += len(detections)
            found[name].append(detections)
    baseline = next((n for n in names if descriptions[n] == BASELINE), names[0])
    base = median(times[baseline])
    print(f'machine: {machine_tag()}')
    print(f'{len(frames)} frames of vtest.avi ({width}x{height}'
          f'{"" if args.aspect == "native" else ", " + args.aspect}), from frame {args.start}, '
          f'every {args.step}; yolo11n-pose.pt, CPU; times relative to {baseline}, per frame '
          f'in turn\n')
    print(f'| setting | people per frame | median ms | p95 ms | time vs {baseline} |')
    print('|---|---|---|---|---|')
    for name in names:
        ms = median(times[name])
        print(f'| {name} | {people[name] / len(frames):.2f} | {ms:.1f} | '
              f'{percentile(times[name], 0.95):.1f} | {ms / base:.2f} |')
    rows = []
    for name in names:
        if descriptions[name].startswith('pytorch'):
            continue
        reference = next((n for n in names if descriptions[n].startswith('pytorch:')
                          and input_key(descriptions[n]) == input_key(descriptions[name])), None)
        if reference is None:
            continue
        agreement = Agreement()
        for ref, other in zip(found[reference], found[name]):
            agreement.add(ref, other)
        rows.append(agreement.row(f'{name} vs {reference}'))
    if rows:
        print('\nAgreement with PyTorch at the same input:\n')
        print(Agreement.header())
        print('\n'.join(rows))


if __name__ == '__main__':
    main()
