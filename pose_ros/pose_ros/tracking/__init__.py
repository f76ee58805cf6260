# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Tracking: give every detected person an id that stays with them, frame after frame.

The subpackage holds everything tracking needs, none of it ROS:

* ``registry``: the ``tracker`` parameter's choices and ``create_tracker``;
* ``tracker_base``: the Tracker interface, its settings and the id allocator;
* ``pose_tracker``: our pose-aware tracker (``tracker: pose``, the default);
* ``ultralytics_trackers``: Ultralytics' ByteTrack and BoT-SORT, pinned, behind the interface;
* ``pose_similarity``: OKS and IoU matrices;
* ``track_motion`` and ``one_euro``: a track's history, velocity and keypoint smoothing;
* ``track_events``: appearances, losses and people counts for the log.

docs/tracking.md explains the trackers and their guarantees.
"""

from pose_ros.tracking.registry import (create_tracker, IdAllocator, NoTracker, Tracker,
                                        tracker_names, TrackerConfig, TRACKERS)

__all__ = ['IdAllocator', 'NoTracker', 'TRACKERS', 'Tracker', 'TrackerConfig',
           'create_tracker', 'tracker_names']
