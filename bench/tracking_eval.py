# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Evaluate the trackers on cached detections: identity switches, misses, MOTA, IDF1, HOTA.

First cache the detections (main venv: ``python bench/tracking_detections.py``), then, from
the repository root, in the bench venv (``make bench-venv``) with ``install/setup.bash``
sourced::

    .venv-bench/bin/python bench/tracking_eval.py --split tuning          # tune on this
    .venv-bench/bin/python bench/tracking_eval.py --split report --docs   # publish this

Every tracker gets the same detections. Ours run as pose_node runs them: persons at or above
``conf`` (0.25) are published, those from ``track_low_conf`` (0.1) up to it are passed as
``faint``, and the image goes along. The lines to beat (``baseline_trackers``) get the
detections at 0.1, as ``model.track`` does. ``--set name=value`` overrides a TrackerConfig
field or a module constant (``pose_tracker.REID_APPEARANCE=0.7``) for tuning.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
import time

from baseline_trackers import Boxmot, ModelTrack
import mot_metrics
import numpy as np
from pose_ros.tracking import appearance, create_tracker, pose_tracker, TrackerConfig
import scene_generator as generator
from tracking_detections import CACHE, cache_key, DEFAULT_MODEL, IMGSZ, load, \
    resolve_model_path, VTEST_FRAMES, VTEST_IMGSZ
import truth_labeller

REPO = pathlib.Path(__file__).resolve().parents[1]
OUT = REPO / 'bench' / 'out'
DOCS = REPO / 'docs' / 'BENCHMARKS.md'
SECTION = '## Tracking'
CONF, LOW_CONF = 0.25, 0.1      # pose_node's conf, and track_low_conf where it is on
STAMP_ZERO = 1764100000.0       # an epoch-like first stamp, as from a live camera
DEFAULT = TrackerConfig().name
OURS = {'pose, low-score association on (`track_low_conf` 0.1)': {},
        'pose, low-score on, appearance off': {'appearance_weight': 0.0},
        'pose (default: low-score association off)': {'low_conf': CONF},
        'pose, low-score on, occlusion reasoning off': {'occluded_max_age': 0},
        'pose default, publishing only confirmed persons (as model.track does; not what '
        'pose_node does)': {'low_conf': CONF, 'confirmed_only': True},
        'bytetrack (our adapter, with the low-score detections)': {'name': 'bytetrack'},
        'botsort (our adapter, with the low-score detections)': {'name': 'botsort'}}
BASELINES = {'model.track, bytetrack.yaml': ModelTrack('bytetrack.yaml'),
             'model.track, botsort.yaml': ModelTrack('botsort.yaml'),
             'boxmot OC-SORT': Boxmot('ocsort'), 'boxmot ByteTrack': Boxmot('bytetrack')}
LABELLER = 'reference: the truth labeller (knows who is who; `bench/truth_labeller.py`)'
BASELINES[LABELLER] = truth_labeller.TruthLabeller(CONF)
SKELETON_LABELLER = ('reference: the truth labeller following the skeletons (names each '
                     'detection after the person whose keypoints it shows)')
BASELINES[SKELETON_LABELLER] = truth_labeller.TruthLabeller(CONF, by='skeleton')
MODULES = {'pose_tracker': pose_tracker, 'appearance': appearance}


def run_ours(settings: dict, sequence, frames) -> tuple:
    """Return (FrameOutputs, confirmed ids, update seconds) of one of our trackers."""
    settings = dict(settings)
    low_conf = settings.pop('low_conf', LOW_CONF)
    confirmed_only = settings.pop('confirmed_only', False)
    config = TrackerConfig(**{'frame_rate': sequence.fps, **settings})
    tracker = create_tracker(config)
    outputs, confirmed, seconds = [], set(), 0.0
    for index, detections in enumerate(sequence.detections):
        sure = detections.scores >= CONF
        faint = (detections.scores >= low_conf) & ~sure
        pick = [type(detections)(detections.boxes[m], detections.scores[m],
                                 detections.keypoints[m]) for m in (sure, faint)]
        start = time.perf_counter()
        persons = tracker.update(pick[0], STAMP_ZERO + index / sequence.fps,
                                 image=frames[index], faint=pick[1])
        seconds += time.perf_counter() - start
        confirmed.update(p.track_id for p in persons if p.confirmed)
        if confirmed_only:
            persons = [p for p in persons if p.confirmed]
        outputs.append(mot_metrics.FrameOutput([p.track_id for p in persons],
                                               np.array([p.box for p in persons])))
    return outputs, confirmed, seconds


