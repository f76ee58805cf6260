# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Synthetic persons and frames shared by the tracking tests (this file holds no tests)."""

import numpy as np
from pose_ros.pose_types import PoseDetections

# Keypoints of a standing person as fractions of the box (x, y), COCO-17 order.
BODY = np.array([
    (0.50, 0.08), (0.45, 0.06), (0.55, 0.06), (0.40, 0.07), (0.60, 0.07),
    (0.30, 0.20), (0.70, 0.20), (0.25, 0.35), (0.75, 0.35), (0.22, 0.48), (0.78, 0.48),
    (0.38, 0.52), (0.62, 0.52), (0.38, 0.72), (0.62, 0.72), (0.38, 0.92), (0.62, 0.92)])


def person(x: float, y: float = 100.0, height: float = 200.0, score: float = 0.9) -> tuple:
    """Return (box, keypoints, score) of a person whose box's top-left corner is at (x, y)."""
    width = 0.4 * height
    box = np.array([x, y, x + width, y + height], np.float32)
    keypoints = np.ones((17, 3), np.float32) * 0.9
    keypoints[:, 0] = x + BODY[:, 0] * width
    keypoints[:, 1] = y + BODY[:, 1] * height
    return box, keypoints, score


def frame(*persons) -> PoseDetections:
    """Return the detections of the given persons, in that order."""
    if not persons:
        return PoseDetections.empty()
    return PoseDetections(np.stack([p[0] for p in persons]),
                          np.array([p[2] for p in persons], np.float32),
                          np.stack([p[1] for p in persons]))


def ids(persons) -> list:
    """Return the track ids of a list of TrackedPerson."""
    return [p.track_id for p in persons]


# Body parts drawn by paint(): (keypoint a, keypoint b, colour key); the torso is filled.
LIMBS = ((5, 7, 'shirt'), (6, 8, 'shirt'), (7, 9, 'skin'), (8, 10, 'skin'),
         (11, 13, 'trousers'), (12, 14, 'trousers'), (13, 15, 'trousers'),
         (14, 16, 'trousers'))
SKIN = (120, 150, 200)


def paint(people, width: int = 960, height: int = 540, seed: int = 0) -> np.ndarray:
    """
    Return a BGR image of ``people``: (box, keypoints, score, shirt, trousers) tuples.

    Each is drawn as a skeleton with a filled torso in its clothes' colours, the one whose
    box reaches lowest last (nearest), on a grey wall with camera noise.
    """
    import cv2
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), 110, np.float32)
    image += rng.normal(0, 3, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    for box, keypoints, _, shirt, trousers in sorted(people, key=lambda p: p[0][3]):
        colours = {'shirt': shirt, 'trousers': trousers, 'skin': SKIN}
        thickness = max(2, int(0.1 * (box[3] - box[1])))
        points = keypoints[:, :2].astype(np.int32)
        cv2.fillConvexPoly(image, points[[5, 6, 12, 11]], shirt)
        for a, b, colour in LIMBS:
            cv2.line(image, tuple(map(int, points[a])), tuple(map(int, points[b])),
                     colours[colour], thickness)
        cv2.circle(image, tuple(map(int, points[0])), thickness, SKIN, -1)
    return image
