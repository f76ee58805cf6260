# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Keypoint steadiness and accuracy of one person's published keypoints over a sequence.

Jitter is the frame-to-frame movement of a keypoint that should not move (a person standing
still). Path error is the distance to the reference keypoints of the ground truth, less each
keypoint's constant offset: the model places a keypoint of a pasted person a fixed few pixels
from where it placed it on the original photo, while jitter and lag vary frame by frame.
"""

import numpy as np

CONFIDENT = 0.5


def frame_to_frame_moves(series: list) -> np.ndarray:
    """
    Return the pixel moves of keypoints between consecutive frames of ``series``.

    ``series`` holds one (17, 3) array per frame, or None where the person was not matched;
    a keypoint counts where it is confident in both frames.
    """
    moves = []
    for before, after in zip(series, series[1:]):
        if before is None or after is None:
            continue
        both = (before[:, 2] > CONFIDENT) & (after[:, 2] > CONFIDENT)
        moves.append(np.linalg.norm(after[both, :2] - before[both, :2], axis=1))
    return np.concatenate(moves) if moves else np.zeros(0)


def reference_residuals(series: list, references: list, usable_frames) -> np.ndarray:
    """
    Return (frames, 17, 2) offsets of published keypoints from the reference ones.

    NaN where the frame is not usable, the person was not matched, the published keypoint is
    not confident or the reference keypoint is hidden.
    """
    residuals = np.full((len(series), 17, 2), np.nan)
    for frame, (published, reference) in enumerate(zip(series, references)):
        if published is None or not usable_frames[frame]:
            continue
        usable = (published[:, 2] > CONFIDENT) & (reference[:, 2] > 0)
        residuals[frame, usable] = published[usable, :2] - reference[usable, :2]
    return residuals


def offset_free_errors(residuals: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Return the lengths of ``residuals`` minus each keypoint's constant ``offsets`` (17, 2)."""
    lengths = np.linalg.norm(residuals - offsets[None], axis=-1)
    return lengths[np.isfinite(lengths)]


def rms(values: np.ndarray) -> float:
    """Return the root mean square of ``values`` (nan when empty)."""
    values = np.asarray(values, np.float64)
    return float(np.sqrt(np.mean(values ** 2))) if values.size else float('nan')
