# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
People found per frame on vtest.avi by input shape and size, with the time each costs.

vtest's pedestrians are small, so the network input matters: Ultralytics pads a 768x576
frame to 640x480 by default (rect), square_input letterboxes it to 640x640, and a larger
imgsz helps most. Prints a table for docs/BENCHMARKS.md, times relative to 640 rect.

    python bench/recall_by_input.py --frames 40
"""

import argparse
import time

from bench_common import machine_tag, median, video_frames

SETTINGS = ((640, False), (640, True), (960, False), (960, True))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--frames', type=int, default=40)
    args = parser.parse_args()
    from pose_ros import model_loading
    from pose_ros.pose_estimator import PoseEstimator

    path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    frames = video_frames(count=args.frames, step=10)
    estimators = {s: PoseEstimator(path, 'cpu', imgsz=s[0], square_input=s[1]) for s in SETTINGS}
    for estimator in estimators.values():
        estimator.warmup(576, 768, runs=1)
    people = {s: 0 for s in SETTINGS}
    times = {s: [] for s in SETTINGS}
    for frame in frames:  # every setting on each frame in turn, so drift hits all alike
        for setting, estimator in estimators.items():
            start = time.perf_counter()
            people[setting] += len(estimator.predict(frame))
            times[setting].append((time.perf_counter() - start) * 1000)
    base = median(times[SETTINGS[0]])
    print(f'machine: {machine_tag()}')
    print(f'{len(frames)} frames of vtest.avi (every 10th), yolo11n-pose.pt, CPU\n')
    print('| imgsz | input | people per frame | median ms | time vs 640 rect |')
    print('|---|---|---|---|---|')
    for setting in SETTINGS:
        ms = median(times[setting])
        shape = 'square (square_input: true)' if setting[1] else 'rect (default)'
        print(f'| {setting[0]} | {shape} | {people[setting] / len(frames):.2f} | {ms:.1f} | '
              f'{ms / base:.2f} |')


if __name__ == '__main__':
    main()
