# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The pixel size of a JPEG or PNG, read from its header without decoding it.

A few kilobytes of PNG can declare a picture of gigabytes; reading the size first lets a
node refuse such an image before the decoder allocates it.
"""

import struct

JPEG_SOI = b'\xff\xd8'
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def jpeg_size(data: bytes):
    """Return (width, height) from a JPEG's frame header, or (0, 0) if none is found."""
    index = 2
    while index + 9 <= len(data):
        if data[index] != 0xFF:
            return 0, 0
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        length = struct.unpack_from('!H', data, index + 2)[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack_from('!HH', data, index + 5)
            return width, height
        index += 2 + length
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
