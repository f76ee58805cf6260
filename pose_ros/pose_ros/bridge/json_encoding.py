# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The WebSocket feed's JSON messages (schema versions 1 and 2), as documented in docs/websocket.md.

``encode_hello()`` is sent once per connection; ``encode_persons()`` once per PersonArray.
Schema 2 (``encode_hello_v2()``, ``encode_persons_v2()``, for clients that connect with
``?schema=2``) adds each person's 3D: ``keypoints_3d``, ``position`` and ``velocity_3d``.
The version-1 functions are left exactly as they were: their bytes are pinned.
Both return UTF-8 bytes, so a frame is encoded once and the same bytes go to every client.
Inputs are duck-typed: a pose_ros_msgs/PersonArray, or any object with the same fields.
Non-finite floats (NaN, inf) become ``null``, so the output is always valid JSON.

Clients that ask for them (bridge.feed_options) also get ``video`` (whether pictures are
offered) and ``diagnostics`` (pose_node's figures); nobody else ever sees those types.
"""

import json
import math

from pose_ros.coco import KEYPOINT_NAMES, PALETTE_BGR, SKELETON_EDGES

SCHEMA_VERSION = 1
SCHEMA_VERSION_2 = 2
SCHEMA_VERSIONS = (SCHEMA_VERSION, SCHEMA_VERSION_2)
COORDINATE_DIGITS = 1    # 0.1 px for keypoints, boxes and velocities
CONFIDENCE_DIGITS = 3    # keypoint confidences and detection scores
METRE_DIGITS = 3         # 1 mm for 3D keypoints and positions, 1 mm/s for 3D velocities


def hello_message() -> dict:
    """Return the ``hello`` message: schema version, keypoint names, edges and palette."""
    return {
        'type': 'hello',
        'schema': SCHEMA_VERSION,
        'keypoints': list(KEYPOINT_NAMES),
        'skeleton': [list(edge) for edge in SKELETON_EDGES],
        'palette': [[r, g, b] for b, g, r in PALETTE_BGR],
    }


def stamp_seconds(stamp) -> float:
    """Return a builtin_interfaces/Time as float seconds, as every message of the feed has it."""
    return int(stamp.sec) + int(stamp.nanosec) * 1e-9


def persons_message(msg) -> dict:
    """Return the ``persons`` message for one PersonArray (or an object shaped like one)."""
    return {
        'type': 'persons',
        'stamp': stamp_seconds(msg.header.stamp),
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


def hello_message_v2() -> dict:
    """Return the schema-2 ``hello``: as version 1, with ``schema`` 2."""
    return {**hello_message(), 'schema': SCHEMA_VERSION_2}


def persons_message_v2(msg) -> dict:
    """Return the schema-2 ``persons`` message: version 1 plus each person's 3D."""
    message = persons_message(msg)
    for person, encoded in zip(msg.persons, message['persons']):
        encoded['keypoints_3d'] = [[_rounded(point.x, METRE_DIGITS),
                                    _rounded(point.y, METRE_DIGITS),
                                    _rounded(point.z, METRE_DIGITS),
                                    _rounded(point.confidence, CONFIDENCE_DIGITS)]
                                   for point in person.keypoints_3d]
        encoded['position'] = _vector(person.position)
        encoded['velocity_3d'] = _vector(person.velocity_3d)
    return message


def encode_hello_v2() -> bytes:
    """Return the schema-2 ``hello`` message as compact UTF-8 JSON."""
    return encode(hello_message_v2())


def encode_persons_v2(msg) -> bytes:
    """Return the schema-2 ``persons`` message for ``msg`` as compact UTF-8 JSON."""
    return encode(persons_message_v2(msg))


def _vector(vector):
    """Return [x, y, z] in metres (or m/s), or None when any component is unknown."""
    values = [_rounded(vector.x, METRE_DIGITS), _rounded(vector.y, METRE_DIGITS),
              _rounded(vector.z, METRE_DIGITS)]
    return None if None in values else values


def video_message(enabled: bool, **details) -> dict:
    """Return the ``video`` message: whether pictures come, and their settings or why not."""
    return {'type': 'video', 'enabled': bool(enabled), **details}


def diagnostics_message(status, stamp) -> dict:
    """
    Return the ``diagnostics`` message for one diagnostic_msgs/DiagnosticStatus.

    Values that read as finite numbers are sent as numbers (``"fps": 9.87``), others as
    text; ``stamp`` is the DiagnosticArray's.
    """
    values = {}
    for pair in status.values:
        values[str(pair.key)] = _number_or_text(str(pair.value))
    return {
        'type': 'diagnostics',
        'stamp': stamp_seconds(stamp),
        'name': str(status.name),
        'level': int.from_bytes(status.level, 'big') if isinstance(status.level, bytes)
        else int(status.level),
        'message': str(status.message),
        'values': values,
    }


def _number_or_text(text):
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and '.' not in text and 'e' not in text.lower() \
        else number


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
