# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
CLEAR-MOT identity switches and misses (Bernardin and Stiefelhagen, 2008) for one sequence.

Each frame, ground-truth persons are matched to published persons by box overlap (IoU of
the full box or of the visible part, at least ``MATCH_IOU``; persons less than
``MATCH_VISIBLE`` visible are not matched); a correspondence from the
previous frame is kept while it still overlaps enough, the rest are assigned by the Hungarian
method. An identity switch is a person matched to an id other than the one it last had. A
miss is a person at least ``COUNT_VISIBLE`` visible that nobody was matched to. Switches
after a person went unmatched for more than ``max_age`` frames are also counted apart: a
tracker is meant to give such a person a new id.
"""

import numpy as np
from pose_ros.tracking.pose_similarity import iou_matrix
from scipy.optimize import linear_sum_assignment

MATCH_IOU = 0.5
MATCH_VISIBLE = 0.25
COUNT_VISIBLE = 0.5


class ClearMot:
    """Accumulates one sequence's identity switches, misses and false positives."""

    def __init__(self, max_age: int = None):
        self.max_age = max_age
        self.switches = 0
        self.switches_after_max_age = 0
        self.misses = 0
        self.false_positives = 0
        self.ground_truth = 0
        self.matches = 0
        self._last_id = {}       # person -> id last matched
        self._last_frame = {}    # person -> frame number last matched
        self._frame = -1
        self._ids_of = {}        # person -> set of ids matched over the sequence

    def update(self, truth, ids, boxes) -> dict:
        """Score one frame; return {person: matched id}."""
        self._frame += 1
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        overlap = np.maximum(iou_matrix(truth.boxes, boxes),
                             iou_matrix(truth.visible_boxes, boxes))
        overlap[truth.visibility < MATCH_VISIBLE] = 0.0
        valid = overlap >= MATCH_IOU
        matched = {}
        for person in truth.ids:
            last = self._last_id.get(person)
            for column, track_id in enumerate(ids):
                if track_id == last and valid[person, column] and column not in matched.values():
                    matched[person] = column
        free_rows = [p for p in truth.ids if p not in matched]
        free_cols = [c for c in range(len(ids)) if c not in matched.values()]
        if free_rows and free_cols:
            sub = overlap[np.ix_(free_rows, free_cols)]
            rows, cols = linear_sum_assignment(-sub)
            for r, c in zip(rows, cols):
                if sub[r, c] >= MATCH_IOU:
                    matched[free_rows[r]] = free_cols[c]
        for person, column in matched.items():
            track_id = ids[column]
            if person in self._last_id and self._last_id[person] != track_id:
                self.switches += 1
                unseen = self._frame - self._last_frame[person] - 1
                if self.max_age is not None and unseen > self.max_age:
                    self.switches_after_max_age += 1
            self._last_id[person] = track_id
            self._last_frame[person] = self._frame
            self._ids_of.setdefault(person, set()).add(track_id)
        counted = truth.visibility >= COUNT_VISIBLE
        self.ground_truth += int(counted.sum())
        self.misses += int(sum(1 for p in truth.ids if counted[p] and p not in matched))
        self.false_positives += len(ids) - len(matched)
        self.matches += len(matched)
        return {person: ids[column] for person, column in matched.items()}

    @property
    def ids_per_person(self) -> float:
        """Return the mean number of distinct ids each person was given."""
        if not self._ids_of:
            return 0.0
        return float(np.mean([len(v) for v in self._ids_of.values()]))
