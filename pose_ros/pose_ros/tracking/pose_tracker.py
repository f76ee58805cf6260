# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The pose-aware tracker (``tracker: pose``): OKS and IoU costs, Hungarian assignment.

Each track predicts where its person is now from a constant velocity fitted to its recent
history (image stamps, not frame counts). Detections are assigned to tracks by one Hungarian
assignment on a similarity that mixes OKS of the keypoints with IoU of the boxes; the OKS
tolerance widens the longer a track has been unseen. New tracks are tentative until matched
``min_hits`` times; any track survives ``max_age`` frames (at ``frame_rate``) unseen.

A partly hidden person sometimes yields a second, partial detection inside the full one, with
the same keypoints. Such a duplicate may continue a track seen in the previous frame, but may
not revive a lost track: that would hand a lost person's id to someone else.
"""

import numpy as np
from pose_ros.pose_types import TrackedPerson
from pose_ros.tracking.pose_similarity import box_areas, iou_matrix, oks_matrix
from pose_ros.tracking.track_motion import TrackMotion
from pose_ros.tracking.tracker_base import IdAllocator, Tracker
from scipy.optimize import linear_sum_assignment

OKS_WEIGHT = 0.5            # share of OKS in the similarity; the rest is box IoU
MIN_SHARED_KEYPOINTS = 3    # fewer keypoints seen by both: compare the boxes only
SCALE_GROWTH_PER_FRAME = 0.1   # OKS scale grows by this fraction per unseen frame ...
MAX_SCALE_GROWTH = 2.0          # ... up to this factor
STAMP_JUMP_BACK = 1.0       # seconds the stamp may go back before tracks are dropped
DUPLICATE_INSIDE = 0.8      # a duplicate lies this much inside a larger detection ...
DUPLICATE_OKS = 0.5         # ... and shows the same keypoints, at least this similar


def partial_duplicates(detections, keypoint_threshold: float) -> np.ndarray:
    """Return a mask of the detections that repeat part of a larger detection."""
    areas = box_areas(detections.boxes)
    iou = iou_matrix(detections.boxes, detections.boxes)
    overlap = iou * (areas[:, None] + areas[None, :]) / (1.0 + iou)
    inside = overlap >= DUPLICATE_INSIDE * areas[None, :]    # [i, j]: j lies inside i
    oks, shared = oks_matrix(detections.keypoints, detections.keypoints, areas,
                             keypoint_threshold)
    same_pose = (oks >= DUPLICATE_OKS) & (shared >= MIN_SHARED_KEYPOINTS)
    larger = areas[:, None] > areas[None, :]
    return np.any(inside & same_pose & larger, axis=0)


class PoseTrack:
    """One person's track: identity, last observation and motion."""

    def __init__(self, track_id: int, stamp: float, box, keypoints, motion: TrackMotion):
        self.track_id = track_id
        self.hits = 0
        self.confirmed = False
        self.motion = motion
        self.box = None
        self.keypoints = None
        self.last_seen = stamp
        self.published_keypoints = None
        self.observe(stamp, box, keypoints)

    def observe(self, stamp: float, box, keypoints) -> None:
        """Take the detection matched to this track at ``stamp``."""
        self.box = np.asarray(box, np.float64).copy()
        self.keypoints = np.asarray(keypoints, np.float64).copy()
        self.last_seen = stamp
        self.hits += 1
        self.published_keypoints = self.motion.add(stamp, box, keypoints)

    def predicted(self, stamp: float) -> tuple:
        """Return the (box, keypoints) expected at ``stamp`` under constant velocity."""
        shift = self.motion.velocity * max(0.0, stamp - self.last_seen)
        keypoints = self.keypoints.copy()
        keypoints[:, :2] += shift
        return self.box + np.tile(shift, 2), keypoints


