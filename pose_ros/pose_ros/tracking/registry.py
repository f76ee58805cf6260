# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The tracker registry: turn each frame's detections into persons with stable ids.

``create_tracker(config)`` returns a Tracker for the ``tracker`` parameter. Every tracker
returns one TrackedPerson per (confident) detection, in detection order, in the very frame a
person is first seen (unconfirmed tracks included), with ids from 1 that are never reused;
detections below the publishing threshold, passed as ``faint``, only continue tracks.
The trackers are plain Python (no ROS); docs/tracking.md compares them.
"""

from pose_ros.pose_types import PoseDetections, TrackedPerson
from pose_ros.tracking.pose_tracker import PoseTracker
from pose_ros.tracking.tracker_base import IdAllocator, Tracker, TrackerConfig
from pose_ros.tracking.ultralytics_trackers import BotSortTracker, ByteTrackTracker

__all__ = ['IdAllocator', 'NoTracker', 'TRACKERS', 'Tracker', 'TrackerConfig',
           'create_tracker', 'tracker_names']


class NoTracker(Tracker):
    """Tracking off: every person gets id 0."""

    def __init__(self, config: TrackerConfig = None):
        self.config = config

    def update(self, detections: PoseDetections, stamp: float, image=None, faint=None) -> list:
        """Return the detections unchanged, with id 0 and no velocity."""
        return [TrackedPerson(track_id=0, confirmed=False, score=float(detections.scores[i]),
                              box=detections.boxes[i], keypoints=detections.keypoints[i])
                for i in range(len(detections))]


# The ``tracker`` parameter's values; 'pose' is the default (docs/tracking.md says why).
TRACKERS = {
    'pose': PoseTracker,
    'bytetrack': ByteTrackTracker,
    'botsort': BotSortTracker,
    'none': NoTracker,
}


def tracker_names() -> tuple:
    """Return the accepted values of the ``tracker`` parameter."""
    return tuple(TRACKERS)


def create_tracker(config: TrackerConfig) -> Tracker:
    """Return a new tracker for ``config.name``; ValueError names what to fix."""
    if config.name not in TRACKERS:
        raise ValueError(
            f'tracker "{config.name}" is unknown; use one of: {", ".join(TRACKERS)}')
    config.validate()
    return TRACKERS[config.name](config)
