# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Robust keypoint depth: the window's surface that belongs to the person, or NaN."""

import numpy as np
from pose_ros.depth.keypoint_depth import (densest_surface, DepthSampling, nearest_surface,
                                           person_depths, torso_points, window_samples)
import pytest

PERSON, WALL = 2.0, 4.0
# A standing figure (COCO-17) in a 640x480 image: x, y in pixels.
FIGURE = np.array([
    (320, 100), (312, 92), (328, 92), (304, 96), (336, 96),      # head
    (290, 140), (350, 140), (280, 200), (360, 200),              # shoulders, elbows
    (275, 255), (365, 255), (300, 260), (340, 260),              # wrists, hips
    (300, 340), (340, 340), (300, 420), (340, 420)], np.float64)  # knees, ankles


def _scene():
    """Return (depth, keypoints): the figure at PERSON metres on a wall at WALL metres."""
    depth = np.full((480, 640), WALL, np.float32)
    depth[85:110, 300:341] = PERSON                  # head
    depth[135:265, 285:356] = PERSON                 # torso
    depth[135:262, 270:290] = PERSON                 # left arm
    depth[135:262, 350:371] = PERSON                 # right arm
    depth[260:430, 292:309] = PERSON                 # left leg
    depth[260:430, 332:349] = PERSON                 # right leg
    keypoints = np.column_stack([FIGURE, np.full(17, 0.9)])
    return depth, keypoints[None]


def test_every_keypoint_on_the_person_gets_the_person_depth():
    depth, keypoints = _scene()
    result = person_depths(depth, keypoints, 0.5)
    assert result.reference[0] == pytest.approx(PERSON)
    assert result.from_torso[0]
    assert np.allclose(result.keypoints[0], PERSON)


def test_a_wrist_whose_pixel_shows_the_wall_still_gets_the_person_depth():
    depth, keypoints = _scene()
    keypoints[0, 9, :2] = (269, 255)            # 1 px outside the left arm: the pixel is wall
    assert depth[255, 269] == WALL
    result = person_depths(depth, keypoints, 0.5)
    assert result.keypoints[0, 9] == pytest.approx(PERSON)
    # The single pixel under the keypoint would have been 2 m wrong.
    assert window_samples(depth, keypoints[0, 9:10, :2], 0)[0, 0] == WALL


def test_a_keypoint_with_only_wall_in_its_window_is_nan_not_the_wall():
    depth, keypoints = _scene()
    keypoints[0, 10, :2] = (390, 255)           # well outside the right arm
    result = person_depths(depth, keypoints, 0.5)
    assert np.isnan(result.keypoints[0, 10])


def test_holes_are_skipped_and_a_window_of_holes_is_nan():
    depth, keypoints = _scene()
    depth[197:203, 277:283] = np.nan            # most of the left elbow's window
    r = DepthSampling().window_radius
    depth[140 - r:141 + r, 350 - r:351 + r] = np.nan   # all of the right shoulder's window
    depth[::3, ::3] = 0.0                       # a grid of zeros (no reading) everywhere
    depth[depth == 0] = np.nan
    result = person_depths(depth, keypoints, 0.5)
    assert result.keypoints[0, 7] == pytest.approx(PERSON)
    assert np.isnan(result.keypoints[0, 6])
    others = np.delete(result.keypoints[0], [6])
    assert np.allclose(others, PERSON)


def test_flying_pixels_between_person_and_wall_are_not_taken():
    depth, keypoints = _scene()
    rng = np.random.default_rng(1)
    band = np.zeros(depth.shape, bool)
    band[135:262, 265:272] = True               # left of the left arm
    mixed = PERSON + rng.uniform(0.05, 0.95, depth.shape) * (WALL - PERSON)
    depth[band] = mixed[band].astype(np.float32)
    keypoints[0, [7, 9], 0] = 271               # elbow and wrist at the arm's edge
    result = person_depths(depth, keypoints, 0.5)
    assert result.keypoints[0, 7] == pytest.approx(PERSON)
    assert result.keypoints[0, 9] == pytest.approx(PERSON)


