# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Depth images to metres: both encodings, holes, byte order, padding and clear errors."""

import array

import numpy as np
from pose_ros.depth.depth_image import (check_depth_size, depth_msg_to_metres, DepthImageError,
                                        metres_to_depth_msg, raw_depth_to_metres)
import pytest
from sensor_msgs.msg import Image


def _image(encoding, pixels, bigendian=False, padding=0):
    height, width = pixels.shape
    rows = pixels.astype(pixels.dtype.newbyteorder('>' if bigendian else '<')).tobytes()
    row_bytes = width * pixels.itemsize
    padded = b''.join(rows[r * row_bytes:(r + 1) * row_bytes] + b'\xee' * padding
                      for r in range(height))
    return Image(height=height, width=width, encoding=encoding, is_bigendian=int(bigendian),
                 step=row_bytes + padding, data=array.array('B', padded))


def test_16uc1_is_millimetres_and_zero_is_a_hole():
    pixels = np.array([[0, 1, 2500], [65535, 1000, 0]], np.uint16)
    metres = depth_msg_to_metres(_image('16UC1', pixels))
    assert metres.dtype == np.float32
    assert np.isnan(metres[0, 0]) and np.isnan(metres[1, 2])
    assert metres[0, 1] == pytest.approx(0.001)
    assert metres[0, 2] == pytest.approx(2.5)
    assert metres[1, 0] == pytest.approx(65.535)
    assert metres[1, 1] == pytest.approx(1.0)


def test_32fc1_is_metres_and_zero_nan_inf_are_holes():
    pixels = np.array([[0.0, np.nan, 2.5], [np.inf, -1.0, 0.75]], np.float32)
    metres = depth_msg_to_metres(_image('32FC1', pixels))
    assert np.isnan(metres[0, :2]).all() and np.isnan(metres[1, :2]).all()
    assert metres[0, 2] == 2.5 and metres[1, 2] == 0.75


@pytest.mark.parametrize('encoding, dtype', [('16UC1', np.uint16), ('mono16', np.uint16),
                                             ('32FC1', np.float32)])
def test_big_endian_and_padded_rows_decode_the_same(encoding, dtype):
    pixels = (np.arange(12).reshape(3, 4) * 250 + 500).astype(dtype)
    expected = depth_msg_to_metres(_image(encoding, pixels))
    for bigendian in (False, True):
        for padding in (0, 4):
            got = depth_msg_to_metres(_image(encoding, pixels, bigendian, padding))
            assert np.array_equal(got, expected), (bigendian, padding)
    scale = 1.0 if dtype == np.float32 else 0.001
    assert np.allclose(expected, pixels * scale)


@pytest.mark.parametrize('encoding', ['rgb8', 'bgr8', '8UC1', '16SC1', '64FC1', ''])
def test_other_encodings_are_refused_with_the_two_that_work(encoding):
    with pytest.raises(DepthImageError, match='16UC1.*32FC1'):
        raw_depth_to_metres(encoding, 2, 2, 8, False, bytes(16))


def test_inconsistent_sizes_are_refused():
    with pytest.raises(DepthImageError, match='bytes, but step'):
        raw_depth_to_metres('16UC1', 4, 3, 8, False, bytes(23))
    with pytest.raises(DepthImageError, match='step 6 does not fit'):
        raw_depth_to_metres('16UC1', 4, 3, 6, False, bytes(18))
    with pytest.raises(DepthImageError, match='empty'):
        raw_depth_to_metres('32FC1', 0, 3, 0, False, b'')


def test_a_depth_image_of_another_size_names_the_aligned_topic():
    check_depth_size(np.zeros((480, 640), np.float32), 640, 480)
    with pytest.raises(DepthImageError, match='848x480 but the colour image is 640x480.*aligned'):
        check_depth_size(np.zeros((480, 848), np.float32), 640, 480)


@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
def test_metres_round_trip_through_a_message(encoding):
    metres = np.array([[np.nan, 0.4567], [2.5, 12.0]], np.float32)
    msg = metres_to_depth_msg(metres, encoding)
    assert msg.encoding == encoding and msg.step == 2 * (2 if encoding == '16UC1' else 4)
    back = depth_msg_to_metres(msg)
    assert np.isnan(back[0, 0])
    tolerance = 0.0005 if encoding == '16UC1' else 0.0
    assert np.allclose(back[~np.isnan(back)], metres[~np.isnan(metres)], atol=tolerance)
