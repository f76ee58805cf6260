# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The 3D stage against exact ground truth: real people, the real model, synthetic depth.

Every scene of rgbd_scenes.SCENES and of HELD_OUT (never tuned on), in both encodings: the
model finds the people in the
colour image, the depth image goes through the message decoding, the camera model comes
from the scene's CameraInfo, and every 3D keypoint is compared with the analytic point.
"""

from dataclasses import replace

import numpy as np
from pose_ros.depth.camera_model import CameraModel
from pose_ros.depth.depth_image import depth_msg_to_metres
from pose_ros.depth.lifting import PersonLifter
from pose_ros.tracking import NoTracker
import pytest
import rgbd_scenes
from rgbd_scenes import evaluate, HELD_OUT, naive_lift, scene_named, SCENES

MIN_CONFIDENCE = 0.5     # keypoint_conf's default


@pytest.fixture(scope='module')
def rendered_scenes():
    estimator = rgbd_scenes.default_estimator()
    maker = rgbd_scenes.SceneMaker(estimator)
    results = {}
    for scene in SCENES:
        rendered = maker.render(scene)
        results[scene.name] = (rendered, rendered.detections)
    for index, scene in enumerate(HELD_OUT):
        rendered = maker.render(scene, seed=rgbd_scenes.HELD_OUT_SEED + index)
        results[scene.name] = (rendered, rendered.detections)
    return results


def _lifted(rendered, detections, encoding, lift=None):
    scene = scene_named(rendered.scene.name, encoding)
    rendered = replace(rendered, scene=scene)
    persons = NoTracker().update(detections, 0.0)
    depth = depth_msg_to_metres(rendered.depth_msg())
    camera = CameraModel.from_camera_info(rendered.camera_info())
    if lift is None:
        PersonLifter().lift(persons, depth, camera, 1.0, MIN_CONFIDENCE)
    else:
        lift(persons, depth, camera, MIN_CONFIDENCE)
    return rendered, persons


@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
@pytest.mark.parametrize('name', [scene.name for scene in SCENES + HELD_OUT])
def test_no_confident_keypoint_is_wrong_and_positions_hold(rendered_scenes, name, encoding):
    rendered, detections = rendered_scenes[name]
    rendered, persons = _lifted(rendered, detections, encoding)
    result = evaluate(rendered, persons, MIN_CONFIDENCE)
    summary = result.summary()
    assert result.persons == result.matched == len(rendered.figures), summary
    assert result.keypoints_3d_counts == [17] * len(persons)
    assert result.wrong == 0, summary
    assert summary['nan_share'] <= 0.3, summary       # NaN is allowed, not everywhere
    farthest = max(f.distance for f in rendered.figures)
    assert summary['p95_mm'] <= (60 if farthest <= 4.0 else 150), summary  # noise grows as z²
    if all(f.distance == 2.5 for f in rendered.figures):
        assert summary['position_max_mm'] <= 50, summary
    if name == rgbd_scenes.CLEAN:
        assert summary['median_mm'] <= 20, summary
        assert summary['nan_share'] == 0, summary


def test_the_scenes_are_hard_for_a_naive_reading(rendered_scenes):
    """The pixel under each keypoint, or a window's median, is metres wrong here."""
    for radius in (0, 3):
        wrong = 0
        for name in ('hands_2.5m', 'flying_2.5m', 'near_wall_2.5m', 'two_people'):
            rendered, detections = rendered_scenes[name]
            rendered, persons = _lifted(
                rendered, detections, '16UC1',
                lambda p, d, c, m: naive_lift(p, d, c, m, radius=radius))
            wrong += evaluate(rendered, persons, MIN_CONFIDENCE).wrong
        assert wrong >= 2, radius


def test_the_truth_is_exact(rendered_scenes):
    """The analytic truth reprojects onto its pixels, through the distortion too."""
    for name in ('rational_2.5m', 'plumb_bob_2.5m', 'clean_2.5m'):
        rendered, _ = rendered_scenes[name]
        figure = rendered.figures[0]
        pixels = figure.keypoints[:, :2]
        points = rendered.truth_points(pixels, 0)
        assert np.allclose(points[:, 2], figure.distance)
        assert np.abs(rendered.camera.project(points) - pixels).max() < 1e-6
        on_person = rendered.depth[figure.mask & ~np.isnan(rendered.depth)]
        assert np.median(on_person) == pytest.approx(figure.distance, abs=0.01)
