# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Agreement of two detectors' persons on the same frames: matched persons, keypoint offsets.

Persons are matched greedily by box IoU >= 0.5; keypoint offsets count the keypoints that
both call confident (>= 0.5). Used by bench/backends.py and bench/recall_by_input.py.
"""

from bench_common import percentile
import numpy as np

CONFIDENT = 0.5
MATCH_IOU = 0.5


def box_iou(a, b):
    """Return the IoU matrix of boxes ``a`` (N, 4) and ``b`` (M, 4), x1 y1 x2 y2."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def match(reference, other, threshold=MATCH_IOU):
    """Return greedy (i, j) pairs of persons by box IoU >= ``threshold``, best first."""
    iou = box_iou(reference.boxes, other.boxes)
    pairs, used_i, used_j = [], set(), set()
    for flat in np.argsort(-iou, axis=None):
        i, j = np.unravel_index(flat, iou.shape)
        if iou[i, j] < threshold:
            break
        if i not in used_i and j not in used_j:
            pairs.append((int(i), int(j)))
            used_i.add(i)
            used_j.add(j)
    return pairs


class Agreement:
    """Keypoint and box agreement of one backend with the reference, over many frames."""

    def __init__(self):
        self.distances = []   # px, keypoints confident in both
        self.score_diffs = []
        self.matched = 0
        self.only_reference = 0
        self.only_other = 0

    def add(self, reference, other):
        """Compare the PoseDetections of one frame."""
        pairs = match(reference, other)
        self.matched += len(pairs)
        self.only_reference += len(reference.boxes) - len(pairs)
        self.only_other += len(other.boxes) - len(pairs)
        for i, j in pairs:
            a, b = reference.keypoints[i], other.keypoints[j]
            both = (a[:, 2] >= CONFIDENT) & (b[:, 2] >= CONFIDENT)
            self.distances += np.hypot(*(a[both, :2] - b[both, :2]).T).tolist()
            self.score_diffs.append(abs(float(reference.scores[i]) - float(other.scores[j])))

    def lost_fraction(self):
        """Return the share of the reference's persons that the other detector missed."""
        found = self.matched + self.only_reference
        return self.only_reference / found if found else 0.0

    @staticmethod
    def header():
        """Return the markdown table header for ``row``."""
        return ('| detector | persons matched | unmatched (reference / it) | reference persons '
                'lost | keypoints | mean px | p95 px | max px | max score diff |\n'
                '|---|---|---|---|---|---|---|---|---|')

    def row(self, name):
        """Return a markdown table row."""
        d = self.distances or [float('nan')]
        return (f'| {name} | {self.matched} | {self.only_reference} / {self.only_other} | '
                f'{100 * self.lost_fraction():.1f}% | {len(self.distances)} | {np.mean(d):.4f} | '
                f'{percentile(d, 0.95):.4f} | {max(d):.4f} | '
                f'{max(self.score_diffs or [float("nan")]):.3f} |')
