# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The numpy image converter: every encoding, padded rows, and each malformed image kind."""

import struct
import zlib

import cv2
from hypothesis import given, settings, strategies as st
import numpy as np
from pose_ros.image_conversion import (bgr_to_image_msg, compressed_msg_to_bgr,
                                       compressed_size, image_msg_to_bgr, ImageConversionError,
                                       MAX_COMPRESSED_PIXELS, raw_to_bgr, SUPPORTED_ENCODINGS)
import pytest
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header


def _reference(height=6, width=8, seed=1):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _encode(bgr, encoding):
    """Return the raw pixel rows (H x W*bpp) of ``bgr`` in ``encoding``, and the expected BGR."""
    if encoding == 'bgr8':
        return bgr, bgr
    if encoding == 'rgb8':
        return bgr[:, :, ::-1], bgr
    if encoding == 'mono8':
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        return gray[:, :, None], cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if encoding == 'bgra8':
        return np.dstack([bgr, np.full(bgr.shape[:2], 255, np.uint8)]), bgr
    if encoding == 'rgba8':
        return np.dstack([bgr[:, :, ::-1], np.full(bgr.shape[:2], 7, np.uint8)]), bgr
    if encoding == 'yuyv':
        yuyv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_YUYV)
        return yuyv, cv2.cvtColor(yuyv, cv2.COLOR_YUV2BGR_YUYV)
    if encoding == 'yuv422':  # ROS yuv422 is UYVY
        yuyv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_YUYV)
        uyvy = yuyv.reshape(bgr.shape[0], -1, 2)[:, :, ::-1].reshape(yuyv.shape)
        return uyvy, cv2.cvtColor(yuyv, cv2.COLOR_YUV2BGR_YUYV)
    raise AssertionError(encoding)


def _msg(pixels, encoding, padding=0):
    height = pixels.shape[0]
    rows = pixels.reshape(height, -1)
    step = rows.shape[1] + padding
    padded = np.zeros((height, step), np.uint8)
    padded[:, :rows.shape[1]] = rows
    padded[:, rows.shape[1]:] = 0xAB  # garbage in the padding must never show up
    msg = Image(height=height, width=pixels.shape[1], encoding=encoding, step=step)
    msg.data = padded.tobytes()
    return msg


@pytest.mark.parametrize('encoding', ['bgr8', 'rgb8', 'mono8', 'bgra8', 'rgba8', 'yuyv',
                                      'yuv422'])
@pytest.mark.parametrize('padding', [0, 5])
def test_each_encoding_converts_to_the_same_bgr(encoding, padding):
    pixels, expected = _encode(_reference(), encoding)
    result = image_msg_to_bgr(_msg(pixels, encoding, padding))
    assert result.shape == expected.shape and result.dtype == np.uint8
    assert np.array_equal(result, expected)


class _RefusingBridge:
    """Stands in for cv_bridge (not installable here), which refuses an upper-case 'BGR8'."""

    def imgmsg_to_cv2(self, msg, desired_encoding):
        raise TypeError(f'Unrecognized image encoding [{msg.encoding}]')   # CvBridgeError


def test_an_image_cv_bridge_refuses_but_the_checks_accept_is_decoded_here(monkeypatch):
    import pose_ros.image_conversion as conversion
    monkeypatch.setattr(conversion, '_BRIDGE', _RefusingBridge())
    bgr = _reference()
    msg = _msg(bgr, 'BGR8')   # bgr8 rows, the encoding spelt in upper case
    np.testing.assert_array_equal(image_msg_to_bgr(msg), bgr)


def test_bgr8_without_padding_is_a_view_not_a_copy():
    data = _reference().tobytes()
    view = raw_to_bgr('bgr8', 8, 6, 24, data)
    assert not view.flags.owndata


@pytest.mark.parametrize('change, message', [
    ({'encoding': '32FC1'}, 'unsupported encoding "32fc1"'),
    ({'step': 10}, 'step 10 is smaller than width 8'),
    ({'data': b'\x00' * 100}, 'data has 100 bytes, but step 24 x height 6 = 144'),
    ({'width': 0, 'height': 0, 'step': 0, 'data': b''}, 'empty image (0x0)'),
])
def test_malformed_images_raise_a_named_error(change, message):
    msg = _msg(_reference(), 'bgr8')
    for key, value in change.items():
        setattr(msg, key, value)
    with pytest.raises(ImageConversionError) as error:
        image_msg_to_bgr(msg)
    assert message in str(error.value)


