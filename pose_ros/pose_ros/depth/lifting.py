# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The 3D stage: one frame's tracked persons, a depth image and a camera model in, 3D out.

``PersonLifter.lift`` sets ``keypoints_3d``, ``position`` and ``velocity_3d`` on every
TrackedPerson of a frame with depth; ``PersonLifter.unknown`` sets them to "unknown" (17 NaN
keypoints with confidence 0, NaN position and velocity) for a frame whose depth is missing,
so that with depth on every person always carries 17 3D keypoints.
"""

import numpy as np
from pose_ros.depth.keypoint_depth import DepthSampling, person_depths
from pose_ros.depth.person_position import person_positions
from pose_ros.depth.velocity_3d import TrackVelocities


def unknown_keypoints_3d() -> np.ndarray:
    """Return (17, 4) keypoints with no 3D: x = y = z = NaN, confidence 0."""
    points = np.full((17, 4), np.nan, np.float32)
    points[:, 3] = 0.0
    return points


class PersonLifter:
    """Metric keypoints, positions and velocities for tracked persons."""

    def __init__(self, history: int = 10, sampling: DepthSampling = None):
        self.sampling = sampling or DepthSampling()
        self.velocities = TrackVelocities(history)

    def lift(self, persons: list, depth: np.ndarray, camera, stamp: float,
             min_confidence: float) -> list:
        """
        Set the 3D fields of ``persons`` (TrackedPerson, in place) and return them.

        ``depth`` is HxW metres (NaN: no reading) aligned to the persons' image, ``camera``
        its CameraModel, ``stamp`` the image stamp in seconds. Keypoints below
        ``min_confidence`` stay without 3D.
        """
        if not persons:
            self.velocities.update(stamp, [], np.zeros((0, 3)))
            return persons
        keypoints = np.stack([np.asarray(p.keypoints, np.float64) for p in persons])
        depths = person_depths(depth, keypoints, min_confidence, self.sampling)
        count = len(persons)
        points = camera.back_project(keypoints[:, :, :2].reshape(-1, 2),
                                     depths.keypoints.reshape(-1)).reshape(count, 17, 3)
        found = np.all(np.isfinite(points), axis=2)
        lifted = np.zeros((count, 17, 4), np.float32)
        lifted[:, :, :3] = np.where(found[..., None], points, np.nan)
        lifted[:, :, 3] = np.where(found, keypoints[:, :, 2], 0.0)
        positions = person_positions(keypoints, depths, lifted, camera, min_confidence)
        velocities = self.velocities.update(stamp, [p.track_id for p in persons], positions)
        for index, person in enumerate(persons):
            person.keypoints_3d = lifted[index]
            person.position = positions[index]
            person.velocity_3d = velocities[index]
        return persons

    def unknown(self, persons: list) -> list:
        """Mark every person of a frame without usable depth as having no 3D; return them."""
        for person in persons:
            person.keypoints_3d = unknown_keypoints_3d()
            person.position = np.full(3, np.nan)
            person.velocity_3d = np.full(3, np.nan)
        return persons

    def reset(self) -> None:
        """Forget every track's 3D history."""
        self.velocities.reset()
