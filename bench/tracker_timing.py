# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Time one tracker update with 10 people in view: the budget is 1 ms per frame.

Run from the repository root with the venv active and ``install/setup.bash`` sourced, on a
quiet machine (times are wall-clock)::

    python bench/tracker_timing.py

A seeded scene of ``scene_generator`` with 10 people walking, crossing and standing is
rendered once (90 frames at 960x540); each person at least a quarter visible becomes a
detection with its true box and keypoints, so no model runs while timing. Every tracker then
runs over the frames ``--rounds`` times, with the image (appearance) as pose_node runs it.
"""

import argparse
import statistics
import time

import numpy as np
from pose_ros.model_loading import DEFAULT_MODEL, resolve_model_path
from pose_ros.pose_types import PoseDetections
from pose_ros.tracking import create_tracker, TrackerConfig
import scene_generator as generator
from tracking_detections import scene_inputs

PEOPLE = 10
FRAMES = 90
TRACKERS = {'pose (default)': {}, 'pose, appearance off': {'appearance_weight': 0.0},
            'bytetrack': {'name': 'bytetrack'}, 'botsort': {'name': 'botsort'}}


def ten_people(seed: int = 7) -> generator.Scene:
    """Return a scene of PEOPLE people who stay in view, walking slowly across each other."""
    rng = np.random.default_rng(seed)
    people = []
    for number in range(PEOPLE):
        start = 60 + 840 * number / (PEOPLE - 1)
        speed = rng.uniform(-4, 4)
        foot = rng.uniform(*generator.FOOT_Y)
        people.append(generator.Person(generator.CUTOUTS[number % len(generator.CUTOUTS)],
                                       number % generator.COLOUR_VARIANTS,
                                       [(0, start, foot), (FRAMES - 1,
                                                           start + speed * (FRAMES - 1), foot)]))
    return generator.Scene('timing', seed, FRAMES, people, episodes=['timing'])


def detections_from_truth(truth) -> PoseDetections:
    """Return the persons at least a quarter visible, with their true boxes and keypoints."""
    seen = truth.visibility >= 0.25
    keypoints = truth.keypoints[seen].astype(np.float32)
    return PoseDetections(truth.boxes[seen].astype(np.float32),
                          np.full(int(seen.sum()), 0.9, np.float32), keypoints)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()
    from pose_ros.pose_estimator import PoseEstimator
    model = PoseEstimator(str(resolve_model_path(DEFAULT_MODEL)), device='cpu', half=False)
    cutouts, background = scene_inputs(model)
    renderer = generator.Renderer(ten_people(), cutouts, background)
    rendered = [renderer.render(i) for i in range(FRAMES)]
    frames = [r[0] for r in rendered]
    detections = [detections_from_truth(r[1]) for r in rendered]
    print(f'{np.mean([len(d) for d in detections]):.1f} detections per frame '
          f'(most {max(len(d) for d in detections)})')
    for label, settings in TRACKERS.items():
        times = []
        for _ in range(args.rounds):
            tracker = create_tracker(TrackerConfig(**{'frame_rate': generator.FPS,
                                                      **settings}))
            for index, (frame, found) in enumerate(zip(frames, detections)):
                start = time.perf_counter()
                tracker.update(found, 1000.0 + index / generator.FPS, image=frame)
                times.append(time.perf_counter() - start)
        ordered = sorted(times)
        print(f'{label}: median {1000 * statistics.median(times):.3f} ms, mean '
              f'{1000 * statistics.fmean(times):.3f} ms, p95 '
              f'{1000 * ordered[int(0.95 * (len(ordered) - 1))]:.3f} ms per update',
              flush=True)


if __name__ == '__main__':
    main()