def evaluate(names: list, trackers: dict, baselines: dict) -> dict:
    """Run every tracker on every sequence; return their scores."""
    scores = {}
    accumulators = {label: ([], []) for label in list(trackers) + list(baselines)}
    timing = {label: [0.0, 0] for label in trackers}
    for name in names:
        sequence = load(name)
        frames = [sequence.frame(i) for i in range(len(sequence))]
        for label in accumulators:
            if label in trackers:
                outputs, _, seconds = run_ours(trackers[label], sequence, frames)
                timing[label][0] += seconds
                timing[label][1] += len(sequence)
            else:
                outputs = baselines[label].run(sequence)
            accumulator, hota = mot_metrics.accumulate(sequence.truth, outputs)
            accumulators[label][0].append(accumulator)
            accumulators[label][1].append(hota)
    for label, (mot, hota) in accumulators.items():
        scores[label] = mot_metrics.summary(mot, hota)
        if label in timing:
            scores[label]['update_ms'] = 1000 * timing[label][0] / max(1, timing[label][1])
    return scores


def vtest_ids(trackers: dict, baselines: dict) -> dict:
    """Return the distinct (and confirmed) ids each tracker gives on vtest.avi."""
    sequence = load('vtest')
    if sequence is None:
        return {}
    frames = [sequence.frame(i) for i in range(len(sequence))]
    found = {}
    for label, settings in trackers.items():
        outputs, confirmed, _ = run_ours(settings, sequence, frames)
        found[label] = (len({i for o in outputs for i in o.ids}), len(confirmed))
    for label, baseline in baselines.items():
        if getattr(baseline, 'needs_truth', False):
            continue    # vtest.avi has no ground truth
        outputs = baseline.run(sequence)
        found[label] = (len({i for o in outputs for i in o.ids}), None)
    return found


def apply_overrides(pairs: list, trackers: dict) -> None:
    """Apply ``--set`` overrides to our trackers' settings or to module constants."""
    for pair in pairs:
        key, value = pair.split('=', 1)
        value = json.loads(value) if value[:1] in '-0123456789tf[' else value
        if '.' in key:
            module, constant = key.split('.', 1)
            setattr(MODULES[module], constant, value)
        else:
            for settings in trackers.values():
                if settings.get('name', 'pose') == 'pose' and key not in settings:
                    settings[key] = value


def table(scores: dict, vtest: dict) -> list:
    """Return the markdown rows of the results."""
    rows = ['| tracker | IDSW | misses | false pos. | MOTA | IDF1 | HOTA | vtest ids '
            '(confirmed) | update ms/frame (provisional) |',
            '|---|---|---|---|---|---|---|---|---|']
    for label, s in scores.items():
        ids = vtest.get(label)
        ids_text = 'n/a' if ids is None else (
            f'{ids[0]}' if ids[1] is None else f'{ids[0]} ({ids[1]})')
        ms = f'{s["update_ms"]:.2f}' if 'update_ms' in s else '—'
        rows.append(f'| {label} | **{s["num_switches"]:.0f}** | {s["num_misses"]:.0f} | '
                    f'{s["num_false_positives"]:.0f} | {s["mota"]:.3f} | {s["idf1"]:.3f} | '
                    f'{s["hota"]:.3f} | {ids_text} | {ms} |')
    return rows


