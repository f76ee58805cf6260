# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Synthetic tracking scenes with known identities, made of real people from real photos.

People are cut out of Ultralytics' sample photos (bus.jpg, zidane.jpg): the real pose model
finds them, GrabCut separates each from its background (seeded by the person's skeleton), and
the cut-outs are pasted, far ones first, on an empty street (the median of vtest.avi) and
moved along scripted straight paths. Each frame gets camera noise. The ground truth of every
frame is each person's box, the box of the part still visible, the visible fraction and the
velocity.
"""

from dataclasses import dataclass
import os
import pathlib

import cv2
import numpy as np
from pose_ros.coco import SKELETON_EDGES

WIDTH, HEIGHT, FPS = 1024, 576, 30.0
NOISE_SIGMA = 4.0       # camera noise, grey levels
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


@dataclass
class Actor:
    """A cut-out moving on a straight line; ``depth``: larger is nearer the camera."""

    cutout: str
    height: float           # person box height on screen, pixels
    start: tuple            # (x, y) of the box bottom centre at t = 0
    velocity: tuple         # pixels per second
    depth: int


@dataclass
class Scene:
    """A scripted sequence."""

    name: str
    frames: int
    actors: list
    description: str


SCENES = (
    Scene('two_cross', 120, [
        Actor('bus_coat', 300, (150, 520), (180, 0), 2),
        Actor('bus_black', 270, (874, 500), (-180, 0), 1),
    ], 'two people, same depth, walk through each other; the far one is fully hidden'),
    Scene('four_cross', 120, [
        Actor('bus_edge', 170, (300, 330), (110, 0), 1),
        Actor('bus_black', 220, (800, 390), (-140, 0), 2),
        Actor('bus_coat', 280, (160, 460), (180, 0), 3),
        Actor('ancelotti', 330, (900, 596), (-190, 0), 4),
    ], 'four people at four depths cross near the middle'),
    Scene('standing_pair', 90, [
        Actor('zidane', 230, (486, 573), (0, 0), 1),
        Actor('ancelotti', 303, (644, 572), (0, 0), 2),
    ], 'two people stand side by side, overlapping, still'),
    Scene('fast_mover', 45, [
        Actor('bus_coat', 220, (560, 430), (0, 0), 1),
        Actor('bus_black', 300, (-40, 540), (800, 0), 2),
    ], 'one person runs (800 px/s) past a standing one'),
)

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


def street_background(video: pathlib.Path) -> np.ndarray:
    """Return an empty street (median of ``video``'s frames) as WIDTH x HEIGHT, or a plain wall."""
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
        wall = np.linspace(90, 170, HEIGHT, dtype=np.float32)[:, None, None]
        return np.broadcast_to(wall, (HEIGHT, WIDTH, 3)).astype(np.uint8).copy()
    median = np.median(np.stack(frames), axis=0).astype(np.uint8)
    scale = WIDTH / median.shape[1]
    resized = cv2.resize(median, (WIDTH, int(round(median.shape[0] * scale))))
    top = (resized.shape[0] - HEIGHT) // 2
    return resized[top:top + HEIGHT].copy()


@dataclass
class Truth:
    """Ground truth of one frame for P persons."""

    ids: np.ndarray            # (P,) person numbers 0..P-1
    boxes: np.ndarray          # (P, 4) full box (clipped to the image)
    visible_boxes: np.ndarray  # (P, 4) box of the visible pixels
    visibility: np.ndarray     # (P,) visible fraction of the person
    keypoints: np.ndarray      # (P, 17, 3) reference keypoints (confidence 0 when hidden)
    velocities: np.ndarray     # (P, 2) pixels per second


def _placement(actor: Actor, cutout: Cutout, t: float) -> tuple:
    scale = actor.height / (cutout.box[3] - cutout.box[1])
    x = actor.start[0] + actor.velocity[0] * t
    y = actor.start[1] + actor.velocity[1] * t
    cx = (cutout.box[0] + cutout.box[2]) / 2
    return scale, np.array([x - scale * cx, y - scale * cutout.box[3]])


def render(scene: Scene, cutouts: dict, background: np.ndarray, index: int, rng) -> tuple:
    """Return (BGR frame, Truth) of frame ``index`` of ``scene``."""
    t = index / FPS
    canvas = background.astype(np.float32)
    actors = sorted(enumerate(scene.actors), key=lambda a: a[1].depth)
    alphas, placements = {}, {}
    for number, actor in actors:
        cutout = cutouts[actor.cutout]
        scale, offset = _placement(actor, cutout, t)
        warp = np.array([[scale, 0, offset[0]], [0, scale, offset[1]]], np.float64)
        pixels = cv2.warpAffine(cutout.image, warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(cutout.alpha, warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
        canvas = canvas * (1 - alpha[..., None]) + pixels.astype(np.float32) * alpha[..., None]
        alphas[number], placements[number] = alpha, (scale, offset)
    canvas += rng.normal(0.0, NOISE_SIGMA, canvas.shape)
    frame = np.clip(canvas, 0, 255).astype(np.uint8)
    return frame, _truth(scene, cutouts, alphas, placements)


def _truth(scene, cutouts, alphas, placements) -> Truth:
    count = len(scene.actors)
    boxes = np.zeros((count, 4))
    visible_boxes = np.zeros((count, 4))
    visibility = np.zeros(count)
    keypoints = np.zeros((count, 17, 3))
    for number, actor in enumerate(scene.actors):
        cutout = cutouts[actor.cutout]
        scale, offset = placements[number]
        shown = alphas[number].copy()
        for other, other_actor in enumerate(scene.actors):
            if other_actor.depth > actor.depth:
                shown *= 1 - alphas[other]
        visibility[number] = shown.sum() / (cutout.alpha.sum() * scale ** 2)
        box = cutout.box * scale + np.tile(offset, 2)
        boxes[number] = np.clip(box, 0, [WIDTH, HEIGHT, WIDTH, HEIGHT])
        ys, xs = np.nonzero(shown > 0.5)
        if xs.size:
            visible_boxes[number] = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        points = cutout.keypoints[:, :2] * scale + offset
        inside = ((points[:, 0] >= 0) & (points[:, 0] < WIDTH) & (points[:, 1] >= 0)
                  & (points[:, 1] < HEIGHT))
        seen = np.zeros(17, bool)
        seen[inside] = shown[points[inside, 1].astype(int), points[inside, 0].astype(int)] > 0.5
        keypoints[number, :, :2] = points
        keypoints[number, :, 2] = np.where(seen & (cutout.keypoints[:, 2] > KEYPOINT_SURE),
                                           cutout.keypoints[:, 2], 0.0)
    velocities = np.array([a.velocity for a in scene.actors], np.float64)
    return Truth(np.arange(count), boxes, visible_boxes, visibility, keypoints, velocities)
