# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Show that the replay of ``model.track`` on cached detections gives what ``model.track`` gives.

Run from the repository root with the venv active and ``install/setup.bash`` sourced, after
``bench/tracking_detections.py`` has cached the sequences::

    python bench/model_track_check.py                 # tuning_000 .. tuning_002
    python bench/model_track_check.py --sequences 5

For each sequence it renders the frames again (the generator is seeded), runs
``YOLO('yolo11n-pose.pt').track(frame, persist=True, tracker=...)`` on them, exactly as a
user would, with bytetrack.yaml and with botsort.yaml, and compares the ids and boxes of every
frame with ``baseline_trackers.ModelTrack`` run on the cached detections.
"""

import argparse

from baseline_trackers import ModelTrack
import numpy as np
from pose_ros.model_loading import DEFAULT_MODEL, resolve_model_path
import scene_generator as generator
from tracking_detections import estimator, load, scene_inputs

TOLERANCE_PX = 0.01


def real_tracks(frames: list, yaml_name: str) -> list:
    """Return [(ids, boxes)] per frame from Ultralytics' own model.track."""
    from ultralytics import YOLO
    model = YOLO(str(resolve_model_path(DEFAULT_MODEL)), task='pose')
    found = []
    for frame in frames:
        result = model.track(frame, persist=True, tracker=yaml_name, device='cpu',
                             verbose=False)[0]
        boxes = result.boxes
        if boxes is None or boxes.id is None:
            found.append(([], np.zeros((0, 4))))
        else:
            found.append(([int(i) for i in boxes.id.cpu().numpy()],
                          boxes.xyxy.cpu().numpy().astype(np.float64)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--sequences', type=int, default=3)
    parser.add_argument('--split', default='tuning')
    args = parser.parse_args()
    cutouts, background = scene_inputs(estimator(640))
    failures = 0
    for index in range(args.sequences):
        scene = generator.scene(args.split, index)
        cached = load(scene.name)
        renderer = generator.Renderer(scene, cutouts, background)
        frames = [renderer.render(i)[0] for i in range(scene.frames)]
        for yaml_name in ('bytetrack.yaml', 'botsort.yaml'):
            real = real_tracks(frames, yaml_name)
            replayed = ModelTrack(yaml_name).run(cached)
            differing = [i for i, ((ids, boxes), out) in enumerate(zip(real, replayed))
                         if ids != out.ids or boxes.shape != out.boxes.shape
                         or (boxes.size and np.abs(boxes - out.boxes).max() > TOLERANCE_PX)]
            tracked = sum(len(ids) for ids, _ in real)
            print(f'{scene.name} {yaml_name}: {len(frames)} frames, {tracked} tracked boxes, '
                  f'{len(differing)} frames differ'
                  + (f' (first: {differing[0]})' if differing else ''), flush=True)
            failures += bool(differing)
    print('replay == model.track' if not failures else f'{failures} runs differ')
    raise SystemExit(1 if failures else 0)


if __name__ == '__main__':
    main()