def test_odd_width_yuv_is_rejected():
    with pytest.raises(ImageConversionError, match='even width'):
        raw_to_bgr('yuyv', 3, 2, 6, bytes(12))


def test_round_trip_through_image_message_keeps_pixels_and_header():
    bgr = _reference(5, 7)
    header = Header(frame_id='cam')
    header.stamp.sec = 12
    msg = bgr_to_image_msg(bgr, header)
    assert (msg.width, msg.height, msg.step, msg.encoding) == (7, 5, 21, 'bgr8')
    assert msg.header == header
    assert np.array_equal(image_msg_to_bgr(msg), bgr)


def test_compressed_images_decode_and_garbage_is_rejected():
    bgr = _reference(16, 16)
    ok, png = cv2.imencode('.png', bgr)
    msg = CompressedImage(format='png')
    msg.data = png.tobytes()
    assert np.array_equal(compressed_msg_to_bgr(msg), bgr)
    msg.data = b'not an image'
    with pytest.raises(ImageConversionError, match='neither JPEG nor PNG'):
        compressed_msg_to_bgr(msg)
    msg.data = png.tobytes()[:-40]   # the header is whole, the pixels are not
    with pytest.raises(ImageConversionError, match='could not decode'):
        compressed_msg_to_bgr(msg)
    msg.data = b''
    with pytest.raises(ImageConversionError, match='empty'):
        compressed_msg_to_bgr(msg)


def _blank_png(width, height):
    """Return a valid 1-bit grey PNG of ``width`` x ``height``: tiny, however many pixels."""
    def chunk(kind, body):
        return (struct.pack('!I', len(body)) + kind + body
                + struct.pack('!I', zlib.crc32(kind + body)))
    rows = zlib.compress(bytes(1 + (width + 7) // 8) * height, 9)
    header = struct.pack('!IIBBBBB', width, height, 1, 0, 0, 0, 0)   # 1 bit, grey
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', rows)
            + chunk(b'IEND', b''))


def test_a_compressed_image_declaring_too_many_pixels_is_refused_before_decoding():
    msg = CompressedImage(format='png')
    msg.data = _blank_png(640, 480)
    assert compressed_msg_to_bgr(msg).shape == (480, 640, 3)   # the helper's PNG is real
    msg.data = _blank_png(9000, 9000)    # 81 megapixels, 243 MB as BGR, from 10 kB
    assert len(msg.data) < 20000 and 9000 * 9000 > MAX_COMPRESSED_PIXELS
    with pytest.raises(ImageConversionError, match='declares 9000x9000 pixels, more than '
                       r'the 33.2 megapixels of 8K UHD \(7680x4320\)'):
        compressed_msg_to_bgr(msg)
    msg.data = _blank_png(7680, 4320)
    assert compressed_size(msg) == (7680, 4320)      # 8K UHD is accepted, one row more not
    msg.data = _blank_png(7680, 4321)
    with pytest.raises(ImageConversionError, match='declares 7680x4321 pixels'):
        compressed_size(msg)


def test_a_jpeg_with_stray_bytes_or_markers_before_its_frame_header_still_decodes():
    jpeg = cv2.imencode('.jpg', _reference(48, 64))[1].tobytes()
    after_app0 = 4 + int.from_bytes(jpeg[4:6], 'big')
    for extra in (b'\x00\x00', b'\xff\xff\xff', b'\xff\x01', b'\xff\xd3'):  # libjpeg skips
        msg = CompressedImage(format='jpeg')
        msg.data = jpeg[:after_app0] + extra + jpeg[after_app0:]
        assert compressed_size(msg) == (64, 48), extra
        assert compressed_msg_to_bgr(msg).shape == (48, 64, 3)


@settings(max_examples=300, deadline=None)
@given(encoding=st.sampled_from(SUPPORTED_ENCODINGS + ('32FC1', 'bayer_rggb8', '', 'BGR8')),
       width=st.integers(-2, 12), height=st.integers(-2, 12), step=st.integers(-1, 60),
       length=st.integers(0, 800))
def test_any_image_fields_give_bgr_or_a_named_error(encoding, width, height, step, length):
    data = bytes(range(256)) * (length // 256) + bytes(range(length % 256))
    try:
        result = raw_to_bgr(encoding.lower(), width, height, step, data)
    except ImageConversionError as error:
        assert str(error)
        return
    assert result.shape == (height, width, 3) and result.dtype == np.uint8
