# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Turn per-frame track ids into log-worthy events.

A track *appears* the first frame its id is seen and is *lost* once it has been missing for
``lost_after`` frames. The people count is reported when it changes and then holds for
``count_hold`` frames, so a flickering detection does not flood the log.
"""


class TrackEvents:
    """Follow the ids of successive frames and report appearances, losses and counts."""

    def __init__(self, lost_after=30, count_hold=3):
        self.lost_after = max(1, int(lost_after))
        self.count_hold = max(1, int(count_hold))
        self._missing = {}        # id -> frames since last seen
        self._reported_count = 0
        self._pending_count = None
        self._pending_frames = 0

    def update(self, ids) -> tuple:
        """Return (appeared ids, lost ids, new people count or None) for one frame's ids."""
        count = len(ids)
        ids = [i for i in ids if i > 0]  # id 0: tracking off, nothing to follow
        appeared = [i for i in ids if i not in self._missing]
        for track_id in self._missing:
            self._missing[track_id] += 1
        for track_id in ids:
            self._missing[track_id] = 0
        lost = [i for i, gap in self._missing.items() if gap >= self.lost_after]
        for track_id in lost:
            del self._missing[track_id]
        return appeared, lost, self._count_change(count)

    def _count_change(self, count):
        if count == self._reported_count:
            self._pending_count, self._pending_frames = None, 0
            return None
        if count != self._pending_count:
            self._pending_count, self._pending_frames = count, 0
        self._pending_frames += 1
        if self._pending_frames >= self.count_hold:
            self._reported_count = count
            self._pending_count, self._pending_frames = None, 0
            return count
        return None
