# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The camera model: K and distortion from camera_info, checked against OpenCV's projection."""

import numpy as np
from pose_ros.depth.camera_model import CameraModel, CameraModelError
import pytest
from sensor_msgs.msg import CameraInfo

K = [615.0, 0.0, 321.3, 0.0, 612.5, 238.7, 0.0, 0.0, 1.0]
DISTORTED = [
    ('plumb_bob', [0.12, -0.25, 0.001, -0.0005, 0.1]),
    ('rational_polynomial', [0.52, -2.6, 0.0006, -0.0003, 1.5, 0.39, -2.4, 1.4]),
    ('equidistant', [0.1, -0.05, 0.01, -0.002]),
]


def _points(count=200, seed=3):
    rng = np.random.default_rng(seed)
    z = rng.uniform(0.5, 6.0, count)
    return np.column_stack([rng.uniform(-0.5, 0.5, count) * z,
                            rng.uniform(-0.35, 0.35, count) * z, z])


@pytest.mark.parametrize('model, d', DISTORTED)
def test_distorted_pixels_back_project_onto_the_true_points(model, d):
    info = CameraInfo(width=640, height=480, distortion_model=model, d=d, k=K)
    camera = CameraModel.from_camera_info(info)
    assert camera.distorted
    points = _points()
    pixels = camera.project(points)
    back = camera.back_project(pixels, points[:, 2])
    assert np.max(np.abs(back - points)) < 1e-6
    # Ignoring D would be centimetres off: the test above can tell.
    pinhole = CameraModel(K, [], model, 640, 480)
    assert np.max(np.abs(pinhole.back_project(pixels, points[:, 2]) - points)) > 0.02


def test_pinhole_with_skew_and_zero_d():
    k = [600.0, 2.0, 320.0, 0.0, 590.0, 240.0, 0.0, 0.0, 1.0]
    camera = CameraModel(k, [0.0] * 5, 'plumb_bob')
    assert not camera.distorted
    points = _points()
    homogeneous = (np.asarray(k).reshape(3, 3) @ points.T).T
    pixels = homogeneous[:, :2] / homogeneous[:, 2:]
    assert np.max(np.abs(camera.back_project(pixels, points[:, 2]) - points)) < 1e-9


def test_nan_depth_gives_nan_points():
    camera = CameraModel(K)
    points = camera.back_project([[320, 240], [100, 100]], [np.nan, 2.0])
    assert np.isnan(points[0]).all() and np.isfinite(points[1]).all()


def test_an_uncalibrated_camera_info_is_refused():
    with pytest.raises(CameraModelError, match='K = 0'):
        CameraModel.from_camera_info(CameraInfo(width=640, height=480))


def test_unsupported_or_malformed_distortion_is_refused():
    with pytest.raises(CameraModelError, match='"kannala" is not supported'):
        CameraModel(K, [0.1, 0.0, 0.0, 0.0], 'kannala')
    with pytest.raises(CameraModelError, match='rational_polynomial needs'):
        CameraModel(K, [0.1, 0.0, 0.0, 0.0, 0.0], 'rational_polynomial')
    with pytest.raises(CameraModelError, match='NaN'):
        CameraModel(K, [0.1, np.nan, 0.0, 0.0, 0.0], 'plumb_bob')
    CameraModel(K, [0.0] * 4, 'kannala')   # all-zero D needs no model


def test_camera_info_for_another_image_size_is_refused():
    camera = CameraModel(K, width=1280, height=720)
    camera.check_size(1280, 720)
    with pytest.raises(CameraModelError, match='1280x720 images but the colour image is '
                                               '640x480'):
        camera.check_size(640, 480)
    CameraModel(K).check_size(640, 480)   # a camera_info without a size fits any