def test_scattered_flying_pixels_of_one_depth_are_not_a_surface():
    depth, keypoints = _scene()
    keypoints[0, 10, :2] = (392, 255)           # beyond the right arm: only wall around
    for dy in (-3, -1, 1, 3):
        for dx in (-2, 0, 2):                   # twelve lone pixels, none touching another
            depth[255 + dy, 392 + dx] = PERSON + 0.35 + 0.005 * dx
    assert np.isnan(person_depths(depth, keypoints, 0.5).keypoints[0, 10])
    depth[251:259, 389:395] = PERSON + 0.35     # a real patch at that depth is a surface
    assert person_depths(depth, keypoints, 0.5).keypoints[0, 10] == pytest.approx(PERSON + 0.35)


def test_a_hand_in_front_of_the_chest_is_the_hand_not_the_chest():
    depth, keypoints = _scene()
    depth[218:232, 315:329] = PERSON - 0.45     # a hand held 45 cm in front of the chest
    keypoints[0, 10, :2] = (316, 225)           # at its edge: the window sees chest too
    result = person_depths(depth, keypoints, 0.5)
    assert result.keypoints[0, 10] == pytest.approx(PERSON - 0.45)
    assert result.reference[0] == pytest.approx(PERSON)    # the torso is still the torso


def test_something_in_front_beyond_reach_is_not_the_person():
    depth, keypoints = _scene()
    depth[300:480, 250:400] = 0.8               # a table edge in front of the legs
    result = person_depths(depth, keypoints, 0.5)
    assert np.isnan(result.keypoints[0, 13:]).all()    # knees and ankles: hidden, NaN
    assert np.allclose(result.keypoints[0, :13], PERSON)


def test_without_a_torso_the_keypoints_give_the_reference():
    depth, keypoints = _scene()
    keypoints[0, [5, 6, 11, 12], 2] = 0.1       # no confident torso keypoint
    result = person_depths(depth, keypoints, 0.5)
    assert not result.from_torso[0]
    assert result.reference[0] == pytest.approx(PERSON)
    assert np.isnan(result.keypoints[0, [5, 6, 11, 12]]).all()
    assert np.allclose(np.delete(result.keypoints[0], [5, 6, 11, 12]), PERSON)


def test_low_confidence_and_outside_keypoints_are_nan():
    depth, keypoints = _scene()
    keypoints[0, 0, 2] = 0.49
    keypoints[0, 15, :2] = (-50, 900)
    result = person_depths(depth, keypoints, 0.5)
    assert np.isnan(result.keypoints[0, 0]) and np.isnan(result.keypoints[0, 15])
    assert np.isfinite(result.keypoints[0, 1])


def test_several_people_at_their_own_depths_and_none():
    depth, keypoints = _scene()
    far = keypoints.copy()
    far[0, :, 0] += 200
    depth[:, 460:580] = np.where(depth[:, 260:380] == PERSON, 3.0, WALL)
    empty = person_depths(depth, np.zeros((0, 17, 3)), 0.5)
    assert empty.keypoints.shape == (0, 17)
    result = person_depths(depth, np.concatenate([keypoints, far]), 0.5)
    assert result.reference == pytest.approx([PERSON, 3.0])
    assert np.allclose(result.keypoints[0], PERSON) and np.allclose(result.keypoints[1], 3.0)


def test_surfaces_need_support_and_tolerance_grows_with_depth():
    sampling = DepthSampling(min_support=4)
    lone = np.array([[1.0, 3.0, 3.01, 3.02, 2.99, np.nan]])
    assert nearest_surface(lone, sampling=sampling)[0] == pytest.approx(3.005)
    assert densest_surface(lone, sampling=sampling)[0] == pytest.approx(3.005)
    assert np.isnan(nearest_surface(np.array([[1.0, 1.5, 2.0, 2.5]]), sampling=sampling)[0])
    assert sampling.surface_tolerance(4.0) > 2 * sampling.surface_tolerance(1.0)
    bounded = nearest_surface(np.array([[1.0] * 5 + [2.0] * 5]), low=1.5, high=3.0)
    assert bounded[0] == pytest.approx(2.0)


def test_torso_points_lie_inside_the_torso():
    _, keypoints = _scene()
    points = torso_points(keypoints, 0.5)[0]
    assert points.shape == (9, 2)
    assert np.all((points[:, 0] > 290) & (points[:, 0] < 350))
    assert np.all((points[:, 1] > 140) & (points[:, 1] < 260))
    keypoints[0, [5, 6, 11], 2] = 0.0
    assert np.isnan(torso_points(keypoints, 0.5)).all()   # one torso keypoint is no torso
