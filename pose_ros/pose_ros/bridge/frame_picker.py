# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Which camera images the viewer gets: the ones pose_node answered, so skeletons fit them.

pose_node skips frames when inference is slower than the camera (the latest frame wins),
so a picture sent at random would rarely have persons with its stamp. The picker keeps the
images of the last moment by stamp; when a PersonArray comes, the image with its stamp (if
any) is the next video frame, within the rate limit, and older images are let go. When no
PersonArray has come for ``alone_after`` seconds (pose_node stopped or deactivated), images
are sent on their own at the rate limit, and the viewer draws no skeleton on them. Memory
is bounded by age, count and bytes. No ROS: keys are (sec, nanosec) stamps.
"""

import collections

from pose_ros.bridge.rate_limiter import RateLimiter

KEEP_S = 2.0                 # an image waits this long for its PersonArray
MAX_IMAGES = 64
MAX_BYTES = 48 * 2**20
MAX_PENDING = 8              # PersonArrays that came before their image


class FramePicker:
    """Pair camera images with PersonArrays by stamp, at no more than ``max_rate`` Hz."""

    def __init__(self, max_rate: float, alone_after: float = 1.0):
        self._limiter = RateLimiter(max_rate)
        self._alone_after = alone_after
        self._images = collections.OrderedDict()  # stamp -> (image, size, arrival)
        self._bytes = 0
        self._pending = collections.deque(maxlen=MAX_PENDING)
        self._last_persons = None
        self.paired = 0
        self.alone = 0

    @property
    def held(self):
        """Return (images, bytes) held while waiting for their PersonArray."""
        return len(self._images), self._bytes

    def add_image(self, stamp, image, size: int, now: float):
        """Take an image; return it when it should be sent now, else None."""
        if stamp in self._pending:
            self._pending.remove(stamp)
            return self._send(image, now, paired=True)
        if self._last_persons is None or now - self._last_persons > self._alone_after:
            self._drop_all()
            return self._send(image, now, paired=False)
        replaced = self._images.pop(stamp, None)   # the same stamp again: the newest wins
        if replaced is not None:
            self._bytes -= replaced[1]
        self._images[stamp] = (image, size, now)
        self._bytes += size
        self._evict(now)
        return None

    def add_persons(self, stamp, now: float):
        """Note a PersonArray; return the image with its stamp when it should be sent now."""
        self._last_persons = now
        if stamp not in self._images:
            self._pending.append(stamp)
            return None
        while self._images:  # pose_node answers in order: older images will never be asked
            key, (image, size, _) = self._images.popitem(last=False)
            self._bytes -= size
            if key == stamp:
                return self._send(image, now, paired=True)
        return None

    def clear(self) -> None:
        """Forget every image (nobody watches any more)."""
        self._drop_all()
        self._pending.clear()
        self._last_persons = None

    def _send(self, image, now, paired):
        if not self._limiter.allow(now):
            return None
        if paired:
            self.paired += 1
        else:
            self.alone += 1
        return image

    def _evict(self, now):
        while self._images:
            key, (_, size, arrival) = next(iter(self._images.items()))
            if (now - arrival <= KEEP_S and len(self._images) <= MAX_IMAGES
                    and self._bytes <= MAX_BYTES):
                return
            del self._images[key]
            self._bytes -= size

    def _drop_all(self):
        self._images.clear()
        self._bytes = 0
