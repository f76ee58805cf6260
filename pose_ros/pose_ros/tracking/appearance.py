# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
A cheap appearance signature guided by the keypoints: the colours of torso and limbs.

The keypoints say where the torso, arms and legs are. For each person the image is sampled
at fixed points of the torso quadrilateral (shoulders and hips) and along each limb bone, and
the mean colour of each body part is the signature: upper torso, lower torso, upper arms,
forearms, thighs and shins. Left and right are merged, so a person who turns round keeps
the signature. A sample counts only where both keypoints of its bone are confident and no
nearer person (a detection whose box reaches lower in the image) covers it, so an occluder's
colours do not leak into the person behind. All persons are sampled in one numpy gather.
"""

import numpy as np

TORSO = (5, 6, 12, 11)      # left shoulder, right shoulder, right hip, left hip
TORSO_STEPS = (0.2, 0.4, 0.6, 0.8)
BONE_STEPS = (0.2, 0.35, 0.5, 0.65, 0.8)
BONES = (   # (part, keypoint a, keypoint b)
    (2, 5, 7), (2, 6, 8), (3, 7, 9), (3, 8, 10),
    (4, 11, 13), (4, 12, 14), (5, 13, 15), (5, 14, 16))
PARTS = ('upper torso', 'lower torso', 'upper arms', 'forearms', 'thighs', 'shins')
COLOUR_SCALE = 40.0         # colour difference of a part (grey levels) where it is alike by e^-0.5


def _sample_weights() -> tuple:
    """Return the (samples, 17) keypoint weights of every sample point, and its part."""
    weights, parts = [], []
    for v in TORSO_STEPS:
        for u in TORSO_STEPS:
            row = np.zeros(17)
            # bilinear in the torso quadrilateral: u across the shoulders, v down to the hips
            row[list(TORSO)] = ((1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v)
            weights.append(row)
            parts.append(0 if v < 0.5 else 1)
    for part, a, b in BONES:
        for t in BONE_STEPS:
            row = np.zeros(17)
            row[a], row[b] = 1 - t, t
            weights.append(row)
            parts.append(part)
    return np.array(weights), np.array(parts)


SAMPLE_WEIGHTS, SAMPLE_PART = _sample_weights()
SAMPLE_NEEDS = (SAMPLE_WEIGHTS > 0).T.astype(np.float64)   # (17, samples)
PART_STARTS = np.searchsorted(SAMPLE_PART, np.arange(len(PARTS)))   # each part's first sample


def sample_points(keypoints: np.ndarray, threshold: float) -> tuple:
    """Return (N, S, 2) sample positions and their (N, S) validity from (N, 17, 3) keypoints."""
    keypoints = np.asarray(keypoints, np.float64)
    points = SAMPLE_WEIGHTS @ keypoints[..., :2]                      # (N, S, 2)
    unsure = (keypoints[..., 2] <= threshold).astype(np.float64)      # (N, 17)
    return points, (unsure @ SAMPLE_NEEDS) == 0


def signatures(image: np.ndarray, boxes: np.ndarray, keypoints: np.ndarray,
               threshold: float) -> tuple:
    """
    Return (N, parts, 3) mean colours and (N, parts) sample counts of N persons in ``image``.

    ``boxes`` (N, 4) xyxy decide who is nearer: a person whose box bottom is lower in the
    image stands nearer the camera and hides the samples of others that fall in its box.
    """
    count = len(boxes)
    if count == 0 or image is None:
        return np.zeros((count, len(PARTS), 3)), np.zeros((count, len(PARTS)))
    points, valid = sample_points(keypoints, threshold)
    height, width = image.shape[:2]
    xs, ys = np.rint(points[..., 0]).astype(np.int64), np.rint(points[..., 1]).astype(np.int64)
    valid &= (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    if count > 1:
        valid &= ~_covered_by_nearer(points, boxes)
    flat = np.where(valid, ys * width + xs, 0)
    pixels = np.take(image.reshape(-1, image.shape[2]), flat, axis=0)   # (N, S, 3)
    weights = valid.astype(np.float64)
    counts = np.add.reduceat(weights, PART_STARTS, axis=1)                 # (N, parts)
    sums = np.add.reduceat(pixels * weights[..., None], PART_STARTS, axis=1)   # (N, parts, 3)
    return sums / np.maximum(counts, 1)[..., None], counts


def _covered_by_nearer(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Return the (N, S) mask of sample points that fall in the box of a nearer person."""
    behind, front = np.nonzero(boxes[None, :, 3] > boxes[:, None, 3])   # front's box reaches lower
    covered = np.zeros(points.shape[:2], bool)
    if behind.size:
        x, y = points[behind, :, 0], points[behind, :, 1]               # (pairs, S)
        box = boxes[front]
        inside = ((x >= box[:, 0:1]) & (x <= box[:, 2:3])
                  & (y >= box[:, 1:2]) & (y <= box[:, 3:4]))
        np.logical_or.at(covered, behind, inside)
    return covered


def similarity(colours_a, counts_a, colours_b, counts_b, min_parts: int = 2) -> np.ndarray:
    """
    Return the (A, B) appearance similarity in [0, 1], NaN where too few parts are shared.

    Each part both show, at colour difference d, is alike by exp(-d^2 / 2 COLOUR_SCALE^2);
    the similarity is the mean over those parts, so one part that went wrong (a limb on the
    background, an occluder nobody detected) costs its share and no more.
    """
    shared = (np.asarray(counts_a)[:, None, :] > 0) & (np.asarray(counts_b)[None, :, :] > 0)
    squared = np.sum((np.asarray(colours_a)[:, None] - np.asarray(colours_b)[None]) ** 2,
                     axis=-1)                                 # (A, B, parts)
    parts = shared.sum(axis=-1)
    alike = np.where(shared, np.exp(-squared / (2 * COLOUR_SCALE ** 2)), 0.0)
    return np.where(parts >= min_parts, alike.sum(axis=-1) / np.maximum(parts, 1), np.nan)


class Signature:
    """A track's appearance: per-part colours, updated slowly from its observations."""

    def __init__(self, rate: float):
        self.rate = rate
        self.colours = np.zeros((len(PARTS), 3))
        self.counts = np.zeros(len(PARTS))      # observations that showed each part

    def update(self, colours: np.ndarray, counts: np.ndarray) -> None:
        """
        Blend in one observation: fast while few are known, then at ``rate``.

        Each part's colour moves by 1/n of the difference at its n-th sighting, and by at
        least ``rate``; parts the observation does not show keep their colour.
        """
        update_signatures([self], np.asarray(colours)[None], np.asarray(counts)[None])

    @property
    def known(self) -> bool:
        """Return whether any part has been seen."""
        return bool(self.counts.any())


def update_signatures(signatures: list, colours: np.ndarray, counts: np.ndarray) -> None:
    """Blend one observation each into ``signatures`` at once, as ``Signature.update`` does."""
    if not signatures:
        return
    old = np.array([s.colours for s in signatures])
    known = np.array([s.counts for s in signatures]) + (counts > 0)
    rates = np.array([s.rate for s in signatures])[:, None]
    step = np.maximum(1.0 / np.maximum(known, 1), rates) * (counts > 0)
    new = old + step[..., None] * (colours - old)
    for signature, signature_colours, signature_counts in zip(signatures, new, known):
        signature.colours = signature_colours
        signature.counts = signature_counts
