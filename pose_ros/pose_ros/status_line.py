# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""pose_node's one info line in steady state: people in view, FPS, and drops when any."""

import time
from typing import Optional

STATUS_PERIOD_S = 5.0


def people(count: int) -> str:
    """Return '1 person' or 'N people'."""
    return '1 person' if count == 1 else f'{count} people'


class StatusLine:
    """Say how it goes on the first frame, then at most once every ``period_s`` seconds."""

    def __init__(self, period_s: float = STATUS_PERIOD_S, clock=time.monotonic):
        self.period_s = period_s
        self._clock = clock
        self._due = None
        self._dropped_before = 0

    def update(self, people_in_view: int, fps: float, dropped: int) -> Optional[str]:
        """Return the line to log after a frame, or None; ``dropped`` counts since start."""
        now = self._clock()
        if self._due is not None and now < self._due:
            return None
        self._due = now + self.period_s
        line = f'{people(people_in_view)} in view, {fps:.1f} FPS'
        new_drops = dropped - self._dropped_before
        self._dropped_before = dropped
        if new_drops > 0:
            line += f', {new_drops} stale frame{"s" if new_drops != 1 else ""} dropped'
        return line

    def restart(self, dropped: int = 0) -> None:
        """Start over (after a pause): the next frame gets a line at once."""
        self._due = None
        self._dropped_before = dropped
