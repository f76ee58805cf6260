# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
A track's motion: its bounded keypoint history, its velocity and its optional smoothing.

Everything runs on image stamps, never on wall time, so a replayed recording gives the same
velocities as the live camera did.
"""

from collections import deque

import numpy as np
from pose_ros.tracking.one_euro import OneEuroFilter


def box_centre(box: np.ndarray) -> np.ndarray:
    """Return the (x, y) centre of an xyxy box."""
    box = np.asarray(box, np.float64)
    return np.array([(box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0])


def fitted_velocity(stamps, points) -> np.ndarray:
    """
    Return the least-squares slope of ``points`` (N, 2) over ``stamps`` (N,), per second.

    Zero when fewer than two distinct stamps are given.
    """
    return _fitted_samples([(float(stamp), (float(point[0]), float(point[1])))
                            for stamp, point in zip(stamps, points)])


def _fitted_samples(samples) -> np.ndarray:
    """
    Return ``fitted_velocity`` of (stamp, (x, y), ...) samples: a track's history as it is.

    A track's history holds a few samples and the tracker fits it at every match, so the
    sums are plain floats: several times faster than building numpy arrays for so few.
    """
    count = len(samples)
    if count < 2:
        return np.zeros(2)
    first = samples[0][0]
    sum_t = sum_x = sum_y = sum_tt = sum_tx = sum_ty = 0.0
    for stamp, (x, y), *_ in samples:
        t = stamp - first
        sum_t += t
        sum_x += x
        sum_y += y
        sum_tt += t * t
        sum_tx += t * x
        sum_ty += t * y
    spread = sum_tt - sum_t * sum_t / count
    if spread <= 1e-12:
        return np.zeros(2)
    return np.array([(sum_tx - sum_t * sum_x / count) / spread,
                     (sum_ty - sum_t * sum_y / count) / spread], np.float64)


class TrackMotion:
    """History of the last ``history`` observations of one person, and what follows from it."""

    def __init__(self, history: int, smoother: OneEuroFilter = None):
        self._samples = deque(maxlen=max(2, int(history)))   # (stamp, centre, keypoints)
        self._smoother = smoother
        self.velocity = np.zeros(2)

    @classmethod
    def from_config(cls, config) -> 'TrackMotion':
        """Return the motion of a new track with the history and smoothing of ``config``."""
        smoother = None
        if config.smoothing:
            smoother = OneEuroFilter(config.smoothing_min_cutoff, config.smoothing_beta,
                                     config.smoothing_d_cutoff)
        return cls(config.history, smoother)

    def add(self, stamp: float, box: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
        """Record an observation; return the keypoints to publish (smoothed if enabled)."""
        keypoints = np.array(keypoints, np.float32)   # a copy: the history owns it
        centre = ((float(box[0]) + float(box[2])) / 2.0, (float(box[1]) + float(box[3])) / 2.0)
        self._samples.append((float(stamp), centre, keypoints))
        self.velocity = _fitted_samples(self._samples)
        if self._smoother is None:
            return keypoints
        smoothed = keypoints.copy()
        smoothed[:, :2] = self._smoother(keypoints[:, :2], float(stamp))
        return smoothed

    @property
    def velocity_tuple(self) -> tuple:
        """Return the box-centre velocity as (vx, vy) floats in pixels per second."""
        return float(self.velocity[0]), float(self.velocity[1])

    @property
    def last_stamp(self) -> float:
        """Return the stamp of the latest observation (None before the first)."""
        return self._samples[-1][0] if self._samples else None

    @property
    def keypoint_history(self) -> list:
        """Return the recorded (stamp, keypoints) pairs, oldest first."""
        return [(s[0], s[2]) for s in self._samples]
