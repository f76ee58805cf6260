# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Evaluate the trackers: identity switches, misses, ids on real video, smoothing, velocity.

Run from the repository root with the venv active and either ``source install/setup.bash``
or ``PYTHONPATH=pose_ros``::

    python bench/tracking_eval.py            # also writes "## Tracking" in docs/BENCHMARKS.md
    python bench/tracking_eval.py --no-docs  # print only

The real pose model runs once on every frame (synthetic scenes from bench/synthetic_scenes.py
and the first frames of vtest.avi); its detections and the ground truth are cached in
bench/out/, so later runs only run the trackers. ``--refresh`` re-runs the model.
"""

import argparse
from dataclasses import asdict
import datetime
import hashlib
import json
import os
import pathlib
import platform
import time

import cv2
from keypoint_metrics import (frame_to_frame_moves, offset_free_errors, reference_residuals,
                              rms)
from mot_metrics import ClearMot
import numpy as np
from pose_ros.model_loading import DEFAULT_MODEL, resolve_model_path
from pose_ros.pose_types import PoseDetections
from pose_ros.tracking import create_tracker, TrackerConfig
import synthetic_scenes as scenes

REPO = pathlib.Path(__file__).resolve().parents[1]
OUT = REPO / 'bench' / 'out'
CACHE = OUT / 'tracking_detections.npz'
DOCS = REPO / 'docs' / 'BENCHMARKS.md'
VTEST = pathlib.Path('/work/shared/data/vtest.avi')
VTEST_FRAMES = 200
VTEST_FPS = 10.0
VTEST_IMGSZ = 1280   # its pedestrians are ~70 px tall: at 640 the model finds 0.2 per frame
EVALUATED = ('pose', 'bytetrack', 'botsort')
DEFAULT = TrackerConfig().name
STAMP_ZERO = 1764100000.0   # an epoch-like first stamp, as from a live camera
SECTION = '## Tracking'
MOVING = ('two_cross', 'four_cross', 'fast_mover')
UNHIDDEN = 0.9    # path errors only where a person is at least this visible
TRUTH_FIELDS = ('boxes', 'visible_boxes', 'visibility', 'keypoints', 'velocities')


class Sequence:
    """One sequence's detections per frame and, for synthetic scenes, its ground truth."""

    def __init__(self, name, fps, detections, truth=None):
        self.name, self.fps, self.detections, self.truth = name, fps, detections, truth


