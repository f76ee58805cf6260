# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The tracking building blocks: OKS and IoU, the One Euro filter, and track motion."""

import numpy as np
from pose_ros.tracking.one_euro import OneEuroFilter
from pose_ros.tracking.pose_similarity import box_areas, iou_matrix, oks_matrix
from pose_ros.tracking.pose_tracker import partial_duplicates
from pose_ros.tracking.track_motion import fitted_velocity, TrackMotion
import pytest
from tracking_scenes import frame, person


def test_iou_of_known_boxes():
    a = np.array([[0, 0, 10, 10], [0, 0, 10, 10]], np.float32)
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 10, 10]], np.float32)
    np.testing.assert_allclose(iou_matrix(a, b), [[1 / 3, 0, 1], [1 / 3, 0, 1]])
    np.testing.assert_allclose(box_areas(b), [100, 100, 100])


def test_oks_is_one_for_the_same_pose_and_falls_with_distance():
    _, keypoints, _ = person(100)
    shifted = [keypoints.copy() for _ in range(3)]
    shifted[1][:, 0] += 10
    shifted[2][:, 0] += 100
    oks, shared = oks_matrix(keypoints[None], np.stack(shifted), np.array([80.0 * 200]), 0.5)
    assert oks[0, 0] == pytest.approx(1.0)
    assert 0.2 < oks[0, 1] < 0.9
    assert oks[0, 2] < 0.01
    assert list(shared[0]) == [17, 17, 17]


def test_oks_counts_only_keypoints_confident_in_both():
    _, keypoints, _ = person(100)
    other = keypoints.copy()
    other[:10, 2] = 0.1
    other[10:, 0] += 1000          # the confident ones are far away
    oks, shared = oks_matrix(keypoints[None], other[None], np.array([16000.0]), 0.5)
    assert shared[0, 0] == 7 and oks[0, 0] < 0.01
    other[:, 2] = 0.0
    oks, shared = oks_matrix(keypoints[None], other[None], np.array([16000.0]), 0.5)
    assert shared[0, 0] == 0 and oks[0, 0] == 0.0


def test_partial_duplicate_is_the_smaller_detection_with_the_same_keypoints():
    whole_box, keypoints, _ = person(100, height=300)
    upper_box = whole_box.copy()
    upper_box[3] = whole_box[1] + 150
    detections = frame((whole_box, keypoints, 0.9), (upper_box, keypoints, 0.5), person(500))
    assert list(partial_duplicates(detections, 0.5)) == [False, True, False]
    other_pose = keypoints.copy()
    other_pose[:, 0] += 60          # a different person half hidden behind: not a duplicate
    detections = frame((whole_box, keypoints, 0.9), (upper_box, other_pose, 0.5))
    assert list(partial_duplicates(detections, 0.5)) == [False, False]


def test_one_euro_passes_a_constant_and_the_first_sample_unchanged():
    smoother = OneEuroFilter()
    np.testing.assert_array_equal(smoother(np.array([3.0, 4.0]), 0.0), [3.0, 4.0])
    for i in range(1, 10):
        np.testing.assert_allclose(smoother(np.array([3.0, 4.0]), i / 30), [3.0, 4.0])


def test_one_euro_reduces_noise_at_rest():
    rng = np.random.default_rng(0)
    smoother = OneEuroFilter(min_cutoff=1.0, beta=0.05)
    raw = 100 + rng.normal(0, 2.0, 300)
    out = np.array([smoother(np.array([x]), i / 30)[0] for i, x in enumerate(raw)])
    assert np.std(np.diff(out[30:])) < 0.3 * np.std(np.diff(raw[30:]))


def test_one_euro_follows_fast_motion_with_little_lag_when_beta_is_high():
    def lag(beta):
        smoother = OneEuroFilter(min_cutoff=1.0, beta=beta)
        for i in range(60):   # 600 px/s
            out = smoother(np.array([20.0 * i]), i / 30)
        return 20.0 * 59 - out[0]
    assert lag(0.0) > 80
    assert lag(0.05) < 10


def test_one_euro_runs_on_stamps():
    same_samples = [0.0, 10.0, 10.0, 10.0]
    fast, slow = OneEuroFilter(beta=0.0), OneEuroFilter(beta=0.0)
    for i, x in enumerate(same_samples):
        near = fast(np.array([x]), i / 100)[0]       # 10 ms apart: heavy smoothing
        far = slow(np.array([x]), i * 1.0)[0]        # 1 s apart: little smoothing
    assert near < 5.0 < far
    assert slow(np.array([50.0]), 3.0)[0] == far     # same stamp again: nothing new


def test_fitted_velocity_uses_stamps_and_needs_two_of_them():
    assert list(fitted_velocity([1.0], [[5, 5]])) == [0, 0]
    assert list(fitted_velocity([1.0, 1.0], [[5, 5], [9, 9]])) == [0, 0]
    np.testing.assert_allclose(fitted_velocity([0, 0.5, 2.0], [[0, 0], [5, -1], [20, -4]]),
                               [10, -2])


def test_track_motion_history_is_bounded_and_velocity_is_of_the_box_centre():
    motion = TrackMotion(history=3)
    for i in range(6):
        box, keypoints, _ = person(10 + 4 * i, y=20, height=100 + 2 * i)   # grows downwards
        motion.add(i * 0.5, box, keypoints)
    assert [t for t, _ in motion.keypoint_history] == [1.5, 2.0, 2.5]
    # x: left edge 8 px/s, width 1.6 px/s -> centre 8.8; y: top fixed, height 4 px/s -> 2.
    assert motion.velocity_tuple == pytest.approx((8.8, 2.0))
