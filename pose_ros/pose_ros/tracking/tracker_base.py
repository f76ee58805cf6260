# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The contract every tracker meets: its settings, its interface and its id allocator.

Kept apart from ``registry`` (which registers the trackers) so that tracker modules can
import it without a circular import.
"""

import abc
from dataclasses import dataclass
import itertools


@dataclass
class TrackerConfig:
    """Settings shared by all trackers (docs/tracking.md explains each one)."""

    name: str = 'pose'
    frame_rate: float = 30.0     # camera frames per second (max_age / frame_rate: seconds)
    max_age: int = 30            # frames a lost track survives before it is removed
    min_hits: int = 3            # matches before a tentative track is confirmed
    history: int = 10            # frames of keypoint history kept per track (velocity window)
    smoothing: bool = False      # One Euro filter on keypoints
    smoothing_min_cutoff: float = 0.5   # One Euro cutoff at rest, Hz (lower: steadier)
    smoothing_beta: float = 0.1         # One Euro cutoff rise per px/s of speed (less lag)
    smoothing_d_cutoff: float = 1.0     # One Euro cutoff of the speed estimate, Hz
    keypoint_threshold: float = 0.3     # confidence above which a keypoint counts in OKS
    match_threshold: float = 0.2        # least similarity (OKS/IoU mix) for a match
    appearance_weight: float = 0.3      # share of the colour signature in a match (0: off)
    occluded_max_age: int = 60          # frames a track hidden behind someone survives

    def validate(self) -> None:
        """Raise ValueError naming the first setting that cannot work."""
        checks = (
            (self.frame_rate > 0, 'frame_rate must be > 0'),
            (self.max_age >= 0, 'max_age must be >= 0'),
            (self.min_hits >= 1, 'min_hits must be >= 1'),
            (self.history >= 2, 'history must be >= 2 (two samples give a velocity)'),
            (self.smoothing_min_cutoff > 0, 'smoothing_min_cutoff must be > 0'),
            (self.smoothing_beta >= 0, 'smoothing_beta must be >= 0'),
            (self.smoothing_d_cutoff > 0, 'smoothing_d_cutoff must be > 0'),
            (0 <= self.keypoint_threshold <= 1, 'keypoint_threshold must be in [0, 1]'),
            (0 < self.match_threshold <= 1, 'match_threshold must be in (0, 1]'),
            (0 <= self.appearance_weight <= 1, 'appearance_weight must be in [0, 1]'),
            (self.occluded_max_age >= 0, 'occluded_max_age must be >= 0'),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(f'tracker setting invalid: {message}')


class Tracker(abc.ABC):
    """Assigns track ids to detections, frame by frame."""

    @abc.abstractmethod
    def update(self, detections, stamp: float, image=None, faint=None) -> list:
        """
        Return a TrackedPerson per detection for the image taken at ``stamp`` seconds.

        ``image`` is that BGR image, for trackers that look at it (None: none given).
        ``faint`` holds the detections below the publishing threshold (PoseDetections or
        None): a tracker may use them to continue its tracks, never to start one, and does
        not return them.
        """

    def reset(self) -> None:
        """Forget all tracks (ids keep counting up, so none is reused)."""


class IdAllocator:
    """Hands out track ids 1, 2, 3, ... and never the same one twice."""

    def __init__(self):
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        """Return a fresh id."""
        return next(self._ids)
