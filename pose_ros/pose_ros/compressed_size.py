# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The pixel size of a JPEG or PNG, read from its header without decoding it.

A few kilobytes of PNG can declare a picture of gigabytes; reading the size first lets a
node refuse such an image before the decoder allocates it.
"""

import re
import struct

JPEG_SOI = b'\xff\xd8'
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
STANDALONE_MARKERS = {0x00, 0x01, *range(0xD0, 0xD8)}   # stuffing, TEM, RSTn: no length
MAX_MARKERS = 256      # a real JPEG has a few dozen markers before its frame header
_MARKER = re.compile(rb'\xff[^\xff]')   # the last 0xFF before a marker (after fill bytes)


def jpeg_size(data: bytes):
    """
    Return (width, height) from a JPEG's frame header, or (0, 0) if none is found.

    Like libjpeg, it passes over stray bytes between segments, fill bytes and markers that
    carry no length; it gives up after MAX_MARKERS markers.
    """
    index = 2
    for _ in range(MAX_MARKERS):
        found = _MARKER.search(data, index)
        if found is None:
            return 0, 0
        marker, index = found.group()[1], found.start()
        if marker in STANDALONE_MARKERS:
            index += 2
            continue
        if index + 9 > len(data):
            return 0, 0
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack_from('!HH', data, index + 5)
            return width, height
        index += 2 + struct.unpack_from('!H', data, index + 2)[0]
    return 0, 0


def png_size(data: bytes):
    """Return (width, height) from a PNG's IHDR chunk, or (0, 0) if it has none."""
    if len(data) < 24 or data[12:16] != b'IHDR':
        return 0, 0
    return struct.unpack_from('!II', data, 16)


def image_size(data: bytes):
    """Return (format, width, height) of JPEG or PNG bytes; format None for anything else."""
    data = bytes(data)
    if data.startswith(JPEG_SOI):
        return ('jpeg', *jpeg_size(data))
    if data.startswith(PNG_SIGNATURE):
        return ('png', *png_size(data))
    return None, 0, 0
