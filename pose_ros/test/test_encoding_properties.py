# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Property-based tests (hypothesis) of the plain encoders, fed hostile input.

The image converter gets random encodings, sizes, steps, byte lengths and buffer types:
it returns exactly the reference pixels when the fields are valid and raises
ImageConversionError otherwise, never anything else. The JSON encoder gets NaN, infinity,
huge, tiny and negative-zero floats in every float field, extreme stamps, long and
non-ASCII frame ids and up to 1000 persons: its output is always strict JSON (no NaN or
Infinity tokens) in the documented schema 1.
"""

import array
import json
import math
import time
from types import SimpleNamespace

import cv2
from hypothesis import given, HealthCheck, settings, strategies as st
import numpy as np
from pose_ros.bridge.json_encoding import (CONFIDENCE_DIGITS, COORDINATE_DIGITS,
                                           diagnostics_message, encode, encode_persons)
from pose_ros.image_conversion import ImageConversionError, raw_to_bgr, SUPPORTED_ENCODINGS
from pose_ros_msgs.msg import Keypoint, Person, PersonArray
import pytest

BYTES_PER_PIXEL = {'bgr8': 3, 'rgb8': 3, 'mono8': 1, '8uc1': 1, 'bgra8': 4, 'rgba8': 4,
                   'yuv422': 2, 'uyvy': 2, 'yuv422_yuy2': 2, 'yuyv': 2}
UNSUPPORTED = ('32FC1', '16UC1', 'bayer_rggb8', 'bgr16', 'nv21', 'jpeg', '', ' bgr8',
               'bgr8\x00', 'rgb8 ', 'bgr\u0130')
BUFFER_TYPES = {
    'bytes': bytes,
    'bytearray': bytearray,
    'array': lambda data: array.array('B', data),   # what rclpy gives for uint8[]
    'memoryview': memoryview,
}
PERSONS_KEYS = {'type', 'stamp', 'frame_id', 'width', 'height', 'persons'}
PERSON_KEYS = {'id', 'confirmed', 'score', 'bbox', 'keypoints', 'velocity'}


# The image converter

def reference_bgr(encoding, width, height, step, data):
    """Return the BGR image computed pixel row by pixel row, independently of the converter."""
    bytes_per_pixel = BYTES_PER_PIXEL[encoding]
    raw = bytes(data)
    rows = np.array([np.frombuffer(raw[row * step: row * step + width * bytes_per_pixel],
                                   np.uint8) for row in range(height)])
    pixels = rows.reshape(height, width, bytes_per_pixel)
    if encoding == 'bgr8':
        return pixels
    if encoding == 'rgb8':
        return pixels[:, :, ::-1]
    if encoding in ('mono8', '8uc1'):
        return np.repeat(pixels, 3, axis=2)
    if encoding == 'bgra8':
        return pixels[:, :, :3]
    if encoding == 'rgba8':
        return pixels[:, :, 2::-1]
    if encoding in ('yuv422', 'uyvy'):  # UYVY: swap each byte pair to get YUYV
        pixels = pixels[:, :, ::-1]
    return cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_YUV2BGR_YUYV)


@st.composite
def valid_images(draw):
    """Return (encoding, width, height, step, data) of a valid image, rows maybe padded."""
    encoding = draw(st.sampled_from(SUPPORTED_ENCODINGS))
    bytes_per_pixel = BYTES_PER_PIXEL[encoding]
    width = draw(st.integers(1, 24))
    if bytes_per_pixel == 2:
        width += width % 2  # 4:2:2 pairs pixels
    height = draw(st.integers(1, 16))
    step = width * bytes_per_pixel + draw(st.sampled_from([0, 0, 1, 2, 3, 5, 8, 64]))
    seed = draw(st.integers(0, 2**32 - 1))
    data = np.random.default_rng(seed).integers(0, 256, step * height, np.uint8).tobytes()
    buffer_type = draw(st.sampled_from(sorted(BUFFER_TYPES)))
    return encoding, width, height, step, BUFFER_TYPES[buffer_type](data)


@settings(max_examples=300, deadline=None)
@given(image=valid_images(), upper_case=st.booleans())
def test_valid_images_convert_to_exactly_the_reference_pixels(image, upper_case):
    encoding, width, height, step, data = image
    result = raw_to_bgr(encoding.upper() if upper_case else encoding, width, height, step,
                        data)
    expected = reference_bgr(encoding, width, height, step, data)
    assert result.shape == (height, width, 3) and result.dtype == np.uint8
    assert np.array_equal(result, expected)  # padding bytes never show up


@st.composite
def broken_images(draw):
    """Return a valid image with exactly one field broken, and which one."""
    encoding, width, height, step, data = draw(valid_images())
    bytes_per_pixel = BYTES_PER_PIXEL[encoding]
    breaks = ['encoding', 'width', 'height', 'step', 'longer', 'shorter']
    if bytes_per_pixel == 2 and width > 2:
        breaks.append('odd-width')
    broken = draw(st.sampled_from(breaks))
    raw = bytes(data)
    if broken == 'encoding':
        encoding = draw(st.sampled_from(UNSUPPORTED))
    elif broken == 'width':
        width = draw(st.sampled_from([0, -1, -width]))
    elif broken == 'height':
        height = draw(st.sampled_from([0, -1, height + 1]))
    elif broken == 'step':  # one byte short of a row, data resized to match
        step = width * bytes_per_pixel - draw(st.integers(1, width * bytes_per_pixel))
        raw = raw[:max(step, 0) * height]
    elif broken == 'longer':
        raw += bytes(draw(st.integers(1, step + 1)))
    elif broken == 'shorter':
        raw = raw[:-draw(st.integers(1, len(raw)))]
    else:  # odd-width: the rows still hold enough bytes
        width -= 1
    return broken, (encoding, width, height, step, type(data)(raw) if isinstance(
        data, (bytes, bytearray)) else array.array('B', raw))


@settings(max_examples=300, deadline=None)
@given(case=broken_images())
def test_an_image_with_one_broken_field_raises_a_named_error(case):
    broken, fields = case
    with pytest.raises(ImageConversionError) as error:
        raw_to_bgr(*fields)
    assert str(error.value), broken


def image_fields_are_valid(encoding, width, height, step, length):
    bytes_per_pixel = BYTES_PER_PIXEL.get(encoding.lower())
    return (bytes_per_pixel is not None and width > 0 and height > 0
            and step >= width * bytes_per_pixel and length == step * height
            and (bytes_per_pixel != 2 or width % 2 == 0))


@settings(max_examples=500, deadline=None)
@given(encoding=st.one_of(st.sampled_from(SUPPORTED_ENCODINGS + UNSUPPORTED),
                          st.text(max_size=12)),
       width=st.one_of(st.integers(-3, 40), st.sampled_from([2**31 - 1, 2**32, 2**63])),
       height=st.one_of(st.integers(-3, 40), st.sampled_from([2**31 - 1, 2**32])),
       step=st.one_of(st.integers(-5, 200), st.sampled_from([2**31, 2**40])),
       length=st.one_of(st.integers(0, 4000), st.sampled_from([-7, -1, 0, 0, 0, 1, 64])),
       buffer_type=st.sampled_from(sorted(BUFFER_TYPES)))
def test_any_image_fields_give_the_pixels_only_when_valid(encoding, width, height, step,
                                                          length, buffer_type):
    if length <= 64:  # near the length the fields call for, so that the others are tested
        expected = step * height if 0 < step * height <= 10000 else 0
        length = max(0, expected + length)
    data = BUFFER_TYPES[buffer_type](bytes(i % 251 for i in range(length)))
    valid = image_fields_are_valid(encoding, width, height, step, length)
    try:
        result = raw_to_bgr(encoding, width, height, step, data)
    except ImageConversionError as error:
        assert not valid, f'valid image refused: {error}'
        assert str(error)
        return
    assert valid, 'an invalid image was converted'
    assert np.array_equal(result, reference_bgr(encoding.lower(), width, height, step, data))


# The JSON encoder

def refuse_constant(name):
    raise ValueError(f'{name} is not JSON')


def strict_loads(data: bytes):
    """Parse like a browser's JSON.parse: NaN, Infinity and -Infinity are errors."""
    return json.loads(data.decode('utf-8'), parse_constant=refuse_constant)


