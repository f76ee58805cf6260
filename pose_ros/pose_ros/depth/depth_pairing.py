# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Pair each colour frame with the depth frame whose stamp is nearest, within a slop.

message_filters is not available on every install, and only this is needed of it: depth
frames go into a short buffer as they arrive (any thread); the pose worker asks for the one
nearest a colour stamp once inference is done. If no depth frame at or after that stamp has
arrived yet, a nearer one may still come, so the worker may wait up to the slop for it.
"""

from collections import deque
from dataclasses import dataclass
import threading
import time

PAIRED = 'paired'
NO_DEPTH_YET = 'no depth image received yet'
TOO_FAR = 'no depth image within depth_slop'
STOPPED = 'depth stopped'


@dataclass
class Pairing:
    """The outcome of one look-up: the paired item (or None) and why not."""

    item: object
    status: str
    offset: float = float('nan')     # depth stamp minus colour stamp of the nearest, seconds
    silent_for: float = float('nan')  # seconds since the last depth frame arrived

    @property
    def paired(self) -> bool:
        """Return True when a depth frame was found within the slop."""
        return self.status == PAIRED


class DepthPairing:
    """A short, thread-safe buffer of depth frames, looked up by nearest stamp."""

    def __init__(self, slop: float, keep: int = 30, stopped_after: float = 1.0,
                 clock=time.monotonic):
        if slop < 0:
            raise ValueError(f'depth_slop must be >= 0, got {slop}')
        self.slop = float(slop)
        self.stopped_after = float(stopped_after)
        self._frames = deque(maxlen=max(2, int(keep)))   # (stamp, item), in arrival order
        self._clock = clock
        self._last_arrival = None
        self._changed = threading.Condition()
        self.received = 0

    def put(self, stamp: float, item) -> None:
        """Add a depth frame taken at ``stamp`` seconds (called from any thread)."""
        with self._changed:
            self._frames.append((float(stamp), item))
            self._last_arrival = self._clock()
            self.received += 1
            self._changed.notify_all()

    def nearest(self, stamp: float, wait: float = 0.0) -> Pairing:
        """
        Return the depth frame nearest ``stamp`` if it lies within the slop.

        When every buffered frame is older than ``stamp`` and depth is still arriving, a
        nearer one may be on its way: wait up to ``wait`` seconds (wall time) for a frame at
        or after ``stamp``. Once depth has stopped, never wait.
        """
        stamp = float(stamp)
        deadline = self._clock() + max(0.0, wait)
        with self._changed:
            while (self._frames and max(s for s, _ in self._frames) < stamp
                   and self._clock() - self._last_arrival <= self.stopped_after
                   and self._clock() < deadline):
                self._changed.wait(timeout=max(0.0, deadline - self._clock()))
            silent_for = (float('nan') if self._last_arrival is None
                          else self._clock() - self._last_arrival)
            if not self._frames:
                return Pairing(None, NO_DEPTH_YET, silent_for=silent_for)
            depth_stamp, item = min(self._frames, key=lambda frame: abs(frame[0] - stamp))
        offset = depth_stamp - stamp
        if abs(offset) <= self.slop:
            return Pairing(item, PAIRED, offset, silent_for)
        status = STOPPED if silent_for > self.stopped_after else TOO_FAR
        return Pairing(None, status, offset, silent_for)

    def clear(self) -> None:
        """Forget every buffered frame."""
        with self._changed:
            self._frames.clear()
            self._last_arrival = None
