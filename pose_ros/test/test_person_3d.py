# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The 3D stage on arrays: 17 keypoints always, positions with a fallback, 3D velocities."""

import numpy as np
from pose_ros.depth.camera_model import CameraModel
from pose_ros.depth.lifting import PersonLifter
from pose_ros.depth.velocity_3d import fitted_velocity_3d, TrackVelocities
from pose_ros.person_messages import build_person_array, persons_from_array
from pose_ros.pose_types import TrackedPerson
import pytest
from std_msgs.msg import Header
from test_keypoint_depth import _scene, PERSON

CAMERA = CameraModel([600.0, 0.0, 320.0, 0.0, 600.0, 240.0, 0.0, 0.0, 1.0], [], 'plumb_bob',
                     640, 480)


def _person(keypoints, track_id=3):
    return TrackedPerson(track_id=track_id, confirmed=True, score=0.9,
                         box=np.array([260, 80, 380, 440], np.float32),
                         keypoints=np.asarray(keypoints, np.float32))


def test_every_person_gets_17_keypoints_in_metres_in_the_optical_frame():
    depth, keypoints = _scene()
    keypoints[0, 0, 2] = 0.2                    # the nose is not confident
    persons = PersonLifter().lift([_person(keypoints[0])], depth, CAMERA, 10.0, 0.5)
    points = persons[0].keypoints_3d
    assert points.shape == (17, 4) and points.dtype == np.float32
    assert np.isnan(points[0, :3]).all() and points[0, 3] == 0.0
    expected = np.column_stack([(keypoints[0, :, 0] - 320) / 600 * PERSON,
                                (keypoints[0, :, 1] - 240) / 600 * PERSON,
                                np.full(17, PERSON)])
    assert np.allclose(points[1:, :3], expected[1:], atol=1e-5)
    assert np.allclose(points[1:, 3], 0.9)
    # x right, y down, z forward: the head is above (negative y), the left shoulder of a
    # person facing the camera is on the image's left (negative x here).
    assert points[1, 1] < 0 < points[15, 1] and points[5, 0] < 0 < points[6, 0]


def test_position_is_the_torso_centre_at_the_torso_depth():
    depth, keypoints = _scene()
    person = PersonLifter().lift([_person(keypoints[0])], depth, CAMERA, 10.0, 0.5)[0]
    centre = keypoints[0, [5, 6, 11, 12], :2].mean(axis=0)
    expected = [(centre[0] - 320) / 600 * PERSON, (centre[1] - 240) / 600 * PERSON, PERSON]
    assert person.position == pytest.approx(expected, abs=1e-6)


def test_position_falls_back_to_the_keypoints_and_is_nan_without_any():
    depth, keypoints = _scene()
    keypoints[0, [5, 6, 11, 12], 2] = 0.1
    person = PersonLifter().lift([_person(keypoints[0])], depth, CAMERA, 10.0, 0.5)[0]
    found = person.keypoints_3d[np.isfinite(person.keypoints_3d[:, 2]), :3]
    assert len(found) == 13
    assert person.position == pytest.approx(np.median(found, axis=0))
    depth[:] = np.nan
    person = PersonLifter().lift([_person(keypoints[0])], depth, CAMERA, 10.0, 0.5)[0]
    assert np.isnan(person.position).all() and np.isnan(person.velocity_3d).all()
    assert np.isnan(person.keypoints_3d[:, :3]).all() and not person.keypoints_3d[:, 3].any()


def test_a_frame_without_depth_marks_every_person_unknown():
    _, keypoints = _scene()
    persons = PersonLifter().unknown([_person(keypoints[0]), _person(keypoints[0], 4)])
    for person in persons:
        assert person.keypoints_3d.shape == (17, 4)
        assert np.isnan(person.keypoints_3d[:, :3]).all() and not person.keypoints_3d[:, 3].any()
        assert np.isnan(person.position).all() and np.isnan(person.velocity_3d).all()


def test_velocity_follows_a_person_walking_towards_the_camera():
    depth, keypoints = _scene()
    lifter = PersonLifter(history=10)
    velocities = []
    for frame in range(12):
        stamp = 100.0 + frame / 30.0
        distance = 3.0 - 0.9 * (stamp - 100.0)      # 0.9 m/s towards the camera
        walking = np.where(depth == PERSON, distance, 4.0).astype(np.float32)
        person = lifter.lift([_person(keypoints[0])], walking, CAMERA, stamp, 0.5)[0]
        velocities.append(person.velocity_3d.copy())
    assert np.isnan(velocities[0]).all() and np.isnan(velocities[1]).all()
    assert velocities[-1][2] == pytest.approx(-0.9, abs=0.01)
    assert np.hypot(*velocities[-1][:2]) < 0.5   # the torso centre moves out in the image


def test_velocity_fit_history_and_its_unknowns():
    assert fitted_velocity_3d([0.0, 1.0], [[0, 0, 0], [1, 2, 3]]) == pytest.approx([1, 2, 3])
    assert np.isnan(fitted_velocity_3d([1.0, 1.0], [[0, 0, 0], [1, 2, 3]])).all()
    tracks = TrackVelocities(history=4, min_samples=3, min_span=0.05, forget_after=1.0)
    track_ids = [7, 0]
    for step in range(6):
        stamp = step * 0.1
        positions = [[0.5 * stamp, 0.0, 2.0], [0.0, 0.0, 2.0]]
        if step == 3:
            positions[0] = [np.nan] * 3              # a frame without depth is skipped
        velocities = tracks.update(stamp, track_ids, positions)
        if step < 2:
            assert np.isnan(velocities[0]).all()
    assert velocities[0] == pytest.approx([0.5, 0.0, 0.0])
    assert np.isnan(velocities[1]).all()             # untracked (id 0): no history
    assert np.isnan(tracks.update(3.0, [8], [[0, 0, 1]])[0]).all()
    assert 7 not in tracks._tracks                   # unseen for 2.5 s: forgotten
    tracks.update(0.1, [8], [[0, 0, 1]])             # time went back: all forgotten
    assert list(tracks._tracks) == [8] and len(tracks._tracks[8]) == 1


def test_3d_fields_go_into_the_message_and_back():
    depth, keypoints = _scene()
    persons = PersonLifter().lift([_person(keypoints[0])], depth, CAMERA, 10.0, 0.5)
    persons.append(_person(keypoints[0], 9))        # depth off for this one
    msg = build_person_array(Header(frame_id='camera_color_optical_frame'), 640, 480, persons)
    with_3d, without = msg.persons
    assert len(with_3d.keypoints_3d) == 17 and len(without.keypoints_3d) == 0
    assert with_3d.position.z == pytest.approx(PERSON)
    assert np.isnan([without.position.x, without.position.y, without.position.z]).all()
    assert np.isnan([without.velocity_3d.x, without.velocity_3d.y,
                     without.velocity_3d.z]).all()
    back = persons_from_array(msg)
    assert np.array_equal(back[0].keypoints_3d, persons[0].keypoints_3d, equal_nan=True)
    assert back[0].position == pytest.approx(persons[0].position)
    assert back[1].keypoints_3d is None and back[1].position is None
    with pytest.raises(ValueError, match='3D keypoints'):
        persons[0].keypoints_3d = persons[0].keypoints_3d[:5]
        build_person_array(Header(), 640, 480, persons)
