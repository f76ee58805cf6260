# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The One Euro filter (Casiez, Roussel and Vogel, CHI 2012), element-wise over numpy arrays.

A low-pass filter whose cutoff rises with the signal's speed: steady at rest, little lag in
motion. Time comes from the caller's stamps, so replayed data is filtered like live data.
"""

import math

import numpy as np


def _smoothing_factor(cutoff, dt: float):
    """Return the exponential smoothing factor of a first-order low-pass at ``cutoff`` Hz."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Filters an array signal sample by sample; every element has its own adaptive cutoff."""

    def __init__(self, min_cutoff=0.5, beta=0.1, d_cutoff=1.0):
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self._value = None
        self._speed = None
        self._stamp = None

    def __call__(self, value: np.ndarray, stamp: float) -> np.ndarray:
        """Return the filtered ``value`` observed at ``stamp`` seconds."""
        value = np.asarray(value, np.float64)
        if self._value is None or self._value.shape != value.shape:
            self._value, self._speed, self._stamp = value.copy(), np.zeros_like(value), stamp
            return value.copy()
        dt = stamp - self._stamp
        if dt <= 0:   # same or older image: nothing new to learn from
            return self._value.copy()
        speed = (value - self._value) / dt
        self._speed += _smoothing_factor(self.d_cutoff, dt) * (speed - self._speed)
        cutoff = self.min_cutoff + self.beta * np.abs(self._speed)
        self._value += _smoothing_factor(cutoff, dt) * (value - self._value)
        self._stamp = stamp
        return self._value.copy()
