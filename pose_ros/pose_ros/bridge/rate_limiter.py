# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""A rate limit that keeps to its schedule despite jitter, without bursts after a pause."""


class RateLimiter:
    """Let events through at no more than ``rate`` Hz (0 = all), tolerating some jitter."""

    TOLERANCE = 0.25  # an event may come this fraction of a period early

    def __init__(self, rate):
        self._period = 1.0 / rate if rate > 0 else 0.0
        self._next_due = None

    def allow(self, now: float) -> bool:
        """Return whether an event at time ``now`` (seconds) may pass."""
        if not self._period:
            return True
        if self._next_due is None:
            self._next_due = now + self._period
            return True
        if now < self._next_due - self.TOLERANCE * self._period:
            return False
        # Keep to the schedule despite jitter, but never let a burst through after a pause.
        self._next_due = max(self._next_due + self._period,
                             now + (1.0 - self.TOLERANCE) * self._period)
        return True
