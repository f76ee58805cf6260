# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The tracker seam and what every tracker promises, on synthetic detections (no model, no ROS).

Crossing people, occlusion up to ``max_age``, re-entry, ids never reused, first-frame
publication, stamp-based velocity and smoothing.
"""

from hypothesis import given, settings, strategies as st
import numpy as np
from pose_ros.pose_types import PoseDetections
from pose_ros.tracking import create_tracker, NoTracker, tracker_names, TrackerConfig
import pytest
from tracking_scenes import frame, ids, person

TRACKING = ('pose', 'bytetrack', 'botsort')
FPS = 30.0


def make(name, **settings_) -> object:
    return create_tracker(TrackerConfig(name=name, frame_rate=FPS, **settings_))


def stamp(index: int) -> float:
    return 1764100000.0 + index / FPS


def test_tracker_names_and_default():
    assert set(tracker_names()) == {'pose', 'bytetrack', 'botsort', 'none'}
    assert TrackerConfig().name == 'pose'


def test_unknown_tracker_names_the_choices():
    with pytest.raises(ValueError, match='pose, bytetrack, botsort, none'):
        create_tracker(TrackerConfig(name='sort'))


@pytest.mark.parametrize('setting', [{'min_hits': 0}, {'frame_rate': 0}, {'history': 1},
                                     {'max_age': -1}, {'match_threshold': 0}])
def test_impossible_settings_are_refused(setting):
    with pytest.raises(ValueError, match=next(iter(setting))):
        create_tracker(TrackerConfig(name='pose', **setting))


def test_none_tracker_gives_id_zero():
    tracker = create_tracker(TrackerConfig(name='none'))
    assert isinstance(tracker, NoTracker)
    assert ids(tracker.update(frame(person(10), person(300)), stamp(0))) == [0, 0]


@pytest.mark.parametrize('name', TRACKING)
def test_every_person_is_published_in_the_first_frame(name):
    tracker = make(name)
    detections = frame(person(10), person(300), person(600, score=0.4))
    persons = tracker.update(detections, stamp(0))
    assert len(persons) == 3
    assert sorted(ids(persons)) == [1, 2, 3]
    assert not any(p.confirmed for p in persons)
    for published, box in zip(persons, detections.boxes):
        np.testing.assert_array_equal(published.box, box)   # in detection order


@pytest.mark.parametrize('name', TRACKING)
def test_a_newcomer_is_published_at_once_among_tracked_people(name):
    tracker = make(name, min_hits=2)
    for i in range(5):
        tracker.update(frame(person(10 + i)), stamp(i))
    persons = tracker.update(frame(person(15), person(500)), stamp(5))
    assert ids(persons) == [1, 2]
    assert [p.confirmed for p in persons] == [True, False]


@pytest.mark.parametrize('name', TRACKING)
def test_confirmed_after_min_hits(name):
    tracker = make(name, min_hits=3)
    confirmed = [tracker.update(frame(person(100 + 2 * i)), stamp(i))[0].confirmed
                 for i in range(4)]
    assert confirmed == [False, False, True, True]


@pytest.mark.parametrize('name', TRACKING)
def test_results_follow_the_detection_order(name):
    tracker = make(name)
    first = ids(tracker.update(frame(person(10), person(300)), stamp(0)))
    swapped = ids(tracker.update(frame(person(302), person(12)), stamp(1)))
    assert swapped == first[::-1]


def _crossing(tracker, hidden_frames: int) -> list:
    """Walk two people through each other; return each frame's (left id, right id)."""
    seen = []
    for i in range(60):
        left, right = person(100 + 8 * i, height=200), person(580 - 8 * i, y=104, height=196)
        if abs((100 + 8 * i) - (580 - 8 * i)) < hidden_frames * 8:   # right one behind left
            persons = tracker.update(frame(left), stamp(i))
            seen.append((persons[0].track_id, None))
        else:
            persons = tracker.update(frame(left, right), stamp(i))
            seen.append(tuple(ids(persons)))
    return seen


