# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""COCO-17 keypoint names, skeleton edges and the per-track colour palette."""

KEYPOINT_NAMES = (
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
    'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
)
NUM_KEYPOINTS = len(KEYPOINT_NAMES)
NOSE = 0

# Pairs of keypoint indices joined by a bone.
SKELETON_EDGES = (
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12),
    (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9), (8, 10),
    (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
)

# Distinct BGR colours; track id N uses PALETTE_BGR[N % len(PALETTE_BGR)].
PALETTE_BGR = (
    (255, 56, 56), (56, 56, 255), (56, 255, 56), (255, 157, 151),
    (255, 112, 31), (0, 194, 255), (255, 178, 29), (207, 210, 49),
    (72, 249, 10), (146, 204, 23), (61, 219, 134), (26, 147, 52),
    (0, 212, 187), (44, 153, 168), (132, 56, 255), (82, 0, 133),
    (203, 56, 255), (255, 149, 200), (52, 69, 147), (100, 115, 255),
)


def colour_for_id(track_id: int) -> tuple:
    """Return the fixed BGR colour of a track id (id 0, untracked, has one too)."""
    return PALETTE_BGR[int(track_id) % len(PALETTE_BGR)]
