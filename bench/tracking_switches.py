# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Classify a tracker's identity switches from motmetrics' event log, to see where they come from.

Run from the repository root in the bench venv, like ``bench/tracking_eval.py`` (on the
cached detections)::

    .venv-bench/bin/python bench/tracking_switches.py --split tuning
    .venv-bench/bin/python bench/tracking_switches.py --split tuning --set max_age=60 --list

``--key`` accepts detections cached under another cache key (``tracking_detections``'
digest of the generator's code), for a cache made before an edit that changed no scene.

Each motmetrics ``SWITCH`` event (a true person matched to another published id than the one
it was last matched to) is put in one class:

- **new id, old gone**: the new id was never matched to anyone before, and the person's old
  id is not published in this frame (fragmentation); the gap is the frames since the person
  was last matched.
- **new id, old published**: the new id is new, but the old id is still published, on no one
  or on someone else (a duplicate or split detection got its own id, or the old id drifted).
- **another's id**: the new id was last matched to another person (crossing, swap).
- **back to an own id**: the new id was matched to this person earlier (a flip back after a
  short detour to another id, which motmetrics counts again).

For the new-id classes it also tells whether the new id was born in this very frame and the
gap; for every class whether the person was counted in the ground truth during the gap.

Across the classes it tells whose each id is, by the person it was matched to most often over
the whole sequence: a switch between two ids that both mostly cover this person means the
person has two tracks and flips between them.
"""

import argparse
import collections

import mot_metrics
import numpy as np
from pose_ros.tracking import create_tracker, TrackerConfig
import scene_generator as generator
from tracking_detections import cache_key, DEFAULT_MODEL, IMGSZ, load, resolve_model_path
from tracking_eval import apply_overrides, CONF, STAMP_ZERO

GAP_BINS = ((1, 1), (2, 5), (6, 15), (16, 30), (31, 60), (61, 10 ** 9))


def run(settings: dict, sequence, frames) -> list:
    """Return [(ids, boxes)] per frame of one of our trackers, run as tracking_eval runs it."""
    settings = dict(settings)
    low_conf = settings.pop('low_conf', CONF)
    tracker = create_tracker(TrackerConfig(**{'frame_rate': sequence.fps, **settings}))
    outputs = []
    for index, detections in enumerate(sequence.detections):
        sure = detections.scores >= CONF
        faint = (detections.scores >= low_conf) & ~sure
        pick = [type(detections)(detections.boxes[m], detections.scores[m],
                                 detections.keypoints[m]) for m in (sure, faint)]
        persons = tracker.update(pick[0], STAMP_ZERO + index / sequence.fps,
                                 image=frames[index], faint=pick[1])
        outputs.append(mot_metrics.FrameOutput([p.track_id for p in persons],
                                               np.array([p.box for p in persons])))
    return outputs


def _height(truth, person) -> float:
    box = truth.boxes[int(person)]
    return max(1.0, box[3] - box[1])


def classify(sequence, outputs) -> list:
    """Return one dict per SWITCH event of ``outputs`` against the sequence's truth."""
    accumulator, _ = mot_metrics.accumulate(sequence.truth, outputs)
    events = accumulator.mot_events.reset_index()
    born = {}
    for frame, output in enumerate(outputs):
        for track_id in output.ids:
            born.setdefault(track_id, frame)
    counted = [set(mot_metrics.overlap(t, np.zeros((0, 4)))[0].tolist())
               for t in sequence.truth]
    matched = events[events.Type.isin(['MATCH', 'SWITCH'])]
    current, last_frame, owner, used = {}, {}, {}, {}
    history = collections.defaultdict(set)
    by_frame = collections.defaultdict(dict)    # frame -> {hid: oid}
    covered = collections.defaultdict(collections.Counter)   # hid -> {oid: frames matched}
    for row in matched.itertuples():
        by_frame[row.FrameId][row.HId] = row.OId
        covered[row.HId][row.OId] += 1
    mostly = {hid: people.most_common(1)[0][0] for hid, people in covered.items()}
    found = []
    for row in matched.itertuples():
        frame, person, track_id = row.FrameId, row.OId, row.HId
        if row.Type == 'SWITCH':
            old = current[person]
            published = set(outputs[frame].ids)
            gap = frame - last_frame[person]
            if track_id in history[person]:
                kind = 'back to an own id'
            elif track_id in owner:
                kind = "another's id"
            elif old in published:
                kind = 'new id, old published'
            else:
                kind = 'new id, old gone'
            old_on = by_frame[frame].get(old)
            previous = owner.get(track_id)
            found.append({
                'sequence': sequence.name, 'frame': frame, 'person': person, 'old': old,
                'new': track_id, 'kind': kind, 'gap': gap,
                'new_age': frame - born[track_id],
                'old_mostly_this_person': mostly[old] == person,
                'new_mostly_this_person': mostly[track_id] == person,
                'old_on': 'none' if old not in published else (
                    'unmatched' if old_on is None else 'other person'),
                'counted_in_gap': sum(person in counted[f] for f in range(frame - gap + 1,
                                                                          frame)),
                'old_alive_frames': frame - born[old],
                'new_id_idle': frame - used[track_id] if track_id in used else -1,
                'new_id_owner': previous,
                'owner_height_ratio': None if previous is None else round(float(
                    _height(sequence.truth[frame], previous)
                    / _height(sequence.truth[frame], person)), 2),
                'owner_visibility': None if previous is None else round(float(
                    sequence.truth[frame].visibility[int(previous)]), 2),
                'new_id_owner_counted': previous is not None and previous in counted[frame],
                'new_id_owner_now': current.get(previous) if previous in last_frame
                and last_frame[previous] == frame else None})
        current[person] = track_id
        last_frame[person] = frame
        owner[track_id] = person
        used[track_id] = frame
        history[person].add(track_id)
    return found


def report(found: list, total: int, show: bool) -> None:
    """Print the switch classes, their gaps and, with ``show``, every switch."""
    print(f'{len(found)} switches (motmetrics num_switches {total})')
    kinds = collections.Counter(f['kind'] for f in found)
    bins = ' / '.join(f'{a}-{b}' if b < 10 ** 9 else f'>{a - 1}' for a, b in GAP_BINS)
    print('| class | switches | new id born this frame | old id on: none / unmatched / '
          f'other | gap {bins} |')
    print('|---|---|---|---|---|')
    for kind, count in kinds.most_common():
        rows = [f for f in found if f['kind'] == kind]
        newborn = sum(f['new_age'] == 0 for f in rows)
        on = collections.Counter(f['old_on'] for f in rows)
        gaps = [sum(a <= f['gap'] <= b for f in rows) for a, b in GAP_BINS]
        print(f'| {kind} | {count} | {newborn} | {on["none"]} / {on["unmatched"]} / '
              f'{on["other person"]} | {" / ".join(map(str, gaps))} |')
    owners = collections.Counter((f['old_mostly_this_person'], f['new_mostly_this_person'])
                                 for f in found)
    print("whose ids (by the person each covers most): both this person's (two tracks) "
          f"{owners[True, True]}, from own to another's {owners[True, False]}, from "
          f"another's back to own {owners[False, True]}, neither {owners[False, False]}")
    gapped = [f for f in found if f['gap'] > 1]
    print(f'{len(gapped)} switches after a gap; the person was counted (visible) in '
          f'{sum(f["counted_in_gap"] for f in gapped)} of their '
          f'{sum(f["gap"] - 1 for f in gapped)} gap frames')
    per_sequence = collections.Counter(f['sequence'] for f in found)
    print('most switches:', ', '.join(f'{s} {c}' for s, c in per_sequence.most_common(8)))
    if show:
        for f in found:
            print(' '.join(f'{k}={v}' for k, v in f.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--split', choices=('tuning', 'report'), default='tuning')
    parser.add_argument('--set', action='append', default=[], help='name=value override')
    parser.add_argument('--limit', type=int, help='first N sequences only')
    parser.add_argument('--key', help='cache key to accept (default: the current one)')
    parser.add_argument('--list', action='store_true', help='print every switch')
    args = parser.parse_args()
    settings = {'low_conf': CONF}     # the default: low-score association off
    trackers = {'pose': settings}
    apply_overrides(args.set, trackers)
    key = args.key or cache_key(resolve_model_path(DEFAULT_MODEL), IMGSZ)
    found, total = [], 0
    for scene in list(generator.scenes(args.split))[:args.limit]:
        sequence = load(scene.name, key)
        if sequence is None:
            raise SystemExit(f'{scene.name} is not cached under key {key}: run '
                             'python bench/tracking_detections.py first')
        frames = [sequence.frame(i) for i in range(len(sequence))]
        outputs = run(settings, sequence, frames)
        switches = classify(sequence, outputs)
        found += switches
        accumulator, _ = mot_metrics.accumulate(sequence.truth, outputs)
        total += int((accumulator.mot_events.Type == 'SWITCH').sum())
    report(found, total, args.list)


if __name__ == '__main__':
    main()
