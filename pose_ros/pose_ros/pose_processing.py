# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
One frame through the pose pipeline, without ROS: infer, track, and (on demand) draw.

The node, the one-process pipeline and the benchmarks all use this, so what is measured is
what runs.
"""

from dataclasses import dataclass, field

import numpy as np

from pose_ros.drawing import draw_persons
from pose_ros.pose_types import PoseDetections
from pose_ros.rate_meter import RateMeter
from pose_ros.stage_timer import StageTimer


@dataclass
class FrameResult:
    """What one frame produced."""

    persons: list
    inference_ms: float
    stage_ms: dict = field(default_factory=dict)


def split_by_score(detections: PoseDetections, conf) -> tuple:
    """Return (detections at or above ``conf``, those below); None: all are at or above."""
    if conf is None:
        return detections, PoseDetections.empty()
    keep = detections.scores >= conf
    parts = [PoseDetections(detections.boxes[mask], detections.scores[mask],
                            detections.keypoints[mask]) for mask in (keep, ~keep)]
    return parts[0], parts[1]


class PoseProcessor:
    """
    Run the estimator and the tracker on frames, timing each stage.

    ``conf`` is the publishing threshold: the estimator may detect lower (``track_low_conf``),
    and the detections below ``conf`` go to the tracker only as ``faint`` ones, to continue
    tracks; only persons at or above ``conf`` come out. None: every detection comes out.
    """

    def __init__(self, estimator, tracker, keypoint_conf=0.5, conf=None):
        self.estimator = estimator
        self.tracker = tracker
        self.keypoint_conf = keypoint_conf
        self.conf = conf
        self.timer = StageTimer()
        self.fps = RateMeter()

    def process(self, bgr: np.ndarray, stamp: float) -> FrameResult:
        """Return the tracked persons of one BGR frame taken at ``stamp`` seconds."""
        with self.timer.stage('inference'):
            detections = self.estimator.predict(bgr)
        with self.timer.stage('tracking'):
            confident, faint = split_by_score(detections, self.conf)
            persons = self.tracker.update(confident, stamp, image=bgr, faint=faint)
        self.fps.tick()
        return FrameResult(persons, self.timer.last['inference'], dict(self.timer.last))

    def render(self, bgr: np.ndarray, result: FrameResult) -> np.ndarray:
        """Return a copy of ``bgr`` with the persons and the FPS/inference overlay drawn."""
        with self.timer.stage('drawing'):
            return draw_persons(bgr, result.persons, self.keypoint_conf,
                                fps=self.fps.rate, inference_ms=result.inference_ms)
