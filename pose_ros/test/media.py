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


def video_frames(path=VTEST, count=10, start=0, step=1):
    """Return ``count`` BGR frames of a video, every ``step``-th one from frame ``start``."""
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened(), f'cannot open {path}'
    capture.set(cv2.CAP_PROP_POS_FRAMES, start)
    frames = []
    read = 0
    while len(frames) < count:
        ok, frame = capture.read()
        assert ok, f'{path} ended after {read} frames from {start}'
        if read % step == 0:
            frames.append(frame)
        read += 1
    capture.release()
    return frames