def expected_number(value, digits):
    value = float(value)
    return round(value, digits) + 0.0 if math.isfinite(value) else None


def assert_number(got, sent, digits):
    """Check one float field: null when not finite, else rounded, never -0.0."""
    expected = expected_number(sent, digits)
    if expected is None:
        assert got is None, (sent, got)
        return
    assert isinstance(got, (int, float)) and not isinstance(got, bool), (sent, got)
    assert got == expected, (sent, got)
    assert math.copysign(1.0, got) == 1.0 or got != 0.0, 'negative zero sent'


def assert_schema_1(text: bytes, msg):
    """Check a persons message against docs/websocket.md (schema 1) and its source."""
    got = strict_loads(text)  # fails on a NaN or Infinity token; inside a string they are text
    assert set(got) == PERSONS_KEYS and got['type'] == 'persons'
    stamp = msg.header.stamp
    assert got['stamp'] == pytest.approx(int(stamp.sec) + int(stamp.nanosec) * 1e-9)
    assert got['frame_id'] == msg.header.frame_id
    assert (got['width'], got['height']) == (msg.image_width, msg.image_height)
    assert isinstance(got['persons'], list) and len(got['persons']) == len(msg.persons)
    for sent, person in zip(msg.persons, got['persons']):
        assert set(person) == PERSON_KEYS
        assert person['id'] == sent.id and person['confirmed'] is bool(sent.confirmed)
        assert_number(person['score'], sent.score, CONFIDENCE_DIGITS)
        assert len(person['bbox']) == len(sent.bbox) == 4
        for got_value, sent_value in zip(person['bbox'], sent.bbox):
            assert_number(got_value, sent_value, COORDINATE_DIGITS)
        assert len(person['keypoints']) == len(sent.keypoints)
        for (x, y, confidence), point in zip(person['keypoints'], sent.keypoints):
            assert_number(x, point.x, COORDINATE_DIGITS)
            assert_number(y, point.y, COORDINATE_DIGITS)
            assert_number(confidence, point.confidence, CONFIDENCE_DIGITS)
        assert len(person['velocity']) == 2
        assert_number(person['velocity'][0], sent.velocity_x, COORDINATE_DIGITS)
        assert_number(person['velocity'][1], sent.velocity_y, COORDINATE_DIGITS)
    return got


