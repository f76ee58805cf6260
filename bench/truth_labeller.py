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

``TruthLabeller(conf, by='skeleton')`` names each detection after the person whose keypoints
it shows instead (OKS with that person's visible true keypoints), and only where its
keypoints show no one after the person its box covers best: the identities a tracker gets
when its ids follow the skeletons perfectly, as a pose tracker's should, scored on the boxes.
"""

from mot_metrics import FrameOutput, overlap
import numpy as np
from pose_ros.tracking import TrackerConfig
from pose_ros.tracking.pose_similarity import box_areas, oks_matrix
from scipy.optimize import linear_sum_assignment

LEAST_OVERLAP = 0.1     # a detection overlapping its person less than this covers no one
IN_VIEW = 1e-9          # every person in view, however little of them shows
SKELETON_OKS = 0.5      # least OKS of a detection's keypoints with a person's to show them
SKELETON_KEYPOINTS = 3  # ... over at least this many keypoints confident in both
KEYPOINT_CONFIDENCE = TrackerConfig().keypoint_threshold   # a detected keypoint counts above it


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


def skeleton_names(truth, keypoints) -> list:
    """Return, per detection, the id of the true person whose keypoints it shows, or None."""
    names = [None] * len(keypoints)
    if len(keypoints) and len(truth.ids):
        oks, shared = oks_matrix(truth.keypoints, keypoints, box_areas(truth.boxes),
                                 KEYPOINT_CONFIDENCE)
        oks = np.where(shared >= SKELETON_KEYPOINTS, oks, 0.0)
        rows, columns = linear_sum_assignment(-oks)
        for row, column in zip(rows, columns):
            if oks[row, column] >= SKELETON_OKS:
                names[column] = int(truth.ids[row])
    return names


def detection_names(truth, boxes, keypoints, by: str = 'box') -> list:
    """
    Return, per detection, the true person it is named after, or None.

    ``by`` 'box': the person its box covers best; 'skeleton': the person whose keypoints it
    shows, else (when they show no one) the one its box covers best if no other detection
    shows that person.
    """
    names = truth_names(truth, boxes)
    if by == 'skeleton':
        skeletons = skeleton_names(truth, keypoints)
        names = [skeleton if skeleton is not None else (box if box not in skeletons else None)
                 for skeleton, box in zip(skeletons, names)]
    return names


class TruthLabeller:
    """Labels the confident detections of a cached sequence from its ground truth."""

    needs_truth = True

    def __init__(self, conf: float, by: str = 'box'):
        self.conf = conf
        self.by = by

    def run(self, sequence) -> list:
        """Return a FrameOutput per frame of ``sequence`` (which must carry its truth)."""
        outputs, fresh = [], 1_000_000
        for detections, truth in zip(sequence.detections, sequence.truth):
            sure = detections.scores >= self.conf
            boxes = detections.boxes[sure]
            names = detection_names(truth, boxes, detections.keypoints[sure], self.by)
            ids = []
            for name in names:
                fresh += name is None
                ids.append(fresh if name is None else name + 1)
            outputs.append(FrameOutput(ids, np.asarray(boxes).reshape(-1, 4)))
        return outputs
