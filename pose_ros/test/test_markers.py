# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""RViz markers: bones, joints and id per person in the id's colour; leavers are deleted."""

import numpy as np
from pose_ros.coco import colour_for_id, SKELETON_EDGES
from pose_ros.depth.lifting import unknown_keypoints_3d
from pose_ros.depth.markers import SkeletonMarkers
from pose_ros.pose_types import TrackedPerson
import pytest
from std_msgs.msg import Header
from visualization_msgs.msg import Marker


def _person(track_id, x=0.0, hidden=()):
    points = np.zeros((17, 4), np.float32)
    points[:, 0] = x + np.linspace(-0.2, 0.2, 17)
    points[:, 1] = np.linspace(-0.8, 0.9, 17)      # head at the top (y down)
    points[:, 2] = 2.5
    points[:, 3] = 0.9
    points[list(hidden), :3] = np.nan
    points[list(hidden), 3] = 0.0
    person = TrackedPerson(track_id=track_id, confirmed=True, score=0.9,
                           box=np.zeros(4, np.float32), keypoints=np.zeros((17, 3), np.float32))
    person.keypoints_3d = points
    person.position = np.array([x, 0.0, 2.5])
    return person


def _by(markers, namespace, number):
    found = [m for m in markers if m.ns == namespace and m.id == number]
    assert len(found) == 1, (namespace, number, markers)
    return found[0]


def test_each_person_gets_bones_joints_and_id_in_their_colour():
    header = Header(frame_id='camera_color_optical_frame')
    header.stamp.sec = 42
    array = SkeletonMarkers(lifetime=0.5).build(header, [_person(3), _person(12, x=1.0)])
    assert len(array.markers) == 6
    for number in (3, 12):
        bones = _by(array.markers, 'bones', number)
        joints = _by(array.markers, 'joints', number)
        label = _by(array.markers, 'id', number)
        assert (bones.type, joints.type, label.type) == (
            Marker.LINE_LIST, Marker.SPHERE_LIST, Marker.TEXT_VIEW_FACING)
        blue, green, red = colour_for_id(number)
        for marker in (bones, joints, label):
            assert marker.action == Marker.ADD
            assert marker.header.frame_id == 'camera_color_optical_frame'
            assert marker.header.stamp.sec == 42
            assert (marker.color.r, marker.color.g, marker.color.b, marker.color.a) == \
                pytest.approx((red / 255, green / 255, blue / 255, 1.0))
            assert marker.lifetime.sec == 0 and marker.lifetime.nanosec == 500_000_000
            assert marker.pose.orientation.w == 1.0
        assert len(bones.points) == 2 * len(SKELETON_EDGES)
        assert len(joints.points) == 17
        assert label.text == str(number)
        head_top = min(p.y for p in joints.points[:5])
        assert label.pose.position.y < head_top            # above the head (y is down)
        assert label.pose.position.z == pytest.approx(2.5)
    assert _by(array.markers, 'joints', 3).color != _by(array.markers, 'joints', 12).color


def test_hidden_keypoints_leave_out_their_joints_and_bones():
    array = SkeletonMarkers().build(Header(), [_person(5, hidden=(9, 10))])
    bones = _by(array.markers, 'bones', 5)
    joints = _by(array.markers, 'joints', 5)
    assert len(joints.points) == 15
    kept = [edge for edge in SKELETON_EDGES if 9 not in edge and 10 not in edge]
    assert len(bones.points) == 2 * len(kept)
    assert all(np.isfinite([p.x, p.y, p.z]).all() for p in bones.points + joints.points)


def test_people_who_left_are_deleted_once():
    markers = SkeletonMarkers()
    markers.build(Header(), [_person(3), _person(4)])
    array = markers.build(Header(), [_person(4)])
    deleted = [(m.ns, m.id) for m in array.markers if m.action == Marker.DELETE]
    assert sorted(deleted) == [('bones', 3), ('id', 3), ('joints', 3)]
    array = markers.build(Header(), [_person(4)])
    assert not [m for m in array.markers if m.action == Marker.DELETE]


def test_a_person_without_3d_has_no_markers_and_is_deleted_if_shown_before():
    markers = SkeletonMarkers()
    markers.build(Header(), [_person(3)])
    gone = _person(3)
    gone.keypoints_3d = unknown_keypoints_3d()
    array = markers.build(Header(), [gone])
    assert {(m.ns, m.action) for m in array.markers} == {
        ('bones', Marker.DELETE), ('joints', Marker.DELETE), ('id', Marker.DELETE)}
    depth_off = _person(6)
    depth_off.keypoints_3d = None
    assert markers.build(Header(), [depth_off]).markers == []


def test_untracked_people_get_distinct_marker_ids():
    array = SkeletonMarkers().build(Header(), [_person(0), _person(0, x=1.0)])
    ids = sorted({m.id for m in array.markers})
    assert ids == [-2, -1]
    assert all(m.text == '0' for m in array.markers if m.ns == 'id')