def machine() -> str:
    """Return a one-line description of this machine and the software versions."""
    import motmetrics
    import scipy
    import torch
    import trackeval  # noqa: F401
    import ultralytics
    from importlib.metadata import version
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
            f'numpy {np.__version__}, scipy {scipy.__version__}, boxmot {version("boxmot")}, '
            f'motmetrics {motmetrics.__version__}, trackeval {version("trackeval")}')


def write_section(text: str) -> None:
    """Replace (or append) the Tracking section of docs/BENCHMARKS.md, leaving others alone."""
    old = DOCS.read_text(encoding='utf-8') if DOCS.exists() else '# Benchmarks\n'
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new_lines = lines + [''] + text.splitlines()
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith('## ')),
                   len(lines))
        new_lines = lines[:start] + text.splitlines() + ([''] if end < len(lines) else []) \
            + lines[end:]
    DOCS.write_text('\n'.join(new_lines).rstrip('\n') + '\n', encoding='utf-8')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--split', choices=('tuning', 'report'), default='tuning')
    parser.add_argument('--set', action='append', default=[], help='name=value override')
    parser.add_argument('--only', action='append', help='evaluate only these labels')
    parser.add_argument('--limit', type=int, help='first N sequences only')
    parser.add_argument('--no-vtest', action='store_true')
    parser.add_argument('--cached-only', action='store_true',
                        help='skip sequences not cached yet (while tuning)')
    parser.add_argument('--docs', action='store_true', help='write docs/BENCHMARKS.md')
    args = parser.parse_args()

    trackers = {label: dict(settings) for label, settings in OURS.items()}
    baselines = dict(BASELINES)
    if args.only:
        trackers = {k: v for k, v in trackers.items() if k in args.only}
        baselines = {k: v for k, v in baselines.items() if k in args.only}
    apply_overrides(args.set, trackers)
    key = cache_key(resolve_model_path(DEFAULT_MODEL), IMGSZ)
    names = [s.name for s in generator.scenes(args.split)][:args.limit]
    missing = [n for n in names if load(n, key) is None]
    if args.cached_only:
        names = [n for n in names if n not in missing]
        missing = []
    if missing:
        sys.exit(f'{len(missing)} sequences are not cached under {CACHE} (e.g. {missing[0]}): '
                 'run python bench/tracking_detections.py first')
    start = time.perf_counter()
    scores = evaluate(names, trackers, baselines)
    vtest = {} if args.no_vtest else vtest_ids(trackers, baselines)
    rows = table(scores, vtest)
    print('\n'.join(rows))
    print(f'{len(names)} sequences of {args.split}, {time.perf_counter() - start:.0f} s')
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f'tracking_eval_{args.split}.json').write_text(json.dumps(
        {'scores': scores, 'vtest': vtest, 'overrides': args.set}, indent=1))
    if args.docs:
        write_section(section_text(args.split, names, rows, scores))
        print(f'wrote the "{SECTION}" section of {DOCS}')