SPECIAL_FLOATS = [math.nan, -math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, -5e-324,
                  1.7976931348623157e308, -1.7976931348623157e308, 3.4028234663852886e38,
                  -3.4028234663852886e38, 1.1754943508222875e-38, 0.05, -0.05, 0.0005,
                  -0.0004999, 1e16, 2**53 + 1.0]
any_float = st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats())
float32 = st.one_of(st.sampled_from([v for v in SPECIAL_FLOATS if abs(v) < 3.5e38
                                     or not math.isfinite(v)]), st.floats(width=32))
# What rclpy hands a subscriber: valid Unicode (invalid UTF-8 is decoded with U+FFFD).
frame_ids = st.one_of(st.text(st.characters(blacklist_categories=('Cs',)), max_size=64),
                      st.sampled_from(['', 'camera_optical', '\u30ab\u30e1\u30e9 \U0001f4f7',
                                       '"}\\\n\u2028</script>', 'NaN -Infinity',
                                       'x' * 10000]))


@st.composite
def person_arrays(draw, numbers=float32, max_persons=4):
    """Return a pose_ros_msgs/PersonArray with hostile values in every field."""
    msg = PersonArray()
    msg.header.stamp.sec = draw(st.sampled_from([0, -2**31, 2**31 - 1, 1764100000]))
    msg.header.stamp.nanosec = draw(st.sampled_from([0, 1, 999_999_999, 2**32 - 1]))
    msg.header.frame_id = draw(frame_ids)
    msg.image_width = draw(st.sampled_from([0, 1, 640, 2**32 - 1]))
    msg.image_height = draw(st.sampled_from([0, 1, 480, 2**32 - 1]))
    for _ in range(draw(st.integers(0, max_persons))):
        person = Person(id=draw(st.sampled_from([0, 1, 2**32 - 1])),
                        confirmed=draw(st.booleans()), score=draw(numbers))
        person.bbox = [draw(numbers) for _ in range(4)]
        person.keypoints = [Keypoint(x=draw(numbers), y=draw(numbers),
                                     confidence=draw(numbers)) for _ in range(17)]
        person.velocity_x, person.velocity_y = draw(numbers), draw(numbers)
        msg.persons.append(person)
    return msg


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(msg=person_arrays())
def test_any_person_array_encodes_to_strict_json_in_schema_1(msg):
    assert_schema_1(encode_persons(msg), msg)


