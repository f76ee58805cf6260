# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The levers of the ``pose`` tracker, each on a crossing scene where it decides the outcome.

* Appearance: a person stops while hidden behind another; motion says they are far away on
  the other side by the time they show again, the clothes say who they are.
* Low-score association: a person passes slowly behind another, seen only faintly (below
  ``conf``) for longer than any track survives unseen.
* Occlusion reasoning: a person hidden behind a nearer one survives past ``max_age``.

Each scene is also run with its lever off, to show that the lever is what decides.
"""

import numpy as np
from pose_ros.pose_types import PoseDetections
from pose_ros.tracking import create_tracker, TrackerConfig
from pose_ros.tracking.appearance import PART_STARTS, PARTS, SAMPLE_PART, Signature, \
    signatures, similarity, update_signatures
import pytest
from tracking_scenes import frame, paint, person

FPS = 30.0
RED, BLUE = (40, 40, 200), (160, 60, 20)
GREEN, YELLOW = (40, 170, 40), (40, 200, 220)


def stamp(index: int) -> float:
    return 1764100000.0 + index / FPS


def dressed(x, y, height, shirt, trousers, score=0.9) -> tuple:
    box, keypoints, _ = person(x, y, height, score)
    return box, keypoints, score, shirt, trousers


def _stop_while_hidden(tracker, with_image=True) -> list:
    """
    Return B's published id in every frame B is detected, in this scene.

    A walks right and stops; B (farther) walks left, stops behind A and stays there, hidden
    for 1.5 s; then A walks on. B's track expects B far to the left by then.
    """
    b_ids = []
    for i in range(80):
        a_x = 100 + 8 * min(i, 25) + 8 * max(0, i - 55)
        b_x = max(300.0, 500 - 8 * i)            # B stops at x = 300, behind A
        a = dressed(a_x, 100, 200, RED, BLUE)
        b = dressed(b_x + 6, 120, 170, GREEN, YELLOW)
        hidden = abs(a_x - b_x) < 85             # A covers B: the detector misses B
        people = [a] if hidden else [a, b]
        image = paint([a, b], seed=i)   # B is there all along, behind A while hidden
        persons = tracker.update(frame(*(p[:3] for p in people)), stamp(i),
                                 image=image if with_image else None)
        if not hidden:
            b_ids.append(persons[1].track_id)
    return b_ids


def test_appearance_keeps_the_id_of_a_person_who_stopped_while_hidden():
    b_ids = _stop_while_hidden(create_tracker(TrackerConfig(frame_rate=FPS)))
    assert set(b_ids) == {2}, b_ids


@pytest.mark.parametrize('off', [{'appearance_weight': 0.0}, {'image': None}])
def test_without_appearance_that_person_gets_a_new_id(off):
    settings = {k: v for k, v in off.items() if k != 'image'}
    tracker = create_tracker(TrackerConfig(frame_rate=FPS, **settings))
    b_ids = _stop_while_hidden(tracker, with_image='image' not in off)
    assert len(set(b_ids)) == 2, b_ids   # the lever decides this scene


def _slow_pass_behind(tracker, faint_score: float) -> list:
    """
    B passes slowly behind A, who stands; while they overlap, B scores only ``faint_score``.

    Both wear the same clothes, so appearance cannot tell them apart. Return B's ids.
    """
    b_ids = []
    for i in range(150):
        a = dressed(300, 100, 200, RED, BLUE)
        b = dressed(440 - 1.5 * i, 160, 130, RED, BLUE)
        behind = 230 < b[0][0] < 390          # B's box overlaps A's: about 3.5 s
        image = paint([b, a], seed=i)
        if behind:
            confident = frame(a[:3])
            faint = frame(b[:3]) if faint_score else PoseDetections.empty()
            if faint_score:
                faint.scores[:] = faint_score
            tracker.update(confident, stamp(i), image=image, faint=faint)
        else:
            persons = tracker.update(frame(a[:3], b[:3]), stamp(i), image=image)
            b_ids.append(persons[1].track_id)
    return b_ids


def test_low_score_detections_keep_the_id_of_a_person_seen_faintly_behind_another():
    b_ids = _slow_pass_behind(create_tracker(TrackerConfig(frame_rate=FPS)), 0.15)
    assert set(b_ids) == {2}, b_ids


def test_without_low_score_association_that_person_gets_a_new_id():
    b_ids = _slow_pass_behind(create_tracker(TrackerConfig(frame_rate=FPS)), None)
    assert len(set(b_ids)) == 2, b_ids   # the lever decides this scene


def _hidden_for(tracker, frames: int) -> list:
    """B stands behind A (nearer) for ``frames`` frames, unseen; return B's ids."""
    b_ids = []
    for i in range(10 + frames + 5):
        a = person(300, 100, 200)
        b = person(345, 150, 140)    # A, nearer, covers most of B
        if 10 <= i < 10 + frames:
            tracker.update(frame(a), stamp(i))
        else:
            b_ids.append(tracker.update(frame(a, b), stamp(i))[1].track_id)
    return b_ids


