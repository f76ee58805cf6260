# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Ultralytics' ByteTrack and BoT-SORT behind our seam: pinned settings, our ids, no hiding.

These drive the installed Ultralytics trackers themselves (nothing is mocked).
"""

import pathlib

import numpy as np
from pose_ros.tracking import create_tracker, TrackerConfig
from pose_ros.tracking.ultralytics_trackers import (botsort_args, bytetrack_args,
                                                    TESTED_ULTRALYTICS_VERSION)
import pytest
from tracking_scenes import frame, ids, person
import ultralytics
from ultralytics.utils import YAML

PACKAGED = pathlib.Path(ultralytics.__file__).parent / 'cfg' / 'trackers'
# Where our pins deliberately differ from Ultralytics' packaged defaults.
OVERRIDDEN = {'track_buffer', 'gmc_method'}


def test_the_tested_ultralytics_is_installed():
    assert ultralytics.__version__ == TESTED_ULTRALYTICS_VERSION


@pytest.mark.parametrize('name, pinned', [('bytetrack', bytetrack_args),
                                          ('botsort', botsort_args)])
def test_every_packaged_setting_is_pinned_to_its_value(name, pinned):
    packaged = YAML.load(PACKAGED / f'{name}.yaml')
    ours = vars(pinned(TrackerConfig(max_age=30)))
    assert set(packaged) <= set(ours), 'a new Ultralytics setting is not pinned'
    for key, value in packaged.items():
        if key not in OVERRIDDEN:
            assert ours[key] == value, key


def test_botsort_runs_without_camera_motion_compensation_or_reid():
    args = botsort_args(TrackerConfig())
    assert args.gmc_method == 'none' and args.with_reid is False
    tracker = create_tracker(TrackerConfig(name='botsort')).ultralytics_tracker
    assert tracker.gmc.method is None and tracker.encoder is None


def _same_id_after(name: str, max_age: int, unseen: int) -> bool:
    """Return whether a standing person keeps its id after ``unseen`` frames without it."""
    tracker = create_tracker(TrackerConfig(name=name, max_age=max_age))
    for i in range(3):
        tracker.update(frame(person(200)), i / 30)
    for i in range(unseen):
        tracker.update(frame(), (3 + i) / 30)
    return ids(tracker.update(frame(person(200)), (3 + unseen) / 30)) == [1]


@pytest.mark.parametrize('name', ['bytetrack', 'botsort'])
@pytest.mark.parametrize('max_age', [2, 5, 45])
def test_lost_tracks_survive_exactly_max_age_frames(name, max_age):
    kept = [_same_id_after(name, max_age, unseen) for unseen in range(1, max_age + 4)]
    assert kept == [True] * max_age + [False] * 3
    assert bytetrack_args(TrackerConfig(max_age=max_age)).track_buffer == max_age - 1


@pytest.mark.parametrize('name', ['bytetrack', 'botsort'])
def test_max_age_below_two_is_refused(name):
    with pytest.raises(ValueError, match='max_age >= 2'):
        create_tracker(TrackerConfig(name=name, max_age=1))


@pytest.mark.parametrize('name', ['bytetrack', 'botsort'])
def test_a_detection_ultralytics_ignores_still_gets_its_own_id(name):
    tracker = create_tracker(TrackerConfig(name=name))
    faint = person(500, score=0.05)   # below track_low_thresh: Ultralytics makes no track
    first = tracker.update(frame(person(100), faint), 0.0)
    second = tracker.update(frame(person(102), faint), 0.1)
    assert ids(first) == [1, 2] and ids(second) == [1, 3]
    assert not first[1].confirmed and not second[1].confirmed


@pytest.mark.parametrize('name', ['bytetrack', 'botsort'])
def test_tentative_tracks_are_published_with_ultralytics_own_track(name):
    tracker = create_tracker(TrackerConfig(name=name, min_hits=1))
    tracker.update(frame(person(100)), 0.0)
    persons = tracker.update(frame(person(101), person(600)), 0.1)   # newcomer: not activated
    tentative = [t for t in tracker.ultralytics_tracker.tracked_stracks if not t.is_activated]
    assert len(tentative) == 1 and int(tentative[0].idx) == 1
    assert ids(persons) == [1, 2]
    assert [p.confirmed for p in persons] == [True, False]
    persons = tracker.update(frame(person(102), person(601)), 0.2)   # now activated
    assert ids(persons) == [1, 2]
    assert [p.confirmed for p in persons] == [True, True]


def test_ultralytics_ids_restart_after_reset_but_ours_do_not():
    tracker = create_tracker(TrackerConfig(name='bytetrack'))
    tracker.update(frame(person(100), person(400)), 0.0)
    tracker.reset()
    persons = tracker.update(frame(person(100), person(400)), 1.0)
    inner = sorted(t.track_id for t in tracker.ultralytics_tracker.tracked_stracks)
    assert inner == [1, 2]
    assert ids(persons) == [3, 4]


def test_published_boxes_are_the_detections_not_kalman_estimates():
    tracker = create_tracker(TrackerConfig(name='bytetrack'))
    for i in range(5):
        box = person(100 + 10 * i)[0]
        persons = tracker.update(frame(person(100 + 10 * i)), i / 30)
        np.testing.assert_array_equal(persons[0].box, box)
