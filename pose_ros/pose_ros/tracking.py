# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The tracker seam: turn each frame's detections into persons with stable ids.

``create_tracker(config)`` returns a Tracker for the ``tracker`` parameter. Every tracker
returns one TrackedPerson per detection, in detection order, in the very frame a person is
first seen (unconfirmed tracks included), with ids from 1 that are never reused.
"""

import abc
from dataclasses import dataclass

from pose_ros.pose_types import PoseDetections, TrackedPerson


@dataclass
class TrackerConfig:
    """Settings shared by all trackers (see config/pose.yaml for their meaning)."""

    name: str = 'none'
    frame_rate: float = 30.0     # expected frames per second, pins frame-based timeouts
    max_age: int = 30            # frames a lost track survives before it is removed
    min_hits: int = 3            # matches before a tentative track is confirmed
    history: int = 30            # frames of keypoint history kept per track
    smoothing: bool = False      # One Euro filter on keypoints


class Tracker(abc.ABC):
    """Assigns track ids to detections, frame by frame."""

    @abc.abstractmethod
    def update(self, detections: PoseDetections, stamp: float) -> list:
        """Return a TrackedPerson per detection for the image taken at ``stamp`` seconds."""

    def reset(self) -> None:
        """Forget all tracks (ids keep counting up, so none is reused)."""


class NoTracker(Tracker):
    """Tracking off: every person gets id 0."""

    def update(self, detections: PoseDetections, stamp: float) -> list:
        """Return the detections unchanged, with id 0 and no velocity."""
        return [TrackedPerson(track_id=0, confirmed=False, score=float(detections.scores[i]),
                              box=detections.boxes[i], keypoints=detections.keypoints[i])
                for i in range(len(detections))]


TRACKERS = {'none': NoTracker}


def tracker_names() -> tuple:
    """Return the accepted values of the ``tracker`` parameter."""
    return tuple(TRACKERS)


def create_tracker(config: TrackerConfig) -> Tracker:
    """Return a new tracker for ``config.name``; ValueError names the valid choices."""
    if config.name not in TRACKERS:
        raise ValueError(
            f'tracker "{config.name}" is unknown; use one of: {", ".join(TRACKERS)}')
    cls = TRACKERS[config.name]
    return cls() if cls is NoTracker else cls(config)
