# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Assemble pose_ros_msgs/PersonArray from tracked persons, and read it back.

The 3D fields follow the depth stage: a person without 3D (depth off) gets no
``keypoints_3d`` and NaN ``position`` and ``velocity_3d``; one with 3D gets all 17.
"""

from geometry_msgs.msg import Point, Vector3
import numpy as np
from pose_ros.coco import NUM_KEYPOINTS
from pose_ros.pose_types import TrackedPerson
from pose_ros_msgs.msg import Keypoint, Keypoint3D, Person, PersonArray

_NAN3 = (float('nan'),) * 3


def build_person_array(header, width: int, height: int, persons) -> PersonArray:
    """Return a PersonArray for one image: header copied, all 17 keypoints per person."""
    msg = PersonArray()
    msg.header = header
    msg.image_width = int(width)
    msg.image_height = int(height)
    msg.persons = [_person_msg(person) for person in persons]
    return msg


def persons_from_array(msg: PersonArray) -> list:
    """Return the TrackedPerson list carried by a PersonArray (the inverse of the above)."""
    persons = []
    for p in msg.persons:
        keypoints = np.array([(k.x, k.y, k.confidence) for k in p.keypoints], np.float32)
        person = TrackedPerson(
            track_id=int(p.id), confirmed=bool(p.confirmed), score=float(p.score),
            box=np.asarray(p.bbox, np.float32), keypoints=keypoints.reshape(-1, 3),
            velocity=(float(p.velocity_x), float(p.velocity_y)))
        if len(p.keypoints_3d):
            person.keypoints_3d = np.array(
                [(k.x, k.y, k.z, k.confidence) for k in p.keypoints_3d], np.float32)
            person.position = np.array([p.position.x, p.position.y, p.position.z])
            person.velocity_3d = np.array([p.velocity_3d.x, p.velocity_3d.y, p.velocity_3d.z])
        persons.append(person)
    return persons


def _person_msg(person: TrackedPerson) -> Person:
    points = np.asarray(person.keypoints, np.float32)
    if points.shape != (NUM_KEYPOINTS, 3):
        raise ValueError(f'expected ({NUM_KEYPOINTS}, 3) keypoints, got {points.shape}')
    msg = Person()
    msg.id = int(person.track_id)
    msg.confirmed = bool(person.confirmed)
    msg.score = float(person.score)
    msg.bbox = np.asarray(person.box, np.float32)
    # tolist() gives Python floats, which the generated setters accept without conversion.
    msg.keypoints = [Keypoint(x=x, y=y, confidence=c) for x, y, c in points.tolist()]
    msg.velocity_x = float(person.velocity[0])
    msg.velocity_y = float(person.velocity[1])
    if person.keypoints_3d is not None:
        points_3d = np.asarray(person.keypoints_3d, np.float32)
        if points_3d.shape != (NUM_KEYPOINTS, 4):
            raise ValueError(f'expected ({NUM_KEYPOINTS}, 4) 3D keypoints, got {points_3d.shape}')
        msg.keypoints_3d = [Keypoint3D(x=x, y=y, z=z, confidence=c)
                            for x, y, z, c in points_3d.tolist()]
    position = _NAN3 if person.position is None else np.asarray(person.position).tolist()
    velocity = _NAN3 if person.velocity_3d is None else np.asarray(person.velocity_3d).tolist()
    msg.position = Point(x=float(position[0]), y=float(position[1]), z=float(position[2]))
    msg.velocity_3d = Vector3(x=float(velocity[0]), y=float(velocity[1]),
                              z=float(velocity[2]))
    return msg
