# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Real test media: Ultralytics' sample photos and OpenCV's pedestrian video."""

import importlib.util
import pathlib

import cv2

ASSETS = pathlib.Path(importlib.util.find_spec('ultralytics').origin).parent / 'assets'
BUS = ASSETS / 'bus.jpg'          # 4 people
ZIDANE = ASSETS / 'zidane.jpg'    # 2 people
VTEST = pathlib.Path(__file__).resolve().parents[3] / 'shared' / 'data' / 'vtest.avi'


def read_image(path):
    """Return a BGR image, failing loudly if it is missing."""
    image = cv2.imread(str(path))
    assert image is not None, f'cannot read {path}'
    return image


def video_frames(path=VTEST, count=10, start=0):
    """Return ``count`` consecutive BGR frames of a video from frame ``start``."""
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened(), f'cannot open {path}'
    capture.set(cv2.CAP_PROP_POS_FRAMES, start)
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        assert ok, f'{path} ended after {len(frames)} frames'
        frames.append(frame)
    capture.release()
    return frames
