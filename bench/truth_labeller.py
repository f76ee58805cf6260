# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
A reference, not a tracker: name each published detection after the true person it covers.

It sees what pose_node publishes (every detection at or above ``conf``, with its own box) and
the ground truth. Each frame, a Hungarian assignment on the overlap used for scoring (IoU
with the full or the visible box) gives each detection the id of the true person it covers
best; a detection that covers no one gets a fresh id. Its identity switches are those that
knowing the truth frame by frame still leaves: the detections cause them (two people merged
into one box, a box that jumps between a person's whole and visible part, a fragment). It is
a reference for what the detections allow, not a strict floor: a labeller that also
preferred to keep last frame's name when two are nearly equal could make a few fewer.
"""

from mot_metrics import FrameOutput, overlap
import numpy as np
from scipy.optimize import linear_sum_assignment

LEAST_OVERLAP = 0.1     # a detection overlapping its person less than this covers no one
IN_VIEW = 1e-9          # every person in view, however little of them shows


def truth_names(truth, boxes) -> list:
    """Return, per box, the id of the true person it covers best, or None if it covers none."""
    people, similarity = overlap(truth, boxes, min_visible=IN_VIEW)
    names = [None] * len(boxes)
    if len(boxes) and len(people):
        rows, columns = linear_sum_assignment(-similarity)
        for row, column in zip(rows, columns):
            if similarity[row, column] >= LEAST_OVERLAP:
                names[column] = int(people[row])
    return names


class TruthLabeller:
    """Labels the confident detections of a cached sequence from its ground truth."""

    needs_truth = True

    def __init__(self, conf: float):
        self.conf = conf

    def run(self, sequence) -> list:
        """Return a FrameOutput per frame of ``sequence`` (which must carry its truth)."""
        outputs, fresh = [], 1_000_000
        for detections, truth in zip(sequence.detections, sequence.truth):
            boxes = detections.boxes[detections.scores >= self.conf]
            ids = []
            for name in truth_names(truth, boxes):
                fresh += name is None
                ids.append(fresh if name is None else name + 1)
            outputs.append(FrameOutput(ids, np.asarray(boxes).reshape(-1, 4)))
        return outputs
