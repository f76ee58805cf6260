# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The WebSocket feed's JSON messages (schema version 1), as documented in docs/websocket.md.

``encode_hello()`` is sent once per connection; ``encode_persons()`` once per PersonArray.
Both return UTF-8 bytes, so a frame is encoded once and the same bytes go to every client.
Inputs are duck-typed: a pose_ros_msgs/PersonArray, or any object with the same fields.
Non-finite floats (NaN, inf) become ``null``, so the output is always valid JSON.
"""

import json
import math

from pose_ros.coco import KEYPOINT_NAMES, PALETTE_BGR, SKELETON_EDGES

SCHEMA_VERSION = 1
COORDINATE_DIGITS = 1    # 0.1 px for keypoints, boxes and velocities
CONFIDENCE_DIGITS = 3    # keypoint confidences and detection scores


def hello_message() -> dict:
    """Return the ``hello`` message: schema version, keypoint names, edges and palette."""
    return {
        'type': 'hello',
        'schema': SCHEMA_VERSION,
        'keypoints': list(KEYPOINT_NAMES),
        'skeleton': [list(edge) for edge in SKELETON_EDGES],
        'palette': [[r, g, b] for b, g, r in PALETTE_BGR],
    }


def persons_message(msg) -> dict:
    """Return the ``persons`` message for one PersonArray (or an object shaped like one)."""
    stamp = msg.header.stamp
    return {
        'type': 'persons',
        'stamp': int(stamp.sec) + int(stamp.nanosec) * 1e-9,
        'frame_id': str(msg.header.frame_id),
        'width': int(msg.image_width),
        'height': int(msg.image_height),
        'persons': [_person(person) for person in msg.persons],
    }


def encode_hello() -> bytes:
    """Return the ``hello`` message as compact UTF-8 JSON."""
    return encode(hello_message())


def encode_persons(msg) -> bytes:
    """Return the ``persons`` message for ``msg`` as compact UTF-8 JSON."""
    return encode(persons_message(msg))


def encode(message: dict) -> bytes:
    """Return ``message`` as compact UTF-8 JSON; raise ValueError on NaN or inf."""
    return json.dumps(message, separators=(',', ':'), allow_nan=False,
                      ensure_ascii=False).encode('utf-8')


def _person(person) -> dict:
    return {
        'id': int(person.id),
        'confirmed': bool(person.confirmed),
        'score': _rounded(person.score, CONFIDENCE_DIGITS),
        'bbox': [_rounded(value, COORDINATE_DIGITS) for value in person.bbox],
        'keypoints': [[_rounded(point.x, COORDINATE_DIGITS),
                       _rounded(point.y, COORDINATE_DIGITS),
                       _rounded(point.confidence, CONFIDENCE_DIGITS)]
                      for point in person.keypoints],
        'velocity': [_rounded(person.velocity_x, COORDINATE_DIGITS),
                     _rounded(person.velocity_y, COORDINATE_DIGITS)],
    }


def _rounded(value, digits):
    value = float(value)
    if not math.isfinite(value):
        return None
    rounded = round(value, digits)
    return rounded + 0.0  # turns -0.0 into 0.0
