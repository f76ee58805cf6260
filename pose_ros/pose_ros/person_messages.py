# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Assemble pose_ros_msgs/PersonArray from tracked persons, and read it back."""

import numpy as np
from pose_ros.coco import NUM_KEYPOINTS
from pose_ros.pose_types import TrackedPerson
from pose_ros_msgs.msg import Keypoint, Person, PersonArray


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
        persons.append(TrackedPerson(
            track_id=int(p.id), confirmed=bool(p.confirmed), score=float(p.score),
            box=np.asarray(p.bbox, np.float32), keypoints=keypoints.reshape(-1, 3),
            velocity=(float(p.velocity_x), float(p.velocity_y))))
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
    return msg