def plain_person_array(draw_values):
    """Return a duck-typed PersonArray holding plain Python floats (float64 range)."""
    values = iter(draw_values)
    persons = [SimpleNamespace(
        id=index, confirmed=bool(index % 2), score=next(values),
        bbox=[next(values) for _ in range(4)],
        keypoints=[SimpleNamespace(x=next(values), y=next(values), confidence=next(values))
                   for _ in range(17)],
        velocity_x=next(values), velocity_y=next(values)) for index in range(2)]
    return SimpleNamespace(
        header=SimpleNamespace(stamp=SimpleNamespace(sec=-2**63, nanosec=2**64 - 1),
                               frame_id='plain'),
        image_width=2**63, image_height=0, persons=persons)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(any_float, min_size=2 * 58, max_size=2 * 58))
def test_any_plain_float_encodes_to_strict_json_in_schema_1(values):
    msg = plain_person_array(values)
    assert_schema_1(encode_persons(msg), msg)


def test_a_thousand_hostile_persons_encode_quickly_to_strict_json():
    hostile = [math.nan, math.inf, -math.inf, -0.0, 3.4e38, -3.4e38, 1e-45, 123.456]
    msg = PersonArray()
    msg.header.frame_id = 'camera'
    msg.image_width, msg.image_height = 1920, 1080
    for index in range(1000):
        value = hostile[index % len(hostile)]
        person = Person(id=index + 1, confirmed=True, score=value)
        person.bbox = [value, 0.0, value, 1.0]
        person.keypoints = [Keypoint(x=value, y=float(number), confidence=value)
                            for number in range(17)]
        person.velocity_x, person.velocity_y = value, -value
        msg.persons.append(person)
    started = time.perf_counter()
    text = encode_persons(msg)
    took = time.perf_counter() - started
    got = assert_schema_1(text, msg)
    assert len(got['persons']) == 1000
    assert took < 2.0, f'1000 persons took {took:.2f} s to encode'


def test_empty_person_array_is_a_valid_message():
    got = assert_schema_1(encode_persons(PersonArray()), PersonArray())
    assert got['persons'] == [] and got['stamp'] == 0.0


def test_unicode_frame_id_is_sent_as_utf8_and_escaped_where_json_needs_it():
    msg = PersonArray()
    msg.header.frame_id = 'k\u00e4mera "1"\\\n\u0000\U0001f4f7'
    text = encode_persons(msg)
    assert '\U0001f4f7'.encode() in text  # UTF-8, not \\u escapes
    assert b'\n' not in text and b'\x00' not in text  # control characters are escaped
    assert strict_loads(text)['frame_id'] == msg.header.frame_id


def test_a_string_that_is_not_unicode_raises_value_error_which_the_bridge_catches():
    # Only duck-typed input can hold a lone surrogate: rclpy decodes strings with U+FFFD.
    msg = SimpleNamespace(header=SimpleNamespace(stamp=SimpleNamespace(sec=0, nanosec=0),
                                                 frame_id='\ud800'),
                          image_width=1, image_height=1, persons=[])
    with pytest.raises(ValueError):
        encode_persons(msg)


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(st.text(max_size=20), st.one_of(
    st.text(max_size=20), st.floats().map(repr), st.integers().map(str))), max_size=12),
    name=st.text(max_size=40), level=st.integers(0, 3), text=st.text(max_size=40))
def test_any_diagnostic_status_encodes_to_strict_json(pairs, name, level, text):
    status = SimpleNamespace(name=name, level=bytes([level]), message=text,
                             values=[SimpleNamespace(key=k, value=v) for k, v in pairs])
    got = strict_loads(encode(diagnostics_message(status, SimpleNamespace(sec=3, nanosec=0))))
    assert got['type'] == 'diagnostics' and got['name'] == name and got['level'] == level
    for key, value in dict(pairs).items():
        shown = got['values'][key]
        if isinstance(shown, str):
            assert shown == value
        else:  # a number only when the text was a finite number
            assert math.isfinite(shown) and float(value) == pytest.approx(shown)
