# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
One robust 3D point per person: the torso, or the median of the 3D keypoints.

The torso point is the centre of the confident shoulders and hips, at the torso's depth
(the front of the body, as the camera sees it). Without a torso (too few of those keypoints,
or no depth there), the per-axis median of the person's trustworthy 3D keypoints stands in.
Unknown stays NaN.
"""

import numpy as np
from pose_ros.depth.keypoint_depth import torso_centre


def person_positions(keypoints: np.ndarray, depths, keypoints_3d: np.ndarray, camera,
                     min_confidence: float) -> np.ndarray:
    """
    Return (P, 3) positions in metres, NaN where unknown.

    ``keypoints`` (P, 17, 3) are the 2D keypoints, ``depths`` their PersonDepths,
    ``keypoints_3d`` (P, 17, 4) the lifted keypoints and ``camera`` the CameraModel.
    """
    count = len(depths.reference)
    positions = np.full((count, 3), np.nan)
    if count == 0:
        return positions
    centre = torso_centre(keypoints, min_confidence)
    torso = depths.from_torso & np.all(np.isfinite(centre), axis=1)
    if np.any(torso):
        positions[torso] = camera.back_project(centre[torso], depths.reference[torso])
    for index in np.flatnonzero(~torso):
        points = keypoints_3d[index, :, :3]
        points = points[np.all(np.isfinite(points), axis=1)]
        if len(points):
            positions[index] = np.median(points, axis=0)
    return positions
