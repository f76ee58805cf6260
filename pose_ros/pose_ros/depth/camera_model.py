# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The camera model from sensor_msgs/CameraInfo: pixels to metric 3D points and back.

K gives the pinhole; where D is non-zero, pixels are undistorted first with OpenCV's
iterative undistortPoints (``plumb_bob`` and ``rational_polynomial``) or its fisheye model
(``equidistant``). The depth image is aligned to the raw (unrectified) colour image, so a
keypoint's depth is read at its raw pixel and its ray comes from the undistorted one.
"""

import math

import cv2
import numpy as np

# distortion_model -> the numbers of coefficients OpenCV takes for it
DISTORTION_MODELS = {
    'plumb_bob': (4, 5, 8, 12, 14),
    'rational_polynomial': (8, 12, 14),
    'equidistant': (4,),
}
_UNDISTORT_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 50, 1e-9)


class CameraModelError(ValueError):
    """A camera_info that cannot give metric 3D; the text says why."""


class CameraModel:
    """Intrinsics and distortion of one camera, as camera_info states them."""

    def __init__(self, k, d=(), distortion_model='plumb_bob', width=0, height=0):
        self.k = np.asarray(k, np.float64).reshape(3, 3)
        self.d = np.asarray(d, np.float64).ravel()
        self.distortion_model = str(distortion_model)
        self.width, self.height = int(width), int(height)
        fx, fy, cx, cy = self.k[0, 0], self.k[1, 1], self.k[0, 2], self.k[1, 2]
        if not all(math.isfinite(v) for v in (fx, fy, cx, cy)) or fx <= 0 or fy <= 0:
            raise CameraModelError(
                f'camera_info has no usable intrinsics (fx {fx:g}, fy {fy:g}); an uncalibrated '
                'camera publishes K = 0: calibrate it (camera_calibration) or use the '
                "driver's factory calibration")
        self.distorted = bool(np.any(self.d != 0.0))
        if self.distorted:
            counts = DISTORTION_MODELS.get(self.distortion_model)
            if counts is None:
                raise CameraModelError(
                    f'distortion_model "{self.distortion_model}" is not supported; use '
                    f'{", ".join(DISTORTION_MODELS)}, or rectified images with D = 0')
            if self.d.size not in counts:
                raise CameraModelError(
                    f'{self.distortion_model} needs {" or ".join(map(str, counts))} '
                    f'distortion coefficients, camera_info has {self.d.size}')
            if not np.all(np.isfinite(self.d)):
                raise CameraModelError('camera_info D contains NaN or infinity')

    @classmethod
    def from_camera_info(cls, msg) -> 'CameraModel':
        """Return the model of a sensor_msgs/CameraInfo; CameraModelError if unusable."""
        return cls(msg.k, msg.d, msg.distortion_model or 'plumb_bob', msg.width, msg.height)

    def check_size(self, width: int, height: int) -> None:
        """Raise CameraModelError unless camera_info describes images of this size."""
        if self.width and self.height and (self.width, self.height) != (width, height):
            raise CameraModelError(
                f'camera_info is for {self.width}x{self.height} images but the colour image is '
                f'{width}x{height}; use the camera_info published with that image')

    def rays(self, pixels: np.ndarray) -> np.ndarray:
        """Return (N, 2) normalised image coordinates (x/z, y/z) of (N, 2) raw pixels."""
        pixels = np.asarray(pixels, np.float64).reshape(-1, 2)
        if pixels.shape[0] == 0:
            return np.zeros((0, 2))
        if not self.distorted:
            (fx, skew, cx), (_, fy, cy) = self.k[0], self.k[1]
            y = (pixels[:, 1] - cy) / fy
            return np.column_stack([(pixels[:, 0] - cx - skew * y) / fx, y])
        points = pixels.reshape(-1, 1, 2)
        if self.distortion_model == 'equidistant':
            normalised = cv2.fisheye.undistortPoints(points, self.k, self.d.reshape(4, 1),
                                                     criteria=_UNDISTORT_CRITERIA)
        else:
            normalised = cv2.undistortPoints(points, self.k, self.d, None, None, None,
                                             _UNDISTORT_CRITERIA)
        return normalised.reshape(-1, 2)

    def back_project(self, pixels: np.ndarray, depth: np.ndarray) -> np.ndarray:
        """Return (N, 3) metric points for raw pixels at z = ``depth`` (NaN stays NaN)."""
        rays = self.rays(pixels)
        depth = np.asarray(depth, np.float64).reshape(-1)
        return np.column_stack([rays * depth[:, None], depth])

    def project(self, points: np.ndarray) -> np.ndarray:
        """Return (N, 2) raw pixels of (N, 3) points in the optical frame (z > 0)."""
        points = np.asarray(points, np.float64).reshape(-1, 1, 3)
        zero = np.zeros(3)
        if self.distorted and self.distortion_model == 'equidistant':
            pixels, _ = cv2.fisheye.projectPoints(points, zero, zero, self.k,
                                                  self.d.reshape(4, 1))
        else:
            pixels, _ = cv2.projectPoints(points, zero, zero, self.k,
                                          self.d if self.distorted else None)
        return pixels.reshape(-1, 2)
