# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Render the debug image: skeletons, keypoints and ids in each track's colour, plus stats."""

import cv2
import numpy as np

from pose_ros.coco import colour_for_id, NOSE, SKELETON_EDGES

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw_persons(image: np.ndarray, persons, keypoint_conf=0.5, fps=None, inference_ms=None,
                 copy=True) -> np.ndarray:
    """
    Return ``image`` (copied unless copy=False) with every person drawn on it.

    Keypoints at or above ``keypoint_conf`` are dots; an edge is drawn when both of its ends
    are confident. The id goes near the nose, or at the top of the box without a nose.
    """
    canvas = image.copy() if copy else image
    scale = max(canvas.shape[0], canvas.shape[1]) / 640.0
    for person in persons:
        colour = colour_for_id(person.track_id)
        points = person.keypoints
        visible = points[:, 2] >= keypoint_conf
        xy = np.round(points[:, :2]).astype(np.int32)
        x1, y1, x2, y2 = (int(round(v)) for v in person.box)
        # Lines and dots follow the person's size, so small people stay readable.
        size = max(1.0, min(y2 - y1, 4 * (x2 - x1)))
        thickness = int(np.clip(size / 60.0, 1, 3 * scale))
        radius = int(np.clip(size / 45.0, 1, 4 * scale))
        cv2.rectangle(canvas, (x1, y1), (x2, y2), colour, 1)
        for a, b in SKELETON_EDGES:
            if visible[a] and visible[b]:
                cv2.line(canvas, tuple(xy[a]), tuple(xy[b]), colour, thickness, cv2.LINE_AA)
        for index in np.flatnonzero(visible):
            cv2.circle(canvas, tuple(xy[index]), radius, colour, -1, cv2.LINE_AA)
        label = f'#{person.track_id}' if person.track_id else f'{person.score:.2f}'
        anchor = (xy[NOSE][0] - 10, xy[NOSE][1] - 12) if visible[NOSE] else (x1, y1 - 6)
        _text(canvas, label, anchor, colour, 0.5 * scale)
    stats = []
    if fps is not None:
        stats.append(f'{fps:.1f} FPS')
    if inference_ms is not None:
        stats.append(f'inference {inference_ms:.0f} ms')
    stats.append(f'{len(persons)} people')
    _banner(canvas, '   '.join(stats), 0.5 * scale)
    return canvas


def _banner(canvas, text, font_scale):
    weight = max(1, int(round(font_scale * 2)))
    (width, height), baseline = cv2.getTextSize(text, _FONT, font_scale, weight)
    pad = max(3, int(round(font_scale * 8)))
    cv2.rectangle(canvas, (0, 0), (width + 2 * pad, height + baseline + 2 * pad), (0, 0, 0), -1)
    cv2.putText(canvas, text, (pad, pad + height), _FONT, font_scale, (255, 255, 255), weight,
                cv2.LINE_AA)


def _text(canvas, text, origin, colour, font_scale):
    x = int(min(max(origin[0], 0), canvas.shape[1] - 1))
    y = int(min(max(origin[1], 12), canvas.shape[0] - 1))
    weight = max(1, int(round(font_scale * 2)))
    cv2.putText(canvas, text, (x, y), _FONT, font_scale, (0, 0, 0), weight + 1, cv2.LINE_AA)
    cv2.putText(canvas, text, (x, y), _FONT, font_scale, colour, weight, cv2.LINE_AA)