@pytest.mark.parametrize('hidden_frames', [0, 4, 10])
def test_pose_tracker_keeps_ids_through_a_crossing(hidden_frames):
    seen = _crossing(make('pose'), hidden_frames)
    assert {left for left, _ in seen} == {1}
    assert {right for _, right in seen} - {None} == {2}


def test_pose_tracker_keeps_ids_when_overlapping_people_are_listed_in_any_order():
    tracker = make('pose')
    given_ids = {'a': set(), 'b': set()}
    for i in range(40):   # both stay detected while they overlap and pass
        a, b = person(200 + 5 * i, height=200), person(395 - 5 * i, y=110, height=190)
        names = ('a', 'b') if i % 2 else ('b', 'a')
        persons = tracker.update(frame(*(a if n == 'a' else b for n in names)), stamp(i))
        for n, track_id in zip(names, ids(persons)):
            given_ids[n].add(track_id)
    assert len(given_ids['a']) == len(given_ids['b']) == 1
    assert given_ids['a'] != given_ids['b']


@pytest.mark.parametrize('name', TRACKING)
def test_occlusion_up_to_max_age_keeps_the_id(name):
    tracker = make(name, max_age=8)
    for i in range(5):
        tracker.update(frame(person(200)), stamp(i))
    for i in range(5, 5 + 8):
        assert tracker.update(frame(), stamp(i)) == []
    assert ids(tracker.update(frame(person(200)), stamp(13))) == [1]


@pytest.mark.parametrize('name', TRACKING)
def test_occlusion_longer_than_max_age_gives_a_new_id(name):
    tracker = make(name, max_age=8)
    for i in range(5):
        tracker.update(frame(person(200)), stamp(i))
    for i in range(5, 5 + 9):
        tracker.update(frame(), stamp(i))
    assert ids(tracker.update(frame(person(200)), stamp(14))) == [2]


def test_pose_tracker_follows_a_walker_through_occlusion():
    tracker = make('pose', max_age=20)
    for i in range(10):
        tracker.update(frame(person(100 + 6 * i)), stamp(i))
    for i in range(10, 28):   # hidden 18 frames while walking on
        tracker.update(frame(), stamp(i))
    assert ids(tracker.update(frame(person(100 + 6 * 28)), stamp(28))) == [1]


@pytest.mark.parametrize('name', TRACKING)
def test_reentry_after_leaving_gives_a_new_id(name):
    tracker = make(name, max_age=5)
    for i in range(6):
        tracker.update(frame(person(20), person(400)), stamp(i))
    for i in range(6, 20):   # the first one has left the picture
        tracker.update(frame(person(400)), stamp(i))
    persons = tracker.update(frame(person(20), person(400)), stamp(20))
    assert ids(persons) == [3, 2]


def test_pose_tracker_times_out_by_stamps_not_by_calls():
    tracker = make('pose', max_age=3)   # 3 frames at 30 fps: unseen up to 0.15 s
    for i in range(4):
        tracker.update(frame(person(200)), stamp(i))
    assert ids(tracker.update(frame(person(200)), stamp(4) + 0.5)) == [2]   # one call, 0.5 s


@pytest.mark.parametrize('name', TRACKING)
def test_ids_are_never_reused_also_after_reset(name):
    tracker = make(name, max_age=2)
    issued = []
    for i in range(12):   # people come and go; every third frame a stranger appears
        people = [person(50), person(400)] if i % 4 < 2 else [person(400)]
        if i % 3 == 0:
            people.append(person(700 + i))
        issued.append(ids(tracker.update(frame(*people), stamp(i))))
    tracker.reset()
    after = ids(tracker.update(frame(person(50), person(400)), stamp(12)))
    before = {i for row in issued for i in row}
    assert min(before) == 1
    assert min(after) > max(before)