def test_a_person_hidden_behind_a_nearer_one_survives_past_max_age():
    tracker = create_tracker(TrackerConfig(frame_rate=FPS, max_age=30, occluded_max_age=60))
    assert set(_hidden_for(tracker, 55)) == {2}


def test_a_hidden_person_still_times_out_after_occluded_max_age():
    tracker = create_tracker(TrackerConfig(frame_rate=FPS, max_age=30, occluded_max_age=60))
    assert len(set(_hidden_for(tracker, 62))) == 2
    tracker = create_tracker(TrackerConfig(frame_rate=FPS, max_age=30, occluded_max_age=0))
    assert len(set(_hidden_for(tracker, 35))) == 2   # reasoning off: max_age applies


def test_signatures_tell_clothes_apart_and_ignore_what_a_nearer_person_covers():
    a, b = dressed(100, 100, 200, RED, BLUE), dressed(400, 100, 200, GREEN, YELLOW)
    image = paint([a, b])
    boxes = np.stack([a[0], b[0]])
    colours, counts = signatures(image, boxes, np.stack([a[1], b[1]]), 0.3)
    assert (counts > 0).all()
    looks = similarity(colours, counts, colours, counts)
    assert looks[0, 0] > 0.9 and looks[1, 1] > 0.9 and looks[0, 1] < 0.3
    # B stands right behind A (A's box reaches lower): B's samples inside A's box are dropped.
    behind = dressed(110, 90, 200, GREEN, YELLOW)
    image = paint([behind, a])
    _, counts = signatures(image, np.stack([a[0], behind[0]]),
                           np.stack([a[1], behind[1]]), 0.3)
    assert counts[1].sum() == 0 and counts[0].sum() > 0


def test_one_part_that_went_wrong_costs_only_its_share_of_the_similarity():
    seen = np.ones((1, len(PARTS)))
    person_colours = np.tile([[120.0, 80.0, 60.0]], (1, len(PARTS), 1))
    one_part_off = person_colours.copy()
    one_part_off[0, 5] = (250.0, 250.0, 250.0)   # shins sampled on a white pillar
    looks = similarity(person_colours, seen, one_part_off, seen)[0, 0]
    assert looks == pytest.approx(5 / 6, abs=1e-6)
    everything_off = person_colours + 60.0          # another person's clothes
    assert similarity(person_colours, seen, everything_off, seen)[0, 0] < 0.1
    shown = np.array([[0, 0, 0, 0, 1, 1]])          # only two parts in common: still compared
    assert similarity(person_colours, seen, one_part_off, shown)[0, 0] == pytest.approx(0.5)
    assert np.isnan(similarity(person_colours, seen, one_part_off, shown * [0, 0, 0, 0, 0, 1]))


def test_each_part_sums_its_own_samples():
    # signatures() sums each part's samples as one run, from PART_STARTS on
    assert (np.diff(SAMPLE_PART) >= 0).all()
    assert [SAMPLE_PART[start] for start in PART_STARTS] == list(range(len(PARTS)))


def test_a_signature_learns_fast_then_slowly_and_keeps_what_it_did_not_see():
    signature = Signature(0.1)
    seen = np.ones(len(PARTS))
    signature.update(np.full((len(PARTS), 3), 100.0), seen)
    assert np.allclose(signature.colours, 100.0)
    signature.update(np.full((len(PARTS), 3), 200.0), seen)
    assert np.allclose(signature.colours, 150.0)           # second sighting: half way
    hidden_legs = seen.copy()
    hidden_legs[4:] = 0
    signature.update(np.zeros((len(PARTS), 3)), hidden_legs)
    assert np.allclose(signature.colours[4:], 150.0)       # parts not shown keep their colour
    assert np.allclose(signature.colours[:4], 100.0)       # third sighting: a third of the way
    for _ in range(30):
        signature.update(np.zeros((len(PARTS), 3)), seen)
    before = signature.colours.copy()
    signature.update(np.full((len(PARTS), 3), 100.0), seen)
    assert np.allclose(signature.colours - before, 0.1 * (100.0 - before))   # then at rate
    # updating many signatures at once gives what one by one gives
    rng = np.random.default_rng(3)
    alone, together = [Signature(0.1) for _ in range(3)], [Signature(0.1) for _ in range(3)]
    for _ in range(4):
        colours = rng.uniform(0, 255, (3, len(PARTS), 3))
        counts = rng.integers(0, 2, (3, len(PARTS)))
        for signature, c, n in zip(alone, colours, counts):
            signature.update(c, n)
        update_signatures(together, colours, counts)
    for one, other in zip(alone, together):
        assert np.allclose(one.colours, other.colours) and np.allclose(one.counts, other.counts)
