# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""A one-slot mailbox: the newest item wins, and every item overwritten unread is counted."""

import threading


class LatestSlot:
    """Hand the newest item from a producer to one consumer thread, dropping stale ones."""

    def __init__(self):
        self._condition = threading.Condition()
        self._item = None
        self._closed = False
        self.dropped = 0
        self.received = 0

    def put(self, item) -> None:
        """Store ``item``, replacing (and counting as dropped) any item not yet taken."""
        with self._condition:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.received += 1
            self._condition.notify()

    def take(self, timeout=None):
        """Return the newest item, waiting up to ``timeout`` s; None on timeout or close."""
        with self._condition:
            if self._item is None and not self._closed:
                self._condition.wait(timeout)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        """Wake the consumer for good; later take() calls return at once."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        """Return True once close() was called."""
        return self._closed