@pytest.mark.parametrize('name', TRACKING)
def test_stamp_jumping_back_starts_afresh_without_reusing_ids(name):
    tracker = make(name)
    for i in range(5):
        tracker.update(frame(person(200)), stamp(i))
    assert ids(tracker.update(frame(person(200)), stamp(3))) == [1]   # a late frame: kept
    assert ids(tracker.update(frame(person(200)), stamp(5))) == [1]
    assert ids(tracker.update(frame(person(200)), stamp(0) - 5.0)) == [2]   # replay restarted


@pytest.mark.parametrize('name', TRACKING)
def test_velocity_comes_from_image_stamps(name):
    tracker = make(name, history=5)
    stamps = [0.0, 0.1, 0.25, 0.3, 0.5, 0.6]   # irregular: frames were dropped
    for t in stamps:
        persons = tracker.update(frame(person(100 + 80 * t, y=50 + 20 * t)), 1000.0 + t)
    assert persons[0].velocity == pytest.approx((80.0, 20.0), abs=1e-3)


@pytest.mark.parametrize('name', TRACKING)
def test_velocity_is_zero_in_the_first_frame_and_for_a_standing_person(name):
    tracker = make(name)
    assert tracker.update(frame(person(100)), stamp(0))[0].velocity == (0.0, 0.0)
    assert tracker.update(frame(person(100)), stamp(1))[0].velocity == (0.0, 0.0)


@pytest.mark.parametrize('name', TRACKING)
def test_smoothing_is_off_by_default_and_steadies_a_standing_person(name):
    rng = np.random.default_rng(3)
    trackers = {False: make(name), True: make(name, smoothing=True)}
    published = {False: [], True: []}
    for i in range(60):
        box, keypoints, score = person(200)
        noisy = keypoints.copy()
        noisy[:, :2] += rng.normal(0, 2.0, (17, 2)).astype(np.float32)
        noisy[:, 2] = rng.uniform(0.4, 1.0, 17).astype(np.float32)
        for smoothing, tracker in trackers.items():
            out = tracker.update(frame((box, noisy, score)), stamp(i))[0]
            published[smoothing].append(out.keypoints)
            if not smoothing:
                np.testing.assert_array_equal(out.keypoints, noisy)
            np.testing.assert_array_equal(out.keypoints[:, 2], noisy[:, 2])   # never smoothed
    jitter = {s: np.std(np.diff(np.array(k)[20:, :, :2], axis=0)) for s, k in published.items()}
    assert jitter[True] < 0.5 * jitter[False]


def test_pose_tracker_keeps_a_bounded_history():
    tracker = make('pose', history=4)
    for i in range(10):
        tracker.update(frame(person(100 + i)), stamp(i))
    history = tracker.tracks[0].motion.keypoint_history
    assert [t for t, _ in history] == [stamp(i) for i in range(6, 10)]


def test_partial_duplicate_does_not_take_over_a_lost_track():
    tracker = make('pose', max_age=10)
    small = person(300, y=150, height=120)
    for i in range(5):   # a small person stands still, then is hidden for a frame
        tracker.update(frame(small), stamp(i))
    tracker.update(frame(), stamp(5))
    # A big person now stands there; the model also reports their upper body on its own,
    # which happens to look just like the hidden small person.
    big_keypoints = small[1].copy()
    big_keypoints[:11, :2] += 10
    big_keypoints[11:, 0] = np.linspace(280, 400, 6)
    big_keypoints[11:, 1] = np.linspace(300, 490, 6)
    big = (np.array([260, 140, 420, 500], np.float32), big_keypoints, 0.9)
    upper_keypoints = small[1].copy()
    upper_keypoints[11:, 2] = 0.0
    upper = (np.array([300, 150, 348, 230], np.float32), upper_keypoints, 0.5)
    assert ids(tracker.update(frame(big, upper), stamp(6))) == [2, 3]


