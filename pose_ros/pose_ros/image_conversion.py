# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Conversion between sensor_msgs images and BGR numpy arrays.

cv_bridge is used when it imports. Otherwise a numpy converter does the same for the
encodings cameras actually send: bgr8, rgb8, mono8, bgra8, rgba8 and the 4:2:2 YUV
formats, honouring ``step`` (padded rows). Every image is validated first, so a bad one
raises ImageConversionError with a message that names the problem, whichever path runs; an
image the checks accept but cv_bridge refuses (an upper-case "BGR8") is decoded by numpy.
A CompressedImage is decoded only if its header declares a JPEG or PNG of at most
MAX_COMPRESSED_PIXELS.
"""

import array

import cv2
import numpy as np
from pose_ros.compressed_size import image_size

try:  # pragma: no cover - depends on the ROS install
    from cv_bridge import CvBridge
    _BRIDGE = CvBridge()
except ImportError:
    _BRIDGE = None

MAX_COMPRESSED_PIXELS = 7680 * 4320   # 8K UHD: a CompressedImage declaring more is refused

# encoding -> (bytes per pixel, cv2 conversion to BGR or None when already BGR)
_ENCODINGS = {
    'bgr8': (3, None),
    'rgb8': (3, cv2.COLOR_RGB2BGR),
    'mono8': (1, cv2.COLOR_GRAY2BGR),
    '8uc1': (1, cv2.COLOR_GRAY2BGR),
    'bgra8': (4, cv2.COLOR_BGRA2BGR),
    'rgba8': (4, cv2.COLOR_RGBA2BGR),
    # ROS 'yuv422' is UYVY byte order, as in cv_bridge; 'yuv422_yuy2' and 'yuyv' are YUYV.
    'yuv422': (2, cv2.COLOR_YUV2BGR_UYVY),
    'uyvy': (2, cv2.COLOR_YUV2BGR_UYVY),
    'yuv422_yuy2': (2, cv2.COLOR_YUV2BGR_YUYV),
    'yuyv': (2, cv2.COLOR_YUV2BGR_YUYV),
}
SUPPORTED_ENCODINGS = tuple(sorted(_ENCODINGS))


class ImageConversionError(ValueError):
    """An image message that cannot be turned into a BGR array; the text says why."""


def using_cv_bridge() -> bool:
    """Return True when cv_bridge is available and used for decoding."""
    return _BRIDGE is not None


def raw_to_bgr(encoding: str, width: int, height: int, step: int, data) -> np.ndarray:
    """
    Return an HxWx3 uint8 BGR array for raw image fields.

    ``data`` is any buffer (bytes, array.array, memoryview). For bgr8 without row padding the
    result is a view of ``data`` and no pixel is copied; other encodings need one conversion.
    """
    bytes_per_pixel, conversion = _layout(encoding, width, height, step, data)
    buffer = np.frombuffer(data, dtype=np.uint8)
    rows = buffer.reshape(height, step)[:, :width * bytes_per_pixel]
    if bytes_per_pixel == 2:
        if width % 2:
            raise ImageConversionError(f'{encoding} needs an even width, got {width}')
        pixels = rows.reshape(height, width, 2)
    else:
        pixels = rows.reshape(height, width, bytes_per_pixel)
    if conversion is None:
        return pixels
    if bytes_per_pixel == 1:
        pixels = pixels[:, :, 0]
    return cv2.cvtColor(np.ascontiguousarray(pixels), conversion)


def image_msg_to_bgr(msg) -> np.ndarray:
    """Return the BGR array of a sensor_msgs/Image, raising ImageConversionError if bad."""
    encoding = msg.encoding.lower()
    _layout(encoding, msg.width, msg.height, msg.step, msg.data)
    if _BRIDGE is not None:
        try:
            return _BRIDGE.imgmsg_to_cv2(msg, desired_encoding='bgr8')
        except Exception:  # noqa: BLE001 - cv_bridge refuses e.g. "BGR8", which is checked above
            pass
    return raw_to_bgr(encoding, msg.width, msg.height, msg.step, msg.data)


def compressed_msg_to_bgr(msg) -> np.ndarray:
    """Decode a sensor_msgs/CompressedImage (JPEG or PNG) to a BGR array."""
    compressed_size(msg)
    image = cv2.imdecode(np.frombuffer(msg.data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageConversionError(
            f'could not decode compressed image (format "{msg.format}", {len(msg.data)} bytes)')
    return image


def compressed_size(msg):
    """
    Return (width, height) of a CompressedImage from its header, without decoding it.

    Raise ImageConversionError unless it is a JPEG or PNG of at most MAX_COMPRESSED_PIXELS:
    a few kilobytes can declare gigabytes of pixels.
    """
    if len(msg.data) == 0:
        raise ImageConversionError('empty compressed image')
    kind, width, height = image_size(msg.data)
    if kind is None:
        raise ImageConversionError(
            f'compressed image (format "{msg.format}") is neither JPEG nor PNG, the only '
            'formats decoded here: publish with format jpeg or png')
    if width * height == 0:
        raise ImageConversionError(f'could not decode compressed image: its {kind} header '
                                   f'gives no size ({len(msg.data)} bytes)')
    if width * height > MAX_COMPRESSED_PIXELS:
        raise ImageConversionError(
            f'compressed image declares {width}x{height} pixels, more than the '
            f'{MAX_COMPRESSED_PIXELS / 1e6:.1f} megapixels of 8K UHD (7680x4320) accepted '
            'here; not decoded')
    return width, height


def bgr_to_image_msg(image: np.ndarray, header, msg=None):
    """Fill (or create) a sensor_msgs/Image with a bgr8 copy of ``image``."""
    if msg is None:
        from sensor_msgs.msg import Image
        msg = Image()
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ImageConversionError(f'expected HxWx3 uint8 BGR, got {image.shape} {image.dtype}')
    msg.header = header
    msg.height, msg.width = int(image.shape[0]), int(image.shape[1])
    msg.encoding = 'bgr8'
    msg.is_bigendian = 0
    msg.step = msg.width * 3
    # array.array from bytes is one memcpy; assigning bytes would be checked byte by byte.
    msg.data = array.array('B', np.ascontiguousarray(image).tobytes())
    return msg


def _layout(encoding, width, height, step, data):
    encoding = encoding.lower()
    if encoding not in _ENCODINGS:
        raise ImageConversionError(
            f'unsupported encoding "{encoding}"; supported: {", ".join(SUPPORTED_ENCODINGS)}')
    if width <= 0 or height <= 0:
        raise ImageConversionError(f'empty image ({width}x{height})')
    bytes_per_pixel, conversion = _ENCODINGS[encoding]
    if step < width * bytes_per_pixel:
        raise ImageConversionError(
            f'step {step} is smaller than width {width} x {bytes_per_pixel} bytes '
            f'per pixel for {encoding}')
    if len(data) != step * height:
        raise ImageConversionError(
            f'data has {len(data)} bytes, but step {step} x height {height} = {step * height}')
    return bytes_per_pixel, conversion
