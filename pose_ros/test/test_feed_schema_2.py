# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The feed's schema 2 (3D), and version-1 clients that keep their bytes.

Unit tests of the encoding, then the installed bridge_node over real DDS: a client that asks
for ``?schema=2`` and one that asks for nothing are connected at once; each gets its own
variant, the version-1 one byte for byte as before 3D existed. Client mode pushes schema 2
with ``schema:=2``.
"""

import asyncio
import json
import math
import time

from pose_ros.bridge.json_encoding import (encode_hello, encode_hello_v2, encode_persons,
                                           encode_persons_v2, hello_message, persons_message,
                                           SCHEMA_VERSIONS)
from pose_ros_msgs.msg import Keypoint3D
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import bridge_port, NodeProcess, person_array, spin_until
from test_ws_client import RecordingServer
from websockets.asyncio.client import connect

NAN = float('nan')


def with_3d(msg):
    """Give the first person of ``msg`` 3D (two keypoints unknown) and leave the rest off."""
    person = msg.persons[0]
    person.keypoints_3d = [Keypoint3D(x=0.1 * j - 0.8, y=0.05 * j - 0.4, z=2.5 + 0.001 * j,
                                      confidence=0.9) for j in range(17)]
    for j in (3, 9):
        person.keypoints_3d[j] = Keypoint3D(x=NAN, y=NAN, z=NAN, confidence=0.0)
    person.position.x, person.position.y, person.position.z = 0.12345, -0.2, 2.50049
    person.velocity_3d.x, person.velocity_3d.y, person.velocity_3d.z = -0.5, 0.0, 1.25
    for other in msg.persons[1:]:
        other.position.x = other.position.y = other.position.z = NAN
        other.velocity_3d.x = other.velocity_3d.y = other.velocity_3d.z = NAN
    return msg


def test_version_1_bytes_never_carry_3d():
    plain = person_array((3, 42), stamp=1764100000.25)
    deep = with_3d(person_array((3, 42), stamp=1764100000.25))
    assert encode_persons(deep) == encode_persons(plain)
    assert encode_hello() == json.dumps(hello_message(), separators=(',', ':')).encode()
    assert set(json.loads(encode_persons(deep))['persons'][0]) == {
        'id', 'confirmed', 'score', 'bbox', 'keypoints', 'velocity'}


def test_schema_2_is_version_1_plus_each_persons_3d():
    msg = with_3d(person_array((3, 42), stamp=1764100000.25))
    got = json.loads(encode_persons_v2(msg))
    v1 = persons_message(msg)
    for person, plain in zip(got['persons'], v1['persons']):
        assert {k: v for k, v in person.items()
                if k not in ('keypoints_3d', 'position', 'velocity_3d')} == plain
    first, second = got['persons']
    assert len(first['keypoints_3d']) == 17
    assert first['keypoints_3d'][0] == [-0.8, -0.4, 2.5, 0.9]
    assert first['keypoints_3d'][16] == [0.8, 0.4, 2.516, 0.9]
    assert first['keypoints_3d'][3] == [None, None, None, 0.0]      # NaN is null
    assert first['position'] == [0.123, -0.2, 2.5]                  # millimetres
    assert first['velocity_3d'] == [-0.5, 0.0, 1.25]
    assert second['keypoints_3d'] == []                             # depth off for it
    assert second['position'] is None and second['velocity_3d'] is None
    assert {k: v for k, v in got.items() if k != 'persons'} == \
        {k: v for k, v in v1.items() if k != 'persons'}
    assert json.loads(encode_hello_v2()) == {**hello_message(), 'schema': 2}
    assert SCHEMA_VERSIONS == (1, 2)
    text = encode_persons_v2(msg).decode()
    assert 'NaN' not in text and 'Infinity' not in text


@pytest.fixture
def persons_publisher(rclpy_session):
    node = rclpy_session.create_node('schema2_test_publisher')
    publisher = node.create_publisher(
        type(person_array()), '/pose/persons',
        QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))

    def matched(timeout=20.0):
        assert spin_until(node, lambda: publisher.get_subscription_count() > 0, timeout)
        return publisher
    yield matched
    node.destroy_node()


@pytest.mark.integration
def test_each_client_gets_its_schema_and_version_1_keeps_its_bytes(persons_publisher):
    with NodeProcess('bridge_node', params={'port': 0}) as bridge:
        port = bridge_port(bridge)
        publisher = persons_publisher()
        frames = [with_3d(person_array((3, 42), stamp=1764100000.0 + i)) for i in range(5)]

        async def receive():
            async with connect(f'ws://127.0.0.1:{port}/', proxy=None) as plain, \
                    connect(f'ws://127.0.0.1:{port}/?schema=2', proxy=None) as deep:
                hellos = (await plain.recv(), await deep.recv())
                got = {'plain': [], 'deep': []}
                for _ in range(100):   # bounded: 20 s
                    publisher.publish(frames[min(len(got['deep']), len(frames) - 1)])
                    for name, client in (('plain', plain), ('deep', deep)):
                        try:
                            got[name].append(await asyncio.wait_for(client.recv(), 0.1))
                        except TimeoutError:
                            pass
                    if len(got['deep']) >= 3 and len(got['plain']) >= 3:
                        return hellos, got
                raise AssertionError(f'too few frames: {got}')
        (hello_plain, hello_deep), got = asyncio.run(receive())
        assert bridge.interrupt() == 0
    assert hello_plain == encode_hello().decode()
    assert hello_deep == encode_hello_v2().decode()
    by_stamp = {round(json.loads(encode_persons(f))['stamp'], 3): f for f in frames}
    for text in got['plain']:
        frame = by_stamp[round(json.loads(text)['stamp'], 3)]
        assert text == encode_persons(frame).decode()              # byte for byte
    for text in got['deep']:
        frame = by_stamp[round(json.loads(text)['stamp'], 3)]
        assert text == encode_persons_v2(frame).decode()
        assert len(json.loads(text)['persons'][0]['keypoints_3d']) == 17


@pytest.mark.integration
def test_client_mode_pushes_schema_2_when_asked(persons_publisher):
    server = RecordingServer().start()
    params = {'mode': 'client', 'uri': f'ws://127.0.0.1:{server.port}', 'schema': 2}
    try:
        with NodeProcess('bridge_node', params=params) as bridge:
            publisher = persons_publisher()
            sent = with_3d(person_array((5,)))
            persons = lambda: [m for m in server.messages(0) if m['type'] == 'persons']  # noqa
            for _ in range(200):   # bounded: 10 s
                if server.sessions and persons():
                    break
                publisher.publish(sent)
                time.sleep(0.05)
            assert server.messages(0)[0] == json.loads(encode_hello_v2())
            got = persons()[0]
            assert got == json.loads(encode_persons_v2(sent))
            assert math.isclose(got['persons'][0]['position'][2], 2.5)
            assert bridge.interrupt() == 0
    finally:
        server.stop()