def section_text(split: str, names: list, rows: list, scores: dict) -> str:
    """Return the Tracking section of docs/BENCHMARKS.md."""
    sequences = [generator.scene(split, int(n.rsplit('_', 1)[1])) for n in names]
    frames = sum(s.frames for s in sequences)
    people = sum(len(s.people) for s in sequences)
    default = scores['pose (default: low-score association off)']
    line = scores['model.track, bytetrack.yaml']
    return '\n'.join([
        SECTION, '',
        f'Measured {datetime.date.today().isoformat()} by `bench/tracking_eval.py --split '
        f'{split}` on {machine()}.', '',
        f'**Scenes:** the `{split}` split of `bench/scene_generator.py`: {len(sequences)} '
        f'seeded sequences ({frames} frames at {generator.FPS:.0f} fps, {people} people, '
        f'{generator.WIDTH}x{generator.HEIGHT}), never used for tuning (the tracker was tuned '
        "on the `tuning` split, other seeds). Real people cut out of Ultralytics' bus.jpg, "
        'in five colourings, walk over the empty street of vtest.avi at several depths: '
        'crossings at one depth and at two, full occlusions behind a nearer person or a pillar '
        'of up to 2 s, people who stop, turn back or walk side by side, similar clothing, '
        'speeds of 0 to 60 px per frame, camera noise.', '',
        f'**Detections:** `{DEFAULT_MODEL}` (CPU, FP32, imgsz {IMGSZ}, rect input) once per '
        'frame, cached; every tracker sees the same ones. Ours run as pose_node runs them: '
        f'persons at or above `conf` {CONF} are published, the image goes along; where '
        f'low-score association is on, those from `track_low_conf` {LOW_CONF} up to `conf` '
        'only continue tracks. `model.track` and '
        f'boxmot get every detection from {LOW_CONF} up, as `model.track` detects at 0.1. '
        'vtest.avi: the first '
        f'{VTEST_FRAMES} frames at imgsz {VTEST_IMGSZ}, 10 fps, real pedestrians, no ground '
        'truth: distinct ids, fewer means fewer broken tracks.', '',
        '**Scores** by `motmetrics` (CLEAR-MOT: IDSW, misses, false positives, MOTA; IDF1) '
        'and `trackeval` (HOTA), not by our own code. Ground truth: people at least 25 % '
        'visible; a published box matches at IoU >= 0.5 with the full or the visible box.', '',
        *rows, '',
        'The update times (the tracker alone, per frame, with the image) were taken on the '
        'shared machine under load and are provisional; the 1 ms budget for 10 people is '
        'checked by `python bench/tracker_timing.py` on a quiet machine. `model.track` is '
        'replayed on the cached detections (`bench/baseline_trackers.py`); '
        '`bench/model_track_check.py` compares the replay with the real `model.track` on '
        'rendered frames.', '',
        f'The default `pose` makes {default["num_switches"]:.0f} identity switches where '
        f'`model.track(persist=True)` with bytetrack.yaml makes {line["num_switches"]:.0f} '
        f'({default["num_switches"] / max(1, line["num_switches"]):.2f} of them), with '
        f'{default["num_misses"]:.0f} misses against its {line["num_misses"]:.0f}.', '',
        *labeller_text(scores), ''])


def labeller_text(scores: dict) -> list:
    """Return what the truth labeller's row means, if it was run."""
    if LABELLER not in scores:
        return []
    floor = scores[LABELLER]['num_switches']
    line = scores['model.track, bytetrack.yaml']['num_switches']
    return [f'The truth labeller is not a tracker: it publishes what pose_node publishes '
            '(every detection at or above `conf`, with its own box) and names each after the '
            'true person it covers best, frame by frame. Its '
            f'{floor:.0f} identity switches are what knowing the truth still leaves: the '
            'detections cause them (two people merged into one box, a box that jumps between '
            'a whole and a partly hidden person, fragments). It is a reference, not a strict '
            "floor. One third of `model.track`'s switches is "
            f'{line / 3:.0f}, {line / 3 / max(1, floor):.1f} times that count.',
            *skeleton_text(scores, line)]


def skeleton_text(scores: dict, line: float) -> list:
    """Return what the skeleton-following labeller's row means, if it was run."""
    if SKELETON_LABELLER not in scores:
        return []
    switches = scores[SKELETON_LABELLER]['num_switches']
    return ['', 'The labeller following the skeletons names each detection after the person '
            'whose keypoints it shows (OKS at least '
            f'{truth_labeller.SKELETON_OKS} with their visible true keypoints), and only '
            'where they show no one after the person its box covers best: the ids of a '
            'tracker that follows every skeleton without a mistake, scored on the boxes. '
            f'It makes {switches:.0f} identity switches ({switches / max(1, line):.2f} of '
            "`model.track`'s). Where the detector draws one person's skeleton in a box that "
            'covers another person best, following the skeleton, which is what a robot reads, '
            'counts as a switch; keeping the name of the box would misname the skeleton.']


if __name__ == '__main__':
    main()
