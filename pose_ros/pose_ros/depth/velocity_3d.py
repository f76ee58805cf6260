# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Each track's 3D velocity, fitted over its recent positions against the image stamps.

Every track keeps its last ``history`` 3D positions (as the tracker keeps its 2D history).
The velocity is the least-squares slope over those, so one noisy depth reading moves it
little; it is NaN until enough positions over enough time are known, and for untracked
persons (id 0). Image stamps, never wall time, so a replayed recording gives the same
velocities as the live camera did.
"""

from collections import deque

import numpy as np

STAMP_JUMP_BACK = 1.0   # seconds the stamp may go back before every history is dropped


def fitted_velocity_3d(stamps, points) -> np.ndarray:
    """Return the least-squares slope of ``points`` (N, 3) over ``stamps`` (N,), per second."""
    stamps = np.asarray(stamps, np.float64)
    points = np.asarray(points, np.float64).reshape(len(stamps), 3)
    centred = stamps - stamps.mean()
    spread = float(np.dot(centred, centred))
    if len(stamps) < 2 or spread <= 1e-12:
        return np.full(3, np.nan)
    return centred @ (points - points.mean(axis=0)) / spread


class TrackVelocities:
    """The 3D position history of every live track, and the velocity it gives."""

    def __init__(self, history: int = 10, min_samples: int = 3, min_span: float = 0.1,
                 forget_after: float = 2.0):
        self.history = max(2, int(history))
        self.min_samples = max(2, int(min_samples))
        self.min_span = float(min_span)
        self.forget_after = float(forget_after)
        self._tracks = {}          # id -> deque of (stamp, position)
        self._last_stamp = None

    def update(self, stamp: float, track_ids, positions: np.ndarray) -> np.ndarray:
        """Record one frame's positions (P, 3) of ``track_ids``; return (P, 3) velocities."""
        stamp = float(stamp)
        if self._last_stamp is not None and stamp < self._last_stamp - STAMP_JUMP_BACK:
            self._tracks.clear()   # a replay restarted: old histories mean nothing
        self._last_stamp = stamp
        positions = np.asarray(positions, np.float64).reshape(-1, 3)
        velocities = np.full((len(positions), 3), np.nan)
        for index, track_id in enumerate(track_ids):
            if int(track_id) <= 0:
                continue
            samples = self._tracks.setdefault(int(track_id), deque(maxlen=self.history))
            if np.all(np.isfinite(positions[index])) and (
                    not samples or stamp > samples[-1][0]):
                samples.append((stamp, positions[index].copy()))
            velocities[index] = self._velocity(samples)
        self._forget(stamp)
        return velocities

    def reset(self) -> None:
        """Forget every history."""
        self._tracks.clear()
        self._last_stamp = None

    def _velocity(self, samples) -> np.ndarray:
        if len(samples) < self.min_samples or samples[-1][0] - samples[0][0] < self.min_span:
            return np.full(3, np.nan)
        return fitted_velocity_3d([s[0] for s in samples], [s[1] for s in samples])

    def _forget(self, stamp):
        stale = [track_id for track_id, samples in self._tracks.items()
                 if not samples or stamp - samples[-1][0] > self.forget_after]
        for track_id in stale:
            del self._tracks[track_id]
