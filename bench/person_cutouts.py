# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Real people cut out of real photos, and an empty street to paste them on.

People are cut out of Ultralytics' sample photos (bus.jpg, zidane.jpg): the real pose model
finds them, and GrabCut separates each from its background (seeded by the person's skeleton).
The street is the median of vtest.avi's frames (its pedestrians vanish in the median).
``scene_generator`` moves the cut-outs over the street.
"""

from dataclasses import dataclass
import os
import pathlib

import cv2
import numpy as np
from pose_ros.coco import SKELETON_EDGES

KEYPOINT_SURE = 0.5     # keypoint confidence that seeds the cut-out
TORSO = (5, 6, 12, 11)


@dataclass
class Cutout:
    """One person cut out of a photo: pixels, opacity, box and keypoints (crop coordinates)."""

    name: str
    image: np.ndarray       # (h, w, 3) uint8 BGR
    alpha: np.ndarray       # (h, w) float32 in [0, 1]
    box: np.ndarray         # (4,) xyxy of the person
    keypoints: np.ndarray   # (17, 3)


# Which detection of which photo is which person (in the model's order on that photo).
PEOPLE = {'bus_coat': ('bus.jpg', 0), 'bus_edge': ('bus.jpg', 1), 'bus_black': ('bus.jpg', 2),
          'zidane': ('zidane.jpg', 0), 'ancelotti': ('zidane.jpg', 1)}


def ultralytics_assets() -> pathlib.Path:
    """Return the folder of Ultralytics' sample images."""
    import ultralytics
    return pathlib.Path(ultralytics.__file__).parent / 'assets'


def _skeleton_mask(shape, keypoints, thickness) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    sure = keypoints[:, 2] > KEYPOINT_SURE
    for a, b in SKELETON_EDGES:
        if sure[a] and sure[b]:
            cv2.line(mask, tuple(int(v) for v in keypoints[a, :2]),
                     tuple(int(v) for v in keypoints[b, :2]), 255, thickness)
    if all(sure[j] for j in TORSO):
        cv2.fillConvexPoly(mask, keypoints[list(TORSO), :2].astype(np.int32), 255)
    return mask


def cut_out_people(estimator, names=None) -> dict:
    """Return {name: Cutout} for PEOPLE (or those ``names``), found by ``estimator``."""
    cutouts = {}
    wanted = set(PEOPLE if names is None else names)
    for photo in sorted({p for n, (p, _) in PEOPLE.items() if n in wanted}):
        image = cv2.imread(str(ultralytics_assets() / photo))
        detections = estimator.predict(image)
        distances = [cv2.distanceTransform(
            255 - _skeleton_mask(image.shape[:2], kps, 3), cv2.DIST_L2, 5)
            for kps in detections.keypoints]
        for name, (source, index) in PEOPLE.items():
            if source == photo and name in wanted:
                cutouts[name] = _cut_out(name, image, detections, distances, index)
    return cutouts


def _cut_out(name, image, detections, distances, index) -> Cutout:
    box = detections.boxes[index].astype(int)
    reach = 0.09 * max(box[2] - box[0], box[3] - box[1])
    own = distances[index]
    nearest = own < reach * 1.6
    for other, distance in enumerate(distances):
        if other != index:
            nearest &= own < distance
    x0, y0, x1, y1 = box
    # GrabCut on the box plus a margin of background, for speed.
    m = int(reach)
    cx0, cy0 = max(0, x0 - m), max(0, y0 - m)
    cx1, cy1 = min(image.shape[1], x1 + m), min(image.shape[0], y1 + m)
    inside = np.zeros(image.shape[:2], bool)
    inside[y0:y1, x0:x1] = True
    mask = np.full(image.shape[:2], cv2.GC_BGD, np.uint8)
    mask[inside & nearest] = cv2.GC_PR_FGD
    mask[inside & nearest & (own < reach * 0.35)] = cv2.GC_FGD
    mask = mask[cy0:cy1, cx0:cx1].copy()
    cv2.grabCut(image[cy0:cy1, cx0:cx1], mask, None, np.zeros((1, 65)), np.zeros((1, 65)), 5,
                cv2.GC_INIT_WITH_MASK)
    alpha = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.float32)
    alpha = cv2.GaussianBlur(alpha, (3, 3), 0)[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0]
    keypoints = detections.keypoints[index].copy()
    keypoints[:, :2] -= (x0, y0)
    return Cutout(name, image[y0:y1, x0:x1].copy(), alpha.copy(),
                  np.array([0, 0, x1 - x0, y1 - y0], np.float64), keypoints)


def street_background(video: pathlib.Path, width: int, height: int) -> np.ndarray:
    """Return an empty street (median of ``video``'s frames), width x height, or a plain wall."""
    frames = []
    capture = cv2.VideoCapture(str(video)) if os.path.exists(video) else None
    while capture is not None and len(frames) < 80:
        ok, frame = capture.read()
        if not ok:
            break
        for _ in range(9):   # every 10th frame
            capture.grab()
        frames.append(frame)
    if not frames:
        wall = np.linspace(90, 170, height, dtype=np.float32)[:, None, None]
        return np.broadcast_to(wall, (height, width, 3)).astype(np.uint8).copy()
    median = np.median(np.stack(frames), axis=0).astype(np.uint8)
    scale = width / median.shape[1]
    resized = cv2.resize(median, (width, int(round(median.shape[0] * scale))))
    top = (resized.shape[0] - height) // 2
    return resized[top:top + height].copy()
