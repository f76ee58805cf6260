# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""A smoothed events-per-second meter for the FPS overlay and diagnostics."""

import time


class RateMeter:
    """Exponentially smoothed rate of ``tick()`` calls, in Hz."""

    def __init__(self, smoothing=0.2, clock=time.monotonic):
        self._smoothing = smoothing
        self._clock = clock
        self._last = None
        self.rate = 0.0

    def tick(self) -> float:
        """Record one event and return the smoothed rate."""
        now = self._clock()
        if self._last is not None and now > self._last:
            instant = 1.0 / (now - self._last)
            self.rate = instant if self.rate == 0.0 else (
                self._smoothing * instant + (1.0 - self._smoothing) * self.rate)
        self._last = now
        return self.rate
