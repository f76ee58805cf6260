# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The feed's video frames: a camera image as one binary WebSocket message, encoded once.

Wire format of a video frame (see docs/websocket.md): a 4-byte big-endian length N, N
bytes of UTF-8 JSON (``{"type":"video_frame","stamp":...,"seq":...,"width":...,
"height":...,"format":"jpeg"}``), then the JPEG file. ``stamp`` is the image's, written
exactly as in ``persons`` messages, so a client pairs the two by equality.

A sensor_msgs/Image is converted and JPEG-encoded; a CompressedImage that already holds a
JPEG is forwarded byte for byte, others are decoded and re-encoded (both only within the
size that ``image_conversion.compressed_size`` accepts). ``VideoEncoder`` does
this on a thread of its own, newest image first, so neither ROS callbacks nor the network
loop ever wait for an encoder.
"""

import json
import struct
import threading

import cv2
from pose_ros.bridge.json_encoding import stamp_seconds
from pose_ros.compressed_size import JPEG_SOI
from pose_ros.image_conversion import (compressed_msg_to_bgr, compressed_size,
                                       image_msg_to_bgr, ImageConversionError)
from pose_ros.latest_frame import LatestSlot

HEADER_LENGTH = struct.Struct('!I')


def is_jpeg(msg) -> bool:
    """Return whether a CompressedImage holds a JPEG (by its format, checked by its bytes)."""
    fmt = str(msg.format).lower()
    return ('jpeg' in fmt or 'jpg' in fmt) and bytes(msg.data[:2]) == JPEG_SOI


def encode_picture(msg, quality: int):
    """Return (JPEG bytes, width, height) of an Image or CompressedImage message."""
    if hasattr(msg, 'format'):  # CompressedImage
        if is_jpeg(msg):
            return (bytes(msg.data), *compressed_size(msg))
        image = compressed_msg_to_bgr(msg)
    else:
        image = image_msg_to_bgr(msg)
    ok, jpeg = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ImageConversionError(f'JPEG encoding failed for a {image.shape} image')
    return jpeg.tobytes(), int(image.shape[1]), int(image.shape[0])


def pack_video_frame(header: dict, jpeg: bytes) -> bytes:
    """Return one binary video message: length-prefixed JSON header, then the JPEG."""
    text = json.dumps({'type': 'video_frame', **header}, separators=(',', ':'),
                      allow_nan=False).encode('utf-8')
    return HEADER_LENGTH.pack(len(text)) + text + jpeg


def unpack_video_frame(data: bytes):
    """Return (header dict, JPEG bytes) of a binary video message (for clients and tests)."""
    (length,) = HEADER_LENGTH.unpack_from(data)
    header = json.loads(data[HEADER_LENGTH.size:HEADER_LENGTH.size + length])
    return header, data[HEADER_LENGTH.size + length:]


class VideoEncoder:
    """
    Encode the images handed to ``submit`` on a worker thread; pass each frame to ``publish``.

    When encoding falls behind, the newest image wins and the others are counted in
    ``dropped``. ``on_error(text)`` hears about images that cannot be encoded.
    """

    def __init__(self, quality: int, publish, on_error=None):
        self.quality = quality
        self.encoded = 0
        self.forwarded = 0  # JPEG CompressedImages sent as they came
        self.failed = 0
        self._publish = publish
        self._on_error = on_error
        self._slot = LatestSlot()
        self._thread = threading.Thread(target=self._run, name='pose-bridge-video',
                                        daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        """Return how many images were replaced by a newer one before being encoded."""
        return self._slot.dropped

    def submit(self, msg) -> None:
        """Queue an Image or CompressedImage for encoding (never blocks)."""
        self._slot.put(msg)

    def close(self, timeout=5.0) -> None:
        """Stop the worker thread."""
        self._slot.close()
        self._thread.join(timeout)

    def _run(self):
        while True:
            msg = self._slot.take()
            if msg is None:
                return
            try:
                jpeg, width, height = encode_picture(msg, self.quality)
            except Exception as error:  # noqa: BLE001 - the thread must outlive any bad image
                self.failed += 1
                if self._on_error is not None:
                    self._on_error(f'cannot encode an image for the viewer: {error}')
                continue
            if hasattr(msg, 'format') and is_jpeg(msg):
                self.forwarded += 1
            self.encoded += 1
            self._publish(pack_video_frame({
                'stamp': stamp_seconds(msg.header.stamp), 'seq': self.encoded,
                'width': width, 'height': height, 'format': 'jpeg'}, jpeg))
