# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
How alike two persons are: keypoint similarity (OKS) and box overlap (IoU), as matrices.

OKS follows the COCO keypoint evaluation: per keypoint exp(-d^2 / (2 s^2 k^2)) with s^2 the
person's area and k = 2 * sigma, averaged over the keypoints both persons show.
"""

import numpy as np

# Per-keypoint spread of human annotations in COCO-17 order (COCO keypoint evaluation).
COCO_SIGMAS = np.array([
    0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072,
    0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089, 0.089], np.float64)
OKS_KAPPA_SQUARED = (2 * COCO_SIGMAS) ** 2


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """Return the areas of (N, 4) xyxy boxes (0 for degenerate boxes)."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    widths = np.maximum(boxes[:, 2] - boxes[:, 0], 0.0)
    heights = np.maximum(boxes[:, 3] - boxes[:, 1], 0.0)
    return widths * heights


def iou_matrix(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Return the (A, B) intersection-over-union of two sets of xyxy boxes."""
    inter, areas_a, areas_b = intersections(boxes_a, boxes_b)
    union = areas_a[:, None] + areas_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def intersections(boxes_a: np.ndarray, boxes_b: np.ndarray) -> tuple:
    """Return the (A, B) intersection areas of two sets of xyxy boxes, and their areas."""
    a = np.asarray(boxes_a, np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, np.float64).reshape(-1, 4)
    widths = np.maximum(np.minimum(a[:, None, 2], b[None, :, 2])
                        - np.maximum(a[:, None, 0], b[None, :, 0]), 0.0)
    heights = np.maximum(np.minimum(a[:, None, 3], b[None, :, 3])
                         - np.maximum(a[:, None, 1], b[None, :, 1]), 0.0)
    return widths * heights, box_areas(a), box_areas(b)


def oks_matrix(keypoints_a: np.ndarray, keypoints_b: np.ndarray, areas_a: np.ndarray,
               threshold: float) -> tuple:
    """
    Return the (A, B) OKS of two sets of (., 17, 3) keypoints, and the keypoints compared.

    Only keypoints whose confidence exceeds ``threshold`` in both persons count; ``areas_a``
    (one per person of ``keypoints_a``) sets the scale. Where no keypoint counts, OKS is 0.
    """
    a = np.asarray(keypoints_a, np.float64)
    b = np.asarray(keypoints_b, np.float64)
    shared = (a[:, None, :, 2] > threshold) & (b[None, :, :, 2] > threshold)   # (A, B, K)
    dx = a[:, None, :, 0] - b[None, :, :, 0]
    dy = a[:, None, :, 1] - b[None, :, :, 1]
    scale = 2.0 * np.asarray(areas_a, np.float64)[:, None, None] * OKS_KAPPA_SQUARED
    per_keypoint = np.exp(-(dx * dx + dy * dy) / np.maximum(scale, 1e-12))
    counts = np.count_nonzero(shared, axis=-1)
    total = np.where(shared, per_keypoint, 0.0).sum(axis=-1)   # NaN-proof where not shared
    oks = np.where(counts > 0, total / np.maximum(counts, 1), 0.0)
    return oks, counts
