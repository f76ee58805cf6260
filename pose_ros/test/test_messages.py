# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The pose_ros_msgs interfaces: constants, field types, and an exact round trip over DDS."""

import math

import numpy as np
from pose_ros.coco import KEYPOINT_NAMES
from pose_ros_msgs.msg import Keypoint, Keypoint3D, Person, PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import spin_until


def test_keypoint_constants_follow_coco_order():
    for index, name in enumerate(KEYPOINT_NAMES):
        assert getattr(Keypoint, name.upper()) == index
    assert Keypoint.NUM_KEYPOINTS == 17


def test_field_types_are_the_published_contract():
    assert Keypoint.get_fields_and_field_types() == {
        'x': 'float', 'y': 'float', 'confidence': 'float'}
    person = Person.get_fields_and_field_types()
    assert person['id'] == 'uint32'
    assert person['score'] == 'float'
    assert person['bbox'] == 'float[4]'
    assert person['keypoints'] == 'sequence<pose_ros_msgs/Keypoint>'
    array = PersonArray.get_fields_and_field_types()
    assert array == {'header': 'std_msgs/Header', 'image_width': 'uint32',
                     'image_height': 'uint32', 'persons': 'sequence<pose_ros_msgs/Person>'}


def test_3d_fields_are_the_published_contract():
    assert Keypoint3D.get_fields_and_field_types() == {
        'x': 'float', 'y': 'float', 'z': 'float', 'confidence': 'float'}
    person = Person.get_fields_and_field_types()
    assert person['keypoints_3d'] == 'sequence<pose_ros_msgs/Keypoint3D>'
    assert person['position'] == 'geometry_msgs/Point'
    assert person['velocity_3d'] == 'geometry_msgs/Vector3'


def _two_person_array():
    msg = PersonArray()
    msg.header.stamp.sec = 1764100000
    msg.header.stamp.nanosec = 123456789
    msg.header.frame_id = 'camera_optical'
    msg.image_width, msg.image_height = 768, 576
    rng = np.random.default_rng(7)
    for track_id in (1, 42):
        score = float(np.float32(0.5 + track_id / 100))  # exactly representable in float32
        person = Person(id=track_id, confirmed=track_id == 42, score=score)
        person.bbox = rng.uniform(0, 500, 4).astype(np.float32)
        points = rng.uniform(0, 1, (17, 3)).astype(np.float32) * np.float32([768, 576, 1])
        person.keypoints = [Keypoint(x=x, y=y, confidence=c) for x, y, c in points.tolist()]
        person.velocity_x, person.velocity_y = -12.5, 3.25
        msg.persons.append(person)
    return msg


@pytest.mark.integration
def test_person_array_round_trips_exactly_between_two_nodes(rclpy_session):
    sent = _two_person_array()
    sender = rclpy_session.create_node('roundtrip_sender')
    receiver = rclpy_session.create_node('roundtrip_receiver')
    received = []
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    publisher = sender.create_publisher(PersonArray, '/test/persons_roundtrip', qos)
    receiver.create_subscription(PersonArray, '/test/persons_roundtrip', received.append, qos)
    try:
        assert spin_until([sender, receiver], lambda: publisher.get_subscription_count() > 0)
        publisher.publish(sent)
        assert spin_until([sender, receiver], lambda: received, timeout=10)
        got = received[0]
        assert got.header == sent.header
        assert (got.image_width, got.image_height) == (768, 576)
        assert len(got.persons) == 2
        for a, b in zip(got.persons, sent.persons):
            assert (a.id, a.confirmed) == (b.id, b.confirmed)
            assert a.score == b.score and not math.isnan(a.score)
            assert np.array_equal(a.bbox, b.bbox)
            assert len(a.keypoints) == 17
            assert [(k.x, k.y, k.confidence) for k in a.keypoints] == \
                [(k.x, k.y, k.confidence) for k in b.keypoints]
            assert (a.velocity_x, a.velocity_y) == (b.velocity_x, b.velocity_y)
        assert got == sent
    finally:
        sender.destroy_node()
        receiver.destroy_node()


@pytest.mark.integration
def test_3d_fields_and_their_nans_round_trip_between_two_nodes(rclpy_session):
    sent = _two_person_array()
    rng = np.random.default_rng(11)
    with_3d = sent.persons[0]
    points = rng.uniform(-2, 4, (17, 4)).astype(np.float32)
    points[[3, 9], :3] = np.nan
    points[[3, 9], 3] = 0.0
    with_3d.keypoints_3d = [Keypoint3D(x=x, y=y, z=z, confidence=c)
                            for x, y, z, c in points.tolist()]
    with_3d.position.x, with_3d.position.y, with_3d.position.z = 0.25, -0.5, 2.5
    with_3d.velocity_3d.x, with_3d.velocity_3d.z = float('nan'), -0.75
    sender = rclpy_session.create_node('roundtrip3d_sender')
    receiver = rclpy_session.create_node('roundtrip3d_receiver')
    received = []
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    publisher = sender.create_publisher(PersonArray, '/test/persons_roundtrip_3d', qos)
    receiver.create_subscription(PersonArray, '/test/persons_roundtrip_3d', received.append,
                                 qos)
    try:
        assert spin_until([sender, receiver], lambda: publisher.get_subscription_count() > 0)
        publisher.publish(sent)
        assert spin_until([sender, receiver], lambda: received, timeout=10)
        got = received[0].persons
        back = np.array([(k.x, k.y, k.z, k.confidence) for k in got[0].keypoints_3d],
                        np.float32)
        assert np.array_equal(back, points, equal_nan=True)
        assert (got[0].position.x, got[0].position.y, got[0].position.z) == (0.25, -0.5, 2.5)
        assert math.isnan(got[0].velocity_3d.x) and got[0].velocity_3d.z == -0.75
        assert len(got[1].keypoints_3d) == 0
    finally:
        sender.destroy_node()
        receiver.destroy_node()