def cache_key(model_path: pathlib.Path) -> str:
    """Return a digest of everything the cached detections depend on."""
    import ultralytics
    parts = {
        'scenes': [asdict(s) for s in scenes.SCENES],
        'scene_code': hashlib.sha256(
            pathlib.Path(scenes.__file__).read_bytes()).hexdigest(),
        'model': [model_path.name, model_path.stat().st_size],
        'ultralytics': ultralytics.__version__,
        'vtest': [str(VTEST), VTEST_FRAMES, VTEST_IMGSZ, VTEST.exists()],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def run_model(model_path: pathlib.Path) -> list:
    """Run the pose model on every frame of every sequence; return the Sequences."""
    from pose_ros.pose_estimator import PoseEstimator

    estimator = PoseEstimator(str(model_path), device='cpu', half=False)
    estimator.warmup()
    cutouts = scenes.cut_out_people(estimator)
    background = scenes.street_background(VTEST)
    sequences = []
    for number, scene in enumerate(scenes.SCENES):
        rng = np.random.default_rng(number)
        detections, truth = [], []
        start = time.perf_counter()
        for index in range(scene.frames):
            frame, frame_truth = scenes.render(scene, cutouts, background, index, rng)
            detections.append(estimator.predict(frame))
            truth.append(frame_truth)
        print(f'{scene.name}: {scene.frames} frames in {time.perf_counter() - start:.0f} s',
              flush=True)
        sequences.append(Sequence(scene.name, scenes.FPS, detections, truth))
    estimator = PoseEstimator(str(model_path), device='cpu', half=False, imgsz=VTEST_IMGSZ)
    detections = []
    capture = cv2.VideoCapture(str(VTEST))
    while len(detections) < VTEST_FRAMES:
        ok, frame = capture.read()
        if not ok:
            break
        detections.append(estimator.predict(frame))
    if detections:
        print(f'vtest: {len(detections)} frames, '
              f'{np.mean([len(d) for d in detections]):.1f} persons per frame', flush=True)
        sequences.append(Sequence('vtest', VTEST_FPS, detections))
    else:
        print(f'vtest: {VTEST} not readable, skipped', flush=True)
    return sequences


def save(sequences: list, key: str) -> None:
    """Write detections and ground truth to the cache file."""
    arrays = {'key': np.array(key)}
    for seq in sequences:
        dets = seq.detections
        arrays[f'{seq.name}__fps'] = np.array(seq.fps)
        arrays[f'{seq.name}__offsets'] = np.cumsum([0] + [len(d) for d in dets])
        arrays[f'{seq.name}__boxes'] = np.concatenate([d.boxes for d in dets]).reshape(-1, 4)
        arrays[f'{seq.name}__scores'] = np.concatenate([d.scores for d in dets])
        arrays[f'{seq.name}__keypoints'] = np.concatenate(
            [d.keypoints for d in dets]).reshape(-1, 17, 3)
        if seq.truth is not None:
            for field in TRUTH_FIELDS:
                arrays[f'{seq.name}__truth_{field}'] = np.stack(
                    [getattr(t, field) for t in seq.truth])
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(CACHE, **arrays)


def load(key: str) -> list:
    """Return the cached Sequences, or None when the cache is missing or stale."""
    if not CACHE.exists():
        return None
    data = np.load(CACHE, allow_pickle=False)
    if str(data['key']) != key:
        return None
    names = [scene.name for scene in scenes.SCENES]
    names += ['vtest'] if 'vtest__fps' in data else []
    sequences = []
    for name in names:
        offsets = data[f'{name}__offsets']
        boxes, scores = data[f'{name}__boxes'], data[f'{name}__scores']
        keypoints = data[f'{name}__keypoints']
        detections = [PoseDetections(boxes[a:b], scores[a:b], keypoints[a:b])
                      for a, b in zip(offsets[:-1], offsets[1:])]
        truth = None
        if f'{name}__truth_boxes' in data:
            fields = {f: data[f'{name}__truth_{f}'] for f in TRUTH_FIELDS}
            count = fields['boxes'].shape[1]
            truth = [scenes.Truth(np.arange(count), *(fields[f][i] for f in TRUTH_FIELDS))
                     for i in range(len(detections))]
        sequences.append(Sequence(name, float(data[f'{name}__fps']), detections, truth))
    return sequences


def track_sequence(config: TrackerConfig, seq: Sequence) -> dict:
    """Run one tracker over one sequence; return its scores and per-person outputs."""
    tracker = create_tracker(config)
    mot = ClearMot(config.max_age)
    ids, confirmed_ids = set(), set()
    published = {}          # person -> [keypoints or None per frame]
    velocity_errors = []
    seconds = 0.0
    for index, detections in enumerate(seq.detections):
        start = time.perf_counter()
        persons = tracker.update(detections, STAMP_ZERO + index / seq.fps)
        seconds += time.perf_counter() - start
        ids.update(p.track_id for p in persons)
        confirmed_ids.update(p.track_id for p in persons if p.confirmed)
        if seq.truth is None:
            continue
        truth = seq.truth[index]
        matched = mot.update(truth, [p.track_id for p in persons], [p.box for p in persons])
        by_id = {p.track_id: p for p in persons}
        for person in truth.ids:
            match = by_id.get(matched.get(person))
            published.setdefault(person, []).append(None if match is None else match.keypoints)
            if match is not None and match.confirmed:
                velocity_errors.append(np.linalg.norm(
                    np.array(match.velocity) - truth.velocities[person]))
    return {'mot': mot, 'ids': len(ids), 'confirmed_ids': len(confirmed_ids),
            'published': published, 'velocity_errors': velocity_errors,
            'ms_per_frame': 1000.0 * seconds / max(1, len(seq.detections))}


def identity_table(sequences: list) -> tuple:
    """Return (markdown rows, raw numbers) of every evaluated tracker on every sequence."""
    synthetic = [s for s in sequences if s.truth is not None]
    vtest = [s for s in sequences if s.name == 'vtest']
    header = ('| tracker | ' + ' | '.join(f'IDSW {s.name}' for s in synthetic)
              + ' | IDSW total (after > max_age unseen) | misses | false pos. | ids per person'
              + ' | vtest ids (confirmed) | update ms/frame |')
    rows = [header, '|' + '---|' * (header.count('|') - 1)]
    numbers = {}
    for name in EVALUATED:
        results = [track_sequence(TrackerConfig(name=name, frame_rate=s.fps), s)
                   for s in synthetic]
        video = [track_sequence(TrackerConfig(name=name, frame_rate=s.fps), s) for s in vtest]
        switches = [r['mot'].switches for r in results]
        expected = sum(r['mot'].switches_after_max_age for r in results)
        misses = sum(r['mot'].misses for r in results)
        false_pos = sum(r['mot'].false_positives for r in results)
        per_person = np.mean([r['mot'].ids_per_person for r in results])
        times = [r['ms_per_frame'] for r in results + video]
        ids = f'{video[0]["ids"]} ({video[0]["confirmed_ids"]})' if video else 'n/a'
        label = f'{name} (default)' if name == DEFAULT else name
        rows.append(f'| {label} | ' + ' | '.join(str(n) for n in switches)
                    + f' | **{sum(switches)}** ({expected}) | {misses} | {false_pos}'
                    + f' | {per_person:.2f}'
                    + f' | {ids} | {np.mean(times):.2f} |')
        numbers[name] = {'switches': dict(zip([s.name for s in synthetic], switches)),
                         'misses': misses, 'false_positives': false_pos,
                         'vtest_ids': video[0]['ids'] if video else None,
                         'vtest_confirmed_ids': video[0]['confirmed_ids'] if video else None,
                         'velocity_error_median': float(np.median(
                             sum((r['velocity_errors'] for r in results), [])))}
        print(rows[-1], flush=True)
    return rows, numbers


def smoothing_table(sequences: list) -> tuple:
    """Return (markdown rows, raw numbers): jitter and path error of the default's keypoints."""
    by_name = {s.name: s for s in sequences if s.truth is not None}
    runs = {smoothing: {name: track_sequence(
        TrackerConfig(name=DEFAULT, smoothing=smoothing, frame_rate=seq.fps), seq)
        for name, seq in by_name.items()} for smoothing in (False, True)}
    errors = {False: {}, True: {}}
    for name in MOVING:
        seq = by_name[name]
        for person in range(len(seq.truth[0].ids)):
            references = [t.keypoints[person] for t in seq.truth]
            unhidden = [t.visibility[person] >= UNHIDDEN for t in seq.truth]
            residuals = {s: reference_residuals(runs[s][name]['published'][person],
                                                references, unhidden) for s in (False, True)}
            if not np.isfinite(residuals[False]).any():
                continue
            known = np.isfinite(residuals[False])
            offsets = np.where(known, residuals[False], 0).sum(axis=0) / np.maximum(
                known.sum(axis=0), 1)
            for smoothing in (False, True):
                errors[smoothing].setdefault(name, []).append(
                    offset_free_errors(residuals[smoothing], offsets))
    rows = ['| smoothing | jitter, standing pair (px/frame RMS) | '
            + ' | '.join(f'path error, {name} (px RMS)' for name in MOVING) + ' | IDSW total |',
            '|---|---|' + '---|' * len(MOVING) + '---|']
    numbers = {}
    for smoothing in (False, True):
        standing = runs[smoothing]['standing_pair']['published']
        jitter = rms(np.concatenate([frame_to_frame_moves(s) for s in standing.values()]))
        path = {name: rms(np.concatenate(errors[smoothing][name])) for name in MOVING}
        switches = sum(r['mot'].switches for r in runs[smoothing].values())
        rows.append(f'| {"One Euro" if smoothing else "off"} | {jitter:.2f} | '
                    + ' | '.join(f'{path[name]:.2f}' for name in MOVING) + f' | {switches} |')
        numbers['on' if smoothing else 'off'] = {'jitter': jitter, 'path_error': path,
                                                 'switches': switches}
        print(rows[-1], flush=True)
    return rows, numbers


def machine() -> str:
    """Return a one-line description of this machine and the software versions."""
    import scipy
    import torch
    import ultralytics
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    return (f'{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, '
            f'Ultralytics {ultralytics.__version__}, torch {torch.__version__}, '
            f'numpy {np.__version__}, scipy {scipy.__version__}, OpenCV {cv2.__version__}')


def write_section(text: str) -> None:
    """Replace (or append) the Tracking section of docs/BENCHMARKS.md, leaving others alone."""
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    old = DOCS.read_text(encoding='utf-8') if DOCS.exists() else '# Benchmarks\n'
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new_lines = lines + ([''] if lines and lines[-1].strip() else []) + text.splitlines()
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith('## ')),
                   len(lines))
        new_lines = lines[:start] + text.splitlines() + ([''] if end < len(lines) else []) \
            + lines[end:]
    DOCS.write_text('\n'.join(new_lines).rstrip('\n') + '\n', encoding='utf-8')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--refresh', action='store_true', help='re-run the model')
    parser.add_argument('--no-docs', action='store_true', help='do not write docs/BENCHMARKS.md')
    args = parser.parse_args()

    model_path = resolve_model_path(DEFAULT_MODEL)
    key = cache_key(model_path)
    sequences = None if args.refresh else load(key)
    if sequences is None:
        sequences = run_model(model_path)
        save(sequences, key)
    identity_rows, identity = identity_table(sequences)
    smoothing_rows, smoothing = smoothing_table(sequences)
    velocity = identity[DEFAULT]['velocity_error_median']
    defaults = TrackerConfig()
    scene_lines = [f'- `{s.name}` ({s.frames} frames): {s.description}.' for s in scenes.SCENES]
    text = '\n'.join([
        SECTION, '',
        f'Measured {datetime.date.today().isoformat()} by `python bench/tracking_eval.py` on '
        f'{machine()}. Detector: `{DEFAULT_MODEL}` (CPU, FP32, conf 0.25, imgsz 640; '
        f'{VTEST_IMGSZ} on vtest.avi, whose people are small) run once on every frame; every '
        f'tracker sees the same detections. Tracker settings: the defaults (`max_age` '
        f'{defaults.max_age} frames, `min_hits` {defaults.min_hits}, `history` '
        f'{defaults.history}), `frame_rate` of the sequence.', '',
        f'Synthetic scenes at {scenes.FPS:.0f} fps, {scenes.WIDTH}x{scenes.HEIGHT}: real '
        'people cut out of the bus.jpg and zidane.jpg of Ultralytics, pasted on the empty '
        'street of vtest.avi, moved along scripted paths, with camera noise:', '',
        *scene_lines, '',
        'IDSW: CLEAR-MOT identity switches (a person matched, at IoU >= 0.5, to another id '
        'than before); in brackets those after the detector had missed the person for more '
        'than `max_age` frames, where a new id is intended. Misses: persons at least half '
        'visible whom no published person matched (the same for all trackers: every tracker '
        'publishes every detection). '
        f'vtest ids: distinct ids (and ids ever confirmed) on the first {VTEST_FRAMES} frames '
        f'of vtest.avi ({VTEST_FPS:.0f} fps, real pedestrians, no ground truth: fewer means '
        'fewer broken tracks). Update ms/frame: the tracker alone. `none` (id 0 for all) is '
        'not scored.', '',
        *identity_rows, '',
        f'Keypoint smoothing (`{DEFAULT}` tracker, One Euro with the default '
        f'`smoothing_min_cutoff` {defaults.smoothing_min_cutoff} Hz, '
        f'`smoothing_beta` {defaults.smoothing_beta}): jitter is the frame-to-frame '
        'movement of confident keypoints of the two people standing still. Path error is '
        'the distance of each keypoint to where it should be (where the model put it on the '
        'original photo, moved with the person), less its constant offset, while the person '
        f'is at least {UNHIDDEN:.0%} visible: it grows with jitter and with the lag smoothing '
        'adds in motion.', '',
        *smoothing_rows, '',
        f'Velocity (`{DEFAULT}`, confirmed persons, synthetic scenes): median error '
        f'{velocity:.0f} px/s against the scripted velocity.', ''])
    print(text)
    totals = {name: sum(numbers['switches'].values()) for name, numbers in identity.items()}
    print(f'default "{DEFAULT}": {totals[DEFAULT]} switches vs ByteTrack '
          f'{totals["bytetrack"]}; on two_cross {identity[DEFAULT]["switches"]["two_cross"]}')
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / 'tracking_eval.json').write_text(json.dumps(
        {'identity': identity, 'smoothing': smoothing}, indent=2, default=float))
    if not args.no_docs:
        write_section(text)
        print(f'wrote the "{SECTION}" section of {DOCS}')


if __name__ == '__main__':
    main()