class PoseTracker(Tracker):
    """Tracks persons by their keypoints and boxes; see the module docstring."""

    def __init__(self, config):
        self.config = config
        self._ids = IdAllocator()
        self._tracks = []
        self._last_stamp = None
        self._previous_stamp = None
        # Unseen for max_age frames the track may still match in the next one; half a frame
        # of slack absorbs stamp jitter.
        self._max_unseen_seconds = (config.max_age + 1.5) / config.frame_rate

    def reset(self) -> None:
        """Forget all tracks; ids keep counting up."""
        self._tracks = []
        self._last_stamp = None
        self._previous_stamp = None

    @property
    def tracks(self) -> list:
        """Return every live track: tentative, confirmed, and unseen but not yet removed."""
        return list(self._tracks)

    def update(self, detections, stamp: float) -> list:
        """Return a TrackedPerson per detection, in detection order."""
        stamp = float(stamp)
        if self._last_stamp is not None and stamp < self._last_stamp - STAMP_JUMP_BACK:
            self.reset()   # time went back (a replay restarted): old tracks mean nothing
        self._last_stamp = stamp if self._last_stamp is None else max(stamp, self._last_stamp)
        self._tracks = [t for t in self._tracks
                        if stamp - t.last_seen <= self._max_unseen_seconds]
        previous_stamp, self._previous_stamp = self._previous_stamp, stamp

        count = len(detections)
        assigned = [None] * count
        for track_index, detection_index in self._match(detections, stamp, previous_stamp):
            track = self._tracks[track_index]
            track.observe(stamp, detections.boxes[detection_index],
                          detections.keypoints[detection_index])
            assigned[detection_index] = track
        for index in range(count):
            if assigned[index] is None:
                track = PoseTrack(self._ids.next_id(), stamp, detections.boxes[index],
                                  detections.keypoints[index],
                                  TrackMotion.from_config(self.config))
                self._tracks.append(track)
                assigned[index] = track
        for track in assigned:
            track.confirmed = track.confirmed or track.hits >= self.config.min_hits

        return [TrackedPerson(track_id=track.track_id, confirmed=track.confirmed,
                              score=float(detections.scores[i]),
                              box=np.asarray(detections.boxes[i], np.float32).copy(),
                              keypoints=track.published_keypoints.astype(np.float32),
                              velocity=track.motion.velocity_tuple)
                for i, track in enumerate(assigned)]

    def similarity(self, detections, stamp: float) -> np.ndarray:
        """Return the (tracks, detections) similarity in [0, 1] at ``stamp``."""
        predictions = [t.predicted(stamp) for t in self._tracks]
        boxes = np.array([p[0] for p in predictions]).reshape(-1, 4)
        keypoints = np.array([p[1] for p in predictions])
        unseen_frames = np.array([max(0.0, (stamp - t.last_seen) * self.config.frame_rate - 1)
                                  for t in self._tracks])
        growth = np.minimum(1.0 + SCALE_GROWTH_PER_FRAME * unseen_frames, MAX_SCALE_GROWTH)
        areas = box_areas(boxes) * growth ** 2
        oks, shared = oks_matrix(keypoints, detections.keypoints, areas,
                                 self.config.keypoint_threshold)
        iou = iou_matrix(boxes, detections.boxes)
        mixed = OKS_WEIGHT * oks + (1.0 - OKS_WEIGHT) * iou
        return np.where(shared >= MIN_SHARED_KEYPOINTS, mixed, iou)

    def _match(self, detections, stamp: float, previous_stamp) -> list:
        """Return (track index, detection index) pairs: whole detections, then duplicates."""
        if not self._tracks or len(detections) == 0:
            return []
        similarity = self.similarity(detections, stamp)
        duplicate = partial_duplicates(detections, self.config.keypoint_threshold)
        whole = np.flatnonzero(~duplicate)
        pairs = self._assign(similarity, np.arange(len(self._tracks)), whole)
        taken = {t for t, _ in pairs}
        recent = [i for i, t in enumerate(self._tracks)
                  if i not in taken and t.last_seen == previous_stamp]
        return pairs + self._assign(similarity, np.array(recent, int),
                                    np.flatnonzero(duplicate))

    def _assign(self, similarity, tracks: np.ndarray, detections: np.ndarray) -> list:
        """Return the Hungarian pairs of ``tracks`` and ``detections`` similar enough."""
        if tracks.size == 0 or detections.size == 0:
            return []
        sub = similarity[np.ix_(tracks, detections)]
        allowed = sub >= self.config.match_threshold
        rows, cols = linear_sum_assignment(np.where(allowed, 1.0 - sub, 1e6))
        return [(int(tracks[r]), int(detections[c])) for r, c in zip(rows, cols)
                if allowed[r, c]]
