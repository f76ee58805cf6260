# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The feed's JSON (schema 1): hello contents, every PersonArray field, rounding, NaN/inf."""

import json
import math
from types import SimpleNamespace

from pose_ros.bridge.json_encoding import (encode_hello, encode_persons, hello_message,
                                           persons_message, SCHEMA_VERSION)
from pose_ros.coco import KEYPOINT_NAMES, PALETTE_BGR, SKELETON_EDGES
from pose_ros_msgs.msg import Keypoint, Person, PersonArray
import pytest
from ros_helpers import person_array


def _strict_loads(data: bytes):
    """Parse like a browser's JSON.parse: NaN, Infinity and -Infinity are errors."""
    def refuse(constant):
        raise ValueError(f'invalid JSON constant {constant}')
    return json.loads(data.decode('utf-8'), parse_constant=refuse)


def test_hello_holds_schema_names_edges_and_rgb_palette():
    hello = _strict_loads(encode_hello())
    assert hello == hello_message()
    assert hello['type'] == 'hello'
    assert hello['schema'] == SCHEMA_VERSION == 1
    assert hello['keypoints'] == list(KEYPOINT_NAMES) and len(hello['keypoints']) == 17
    assert hello['skeleton'] == [list(edge) for edge in SKELETON_EDGES]
    assert len(hello['palette']) == len(PALETTE_BGR)
    # coco.py is BGR; the browser wants RGB.
    assert hello['palette'][0] == [56, 56, 255]
    assert all(rgb == list(reversed(bgr)) for rgb, bgr in zip(hello['palette'], PALETTE_BGR))


def test_persons_message_carries_every_field():
    msg = person_array((3, 42), width=768, height=576, stamp=1764100000.25, frame_id='cam')
    decoded = _strict_loads(encode_persons(msg))
    assert decoded['type'] == 'persons'
    assert decoded['stamp'] == pytest.approx(1764100000.25, abs=1e-6)
    assert (decoded['frame_id'], decoded['width'], decoded['height']) == ('cam', 768, 576)
    assert len(decoded['persons']) == 2
    for sent, got in zip(msg.persons, decoded['persons']):
        assert got['id'] == sent.id
        assert got['confirmed'] is sent.confirmed
        assert got['score'] == round(sent.score, 3)
        assert got['bbox'] == [round(float(v), 1) for v in sent.bbox]
        assert got['keypoints'] == [[round(k.x, 1), round(k.y, 1), round(k.confidence, 3)]
                                    for k in sent.keypoints]
        assert len(got['keypoints']) == 17
        assert got['velocity'] == [round(sent.velocity_x, 1), round(sent.velocity_y, 1)]
    assert decoded['persons'][0]['confirmed'] is True
    assert decoded['persons'][1]['velocity'] == [525.0, -3.2]


def test_rounding_is_a_tenth_of_a_pixel_and_three_decimals():
    msg = PersonArray()
    person = Person(id=7, score=0.87654)
    person.bbox = [10.04, 20.06, 30.0, 40.0]
    person.keypoints = [Keypoint(x=1.23456, y=-0.04, confidence=0.123456)] * 17
    person.velocity_x, person.velocity_y = 1.26, -0.01
    msg.persons.append(person)
    text = encode_persons(msg).decode()
    got = _strict_loads(text.encode())['persons'][0]
    assert got['score'] == 0.877
    assert got['bbox'][:2] == [10.0, 20.1]
    assert got['keypoints'][0] == [1.2, 0.0, 0.123]
    assert got['velocity'] == [1.3, 0.0]
    assert '-0.0' not in text and ' ' not in text  # no negative zero, compact separators


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_non_finite_values_become_null_and_json_stays_valid(bad):
    person = SimpleNamespace(
        id=5, confirmed=False, score=bad, bbox=[bad, 1.0, 2.0, 3.0],
        keypoints=[SimpleNamespace(x=bad, y=2.0, confidence=bad)] * 17,
        velocity_x=bad, velocity_y=0.0)
    msg = SimpleNamespace(header=SimpleNamespace(stamp=SimpleNamespace(sec=1, nanosec=5),
                                                 frame_id='f'),
                          image_width=4, image_height=3, persons=[person])
    text = encode_persons(msg)
    got = _strict_loads(text)['persons'][0]
    assert got['score'] is None
    assert got['bbox'] == [None, 1.0, 2.0, 3.0]
    assert got['keypoints'][0] == [None, 2.0, None]
    assert got['velocity'] == [None, 0.0]
    assert b'NaN' not in text and b'Infinity' not in text


def test_plain_data_and_the_message_encode_the_same():
    msg = person_array((1,), stamp=12.5)
    plain = SimpleNamespace(
        header=SimpleNamespace(stamp=SimpleNamespace(sec=12, nanosec=500_000_000),
                               frame_id='camera'),
        image_width=640, image_height=480,
        persons=[SimpleNamespace(id=p.id, confirmed=p.confirmed, score=p.score,
                                 bbox=list(p.bbox), keypoints=list(p.keypoints),
                                 velocity_x=p.velocity_x, velocity_y=p.velocity_y)
                 for p in msg.persons])
    assert encode_persons(plain) == encode_persons(msg)
    assert persons_message(msg)['stamp'] == 12.5


def test_empty_frame_is_a_valid_message():
    decoded = _strict_loads(encode_persons(PersonArray()))
    assert decoded == {'type': 'persons', 'stamp': 0.0, 'frame_id': '', 'width': 0,
                       'height': 0, 'persons': []}
