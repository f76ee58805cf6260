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


# The version-1 wire format, byte for byte: clients that ask for nothing more must keep
# receiving exactly this (docs/websocket.md, Feed options). A new field or message kind
# goes behind an option or a new schema, never into these bytes.
HELLO_V1_SHA256 = 'f3149c79c28367e09ef9f784d36712559fb3c41ab7b562d6933d4bf0e62ada59'
PERSONS_V1 = (
    b'{"type":"persons","stamp":1764100000.5,"frame_id":"camera_optical","width":768,'
    b'"height":576,"persons":[{"id":7,"confirmed":true,"score":0.875,"bbox":[10.0,20.5,'
    b'110.0,220.0],"keypoints":[[0.0,0.0,0.0],[1.0,2.0,0.1],[2.0,4.0,0.2],[3.0,6.0,0.3],'
    b'[4.0,8.0,0.4],[5.0,10.0,0.5],[6.0,12.0,0.6],[7.0,14.0,0.7],[8.0,16.0,0.8],'
    b'[9.0,18.0,0.9],[10.0,20.0,1.0],[11.0,22.0,0.0],[12.0,24.0,0.1],[13.0,26.0,0.2],'
    b'[14.0,28.0,0.3],[15.0,30.0,0.4],[16.0,32.0,0.5]],"velocity":[87.5,-3.2]}]}')


def test_version_1_bytes_are_pinned():
    import hashlib
    assert hashlib.sha256(encode_hello()).hexdigest() == HELLO_V1_SHA256
    msg = PersonArray()
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1764100000, 500000000
    msg.header.frame_id = 'camera_optical'
    msg.image_width, msg.image_height = 768, 576
    person = Person(id=7, confirmed=True, score=0.875, velocity_x=87.5, velocity_y=-3.25)
    person.bbox = [10.0, 20.5, 110.0, 220.0]
    person.keypoints = [Keypoint(x=float(i), y=2.0 * i, confidence=(i % 11) / 10)
                        for i in range(17)]
    msg.persons.append(person)
    assert encode_persons(msg) == PERSONS_V1
