# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Plain data types passed between inference, tracking, drawing and message assembly."""

from dataclasses import dataclass, field

import numpy as np

from pose_ros.coco import NUM_KEYPOINTS


@dataclass
class PoseDetections:
    """The model's output for one image, as numpy arrays (N persons)."""

    boxes: np.ndarray       # (N, 4) float32: x_min, y_min, x_max, y_max in pixels
    scores: np.ndarray      # (N,) float32
    keypoints: np.ndarray   # (N, 17, 3) float32: x, y, confidence

    @classmethod
    def empty(cls) -> 'PoseDetections':
        """Return detections with no persons."""
        return cls(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32),
                   np.zeros((0, NUM_KEYPOINTS, 3), np.float32))

    def __len__(self) -> int:
        return int(self.scores.shape[0])


@dataclass
class TrackedPerson:
    """One person as published: detection plus track identity and motion."""

    track_id: int                 # >= 1 when tracked; 0 when tracking is off
    confirmed: bool
    score: float
    box: np.ndarray               # (4,) float32
    keypoints: np.ndarray         # (17, 3) float32
    velocity: tuple = field(default=(0.0, 0.0))   # box centre, pixels per second
    # 3D from depth (pose_ros.depth); None while depth is off. Metres, optical frame.
    keypoints_3d: np.ndarray = None   # (17, 4) float32: x, y, z, confidence; NaN, 0 unknown
    position: np.ndarray = None       # (3,) float64, NaN when unknown
    velocity_3d: np.ndarray = None    # (3,) float64 m/s, NaN when unknown
