# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Score tracker output against the ground truth with maintained packages, not our own metric.

CLEAR-MOT (identity switches, misses, false positives, MOTA) and IDF1 come from
``motmetrics``; HOTA from ``trackeval``. Both run in the bench venv (``make bench-venv``).

Ground truth per frame: the persons at least ``MIN_VISIBLE`` visible. A published person
matches a true one when its box overlaps the full box or the box of the visible part at
IoU >= ``MATCH_IOU`` (the larger of the two counts: a partly hidden person is detected by the
visible part). The same overlap is HOTA's similarity.
"""

from dataclasses import dataclass

import numpy as np

MIN_VISIBLE = 0.25
MATCH_IOU = 0.5
MOT_FIELDS = ('num_switches', 'num_misses', 'num_false_positives', 'mota', 'idf1',
              'num_objects', 'num_unique_objects')


def iou_matrix(boxes_a, boxes_b) -> np.ndarray:
    """Return the (A, B) IoU of two sets of xyxy boxes."""
    a = np.asarray(boxes_a, np.float64).reshape(-1, 4)[:, None, :]
    b = np.asarray(boxes_b, np.float64).reshape(-1, 4)[None, :, :]
    width = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    height = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0,
                     None)
    inter = width * height
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


@dataclass
class FrameOutput:
    """What a tracker published for one frame: ids and boxes."""

    ids: list
    boxes: np.ndarray


def overlap(truth, boxes, min_visible: float = MIN_VISIBLE) -> tuple:
    """Return (ids of the true persons at least ``min_visible`` seen, their overlap with boxes)."""
    counted = np.flatnonzero(truth.visibility >= min_visible)
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    full = iou_matrix(truth.boxes[counted], boxes)
    visible = iou_matrix(truth.visible_boxes[counted], boxes)
    return truth.ids[counted], np.maximum(full, visible)


def accumulate(truth_frames: list, outputs: list):
    """Return (motmetrics accumulator, trackeval HOTA data) of one sequence."""
    import motmetrics

    accumulator = motmetrics.MOTAccumulator(auto_id=True)
    gt_ids, tracker_ids, similarities = [], [], []
    for truth, output in zip(truth_frames, outputs):
        people, similarity = overlap(truth, output.boxes)
        distances = np.where(similarity >= MATCH_IOU, 1.0 - similarity, np.nan)
        accumulator.update(list(people), list(output.ids), distances)
        gt_ids.append(np.asarray(people, int))
        tracker_ids.append(np.asarray(output.ids, int))
        similarities.append(similarity)
    return accumulator, _hota_data(gt_ids, tracker_ids, similarities)


def _hota_data(gt_ids, tracker_ids, similarities) -> dict:
    """Return trackeval's sequence dict, ids renumbered 0..n-1 as it requires."""
    def renumber(frames):
        unique = np.unique(np.concatenate(frames)) if frames else np.zeros(0, int)
        lookup = {int(v): i for i, v in enumerate(unique)}
        return [np.array([lookup[int(v)] for v in f], int) for f in frames], len(unique)

    gt, gt_count = renumber(gt_ids)
    tracks, track_count = renumber(tracker_ids)
    return {'num_gt_ids': gt_count, 'num_tracker_ids': track_count,
            'num_gt_dets': int(sum(len(f) for f in gt)),
            'num_tracker_dets': int(sum(len(f) for f in tracks)),
            'gt_ids': gt, 'tracker_ids': tracks, 'similarity_scores': similarities}


def summary(accumulators: list, hota_data: list) -> dict:
    """Return the scores over all sequences: motmetrics' overall row and trackeval's HOTA."""
    import motmetrics
    from trackeval.metrics import HOTA

    metrics = motmetrics.metrics.create()
    table = metrics.compute_many(accumulators, metrics=list(MOT_FIELDS),
                                 names=[str(i) for i in range(len(accumulators))],
                                 generate_overall=True)
    overall = table.loc['OVERALL']
    hota = HOTA()
    per_sequence = {str(i): hota.eval_sequence(d) for i, d in enumerate(hota_data)}
    combined = hota.combine_sequences(per_sequence)
    scores = {field: float(overall[field]) for field in MOT_FIELDS}
    scores['hota'] = float(np.mean(combined['HOTA']))
    scores['switches_per_sequence'] = [int(table.loc[str(i), 'num_switches'])
                                       for i in range(len(accumulators))]
    return scores


def markdown_row(label: str, accumulators: list, hota_data: list, fields: tuple) -> str:
    """Return a markdown table row: ``label``, then ``summary``'s ``fields`` (counts whole)."""
    scores = summary(accumulators, hota_data)
    cells = [f'{scores[f]:.0f}' if f.startswith('num_') else f'{scores[f]:.3f}' for f in fields]
    return '| ' + ' | '.join([label] + cells) + ' |'