def test_partial_duplicate_inside_a_tracked_person_revives_the_person_hidden_behind():
    tracker = make('pose', max_age=10)
    small = person(300, y=150, height=120)
    for i in range(5):   # a small person stands still ...
        tracker.update(frame(small), stamp(i))
    big_keypoints = small[1].copy()
    big_keypoints[:11, :2] += 10
    big_keypoints[11:, 0] = np.linspace(280, 400, 6)
    big_keypoints[11:, 1] = np.linspace(300, 490, 6)
    big = (np.array([260, 140, 420, 500], np.float32), big_keypoints, 0.9)
    for i in range(5, 8):   # ... until a big person steps in front and hides them
        assert ids(tracker.update(frame(big), stamp(i))) == [2]
    # The small person's upper body shows again, reported inside the big person's box with
    # keypoints alike: it is the small person, not a new one.
    upper_keypoints = small[1].copy()
    upper_keypoints[11:, 2] = 0.0
    upper = (np.array([300, 150, 348, 230], np.float32), upper_keypoints, 0.5)
    assert ids(tracker.update(frame(big, upper), stamp(8))) == [2, 1]


def test_a_person_keeps_the_id_when_their_box_also_shows_inside_a_merged_one():
    tracker = make('pose')
    walker = None
    for i in range(6):   # a person walks right, alone
        walker = person(300 + 4 * i)
        assert ids(tracker.update(frame(walker), stamp(i))) == [1]
    # Someone steps up beside them. The model reports the walker's own box, and also one box
    # around both with the walker's keypoints, which holds the walker's box: the walker's own
    # box is the walker (it fits the track best), the box around both is someone new.
    walker = person(324)
    box, keypoints, _ = walker
    merged = (np.array([box[0], box[1], box[2] + 70, box[3]], np.float32), keypoints, 0.8)
    assert ids(tracker.update(frame(merged, walker), stamp(6))) == [2, 1]


def test_a_lost_track_that_fits_clearly_better_wins_over_an_established_one():
    tracker = make('pose')
    for i in range(14):
        near = person(300, y=100, height=200)                # stands still
        far = person(410 - 8 * i, y=90, height=170)          # walks left, behind them
        people = ([near] if i < 10 or i == 13 else []) + ([far] if i < 13 else [])
        current = ids(tracker.update(frame(*people), stamp(i)))
    # The near person, unseen for three frames, shows again where they stood; the far one has
    # just gone behind them and is predicted right there too. The detection is the near
    # person's (their size, their place): it keeps their id.
    assert current == [1]


def test_pose_tracker_knows_a_person_again_by_the_head_alone():
    tracker = make('pose', max_age=10)
    for i in range(6):   # standing, then hidden behind a wall ...
        tracker.update(frame(person(200)), stamp(i))
    for i in range(6, 9):
        tracker.update(frame(), stamp(i))
    _, keypoints, _ = person(200)
    keypoints[5:, 2] = 0.0   # ... over which only the head shows again: boxes barely overlap
    head = (np.array([200, 100, 280, 136], np.float32), keypoints, 0.6)
    assert ids(tracker.update(frame(head), stamp(9))) == [1]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(TRACKING),
       st.lists(st.lists(st.tuples(st.floats(0, 900), st.floats(0, 300), st.floats(40, 300),
                                   st.floats(0.05, 1.0)), max_size=6), min_size=1, max_size=25))
def test_any_detections_get_distinct_ids_that_never_come_back_late(name, frames):
    max_age = 3
    tracker = make(name, max_age=max_age, occluded_max_age=max_age)
    last_seen = {}
    for index, people in enumerate(frames):
        detections = frame(*[person(x, y, h, s) for x, y, h, s in people])
        persons = tracker.update(detections, stamp(index))
        current = ids(persons)
        assert len(current) == len(people)
        assert len(set(current)) == len(current)
        for published, box in zip(persons, detections.boxes):
            np.testing.assert_array_equal(published.box, box)
        newest = max(last_seen, default=0)
        for track_id in current:
            if track_id in last_seen:   # kept: unseen for at most max_age frames
                assert index - last_seen[track_id] <= max_age + 1
            else:                       # new: larger than any id before
                assert track_id > newest
        last_seen.update((track_id, index) for track_id in current)
    assert tracker.update(PoseDetections.empty(), stamp(len(frames))) == []
