# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Decode a depth sensor_msgs/Image into metres, with NaN where the sensor saw nothing.

Two encodings are accepted, as REP 118 defines them: ``16UC1`` (also named ``mono16``) in
millimetres, where 0 means no reading, and ``32FC1`` in metres, where 0, NaN and infinity
mean no reading. Every image is validated first; a bad one raises DepthImageError with a
message that names the problem and the fix.
"""

import numpy as np

# encoding -> (numpy dtype of one pixel, metres per unit)
_ENCODINGS = {
    '16uc1': (np.dtype(np.uint16), 0.001),
    'mono16': (np.dtype(np.uint16), 0.001),
    '32fc1': (np.dtype(np.float32), 1.0),
}
SUPPORTED_DEPTH_ENCODINGS = ('16UC1', '32FC1')


class DepthImageError(ValueError):
    """A depth image that cannot be used; the text says why."""


def depth_msg_to_metres(msg) -> np.ndarray:
    """Return an HxW float32 array of metres for a depth sensor_msgs/Image; NaN = no depth."""
    return raw_depth_to_metres(msg.encoding, msg.width, msg.height, msg.step,
                               bool(msg.is_bigendian), msg.data)


def raw_depth_to_metres(encoding: str, width: int, height: int, step: int, bigendian: bool,
                        data) -> np.ndarray:
    """Return metres (float32, NaN for holes) from the raw fields of a depth image."""
    key = str(encoding).lower()
    if key not in _ENCODINGS:
        raise DepthImageError(
            f'depth encoding "{encoding}" is not supported; use 16UC1 (millimetres) or '
            '32FC1 (metres), as RealSense, OAK, ZED and Kinect drivers publish')
    dtype, scale = _ENCODINGS[key]
    if width <= 0 or height <= 0:
        raise DepthImageError(f'empty depth image ({width}x{height})')
    if step < width * dtype.itemsize or step % dtype.itemsize:
        raise DepthImageError(
            f'depth image step {step} does not fit width {width} x {dtype.itemsize} bytes '
            f'per pixel ({encoding})')
    if len(data) != step * height:
        raise DepthImageError(
            f'depth image has {len(data)} bytes, but step {step} x height {height} = '
            f'{step * height}')
    dtype = dtype.newbyteorder('>' if bigendian else '<')
    rows = np.frombuffer(data, dtype=np.uint8).reshape(height, step)[:, :width * dtype.itemsize]
    values = np.ascontiguousarray(rows).view(dtype).reshape(height, width)
    metres = values.astype(np.float32)
    if scale != 1.0:
        metres *= np.float32(scale)
    metres[~np.isfinite(metres) | (metres <= 0.0)] = np.nan
    return metres


def check_depth_size(depth: np.ndarray, width: int, height: int) -> None:
    """Raise DepthImageError unless ``depth`` has the colour image's size."""
    if depth.shape[:2] != (height, width):
        raise DepthImageError(
            f'depth image is {depth.shape[1]}x{depth.shape[0]} but the colour image is '
            f'{width}x{height}; subscribe to the depth aligned to the colour image (RealSense: '
            'align_depth.enable:=true and .../aligned_depth_to_color/image_raw)')


def metres_to_depth_msg(metres: np.ndarray, encoding: str = '16UC1', header=None, msg=None):
    """
    Fill (or create) a depth sensor_msgs/Image from metres; NaN becomes no reading.

    ``16UC1`` rounds to whole millimetres (0 for no reading or beyond 65.535 m); ``32FC1``
    keeps metres with NaN for no reading.
    """
    import array
    if msg is None:
        from sensor_msgs.msg import Image
        msg = Image()
    metres = np.asarray(metres, np.float32)
    if metres.ndim != 2:
        raise DepthImageError(f'expected an HxW depth array, got shape {metres.shape}')
    key = encoding.lower()
    if key in ('16uc1', 'mono16'):
        millimetres = np.nan_to_num(metres * 1000.0, nan=0.0, posinf=0.0, neginf=0.0)
        millimetres[(millimetres < 0) | (millimetres > 65535)] = 0
        pixels = np.round(millimetres).astype('<u2')
    elif key == '32fc1':
        pixels = metres.astype('<f4')
    else:
        raise DepthImageError(f'depth encoding "{encoding}" is not supported; use 16UC1 or '
                              '32FC1')
    if header is not None:
        msg.header = header
    msg.height, msg.width = int(metres.shape[0]), int(metres.shape[1])
    msg.encoding = '16UC1' if key in ('16uc1', 'mono16') else '32FC1'
    msg.is_bigendian = 0
    msg.step = msg.width * pixels.itemsize
    msg.data = array.array('B', np.ascontiguousarray(pixels).tobytes())
    return msg
