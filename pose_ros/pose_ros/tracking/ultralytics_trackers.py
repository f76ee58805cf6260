# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Ultralytics' ByteTrack and BoT-SORT, driven as a library with every setting pinned.

The trackers are Ultralytics' own code (``ultralytics.trackers``); this module only feeds
them boxes and reads their tracks back. What differs from ``model.track()``:

* All arguments are passed explicitly (``bytetrack_args``, ``botsort_args``) instead of the
  packaged YAML defaults, so a new Ultralytics release cannot silently change them.
* How long a lost track survives is pinned to ``max_age`` processed frames. In 8.4.190
  ``BYTETracker(args)`` takes no frame rate and sets ``max_frames_lost = track_buffer``;
  releases before 8.4 took ``frame_rate`` and scaled the buffer by ``frame_rate / 30`` (such
  a release is given ``frame_rate=30``, scale 1). The limit is checked after construction.
  A track past the limit is marked removed but leaves ``lost_stracks`` only in the next
  frame's bookkeeping, after that frame's association (as in the original ByteTrack), so it
  can still be matched one frame later: it survives ``track_buffer + 1`` unseen frames.
  Hence ``track_buffer = max_age - 1`` (so ``max_age`` must be at least 2 here); the unit
  tests check the survival itself against the installed release.
* Every detection gets an id in the frame it first appears, also when Ultralytics leaves it
  on a tentative (not yet activated) track or on no track at all; ``track()`` hides those.
* Detections below the publishing threshold (``faint``) are fed to Ultralytics, whose second
  association continues tracks on them, as ``model.track()`` does; they are not returned.
* Ids come from our own allocator: Ultralytics' ids are mapped to ours, so ids start at 1
  and are never reused, also across ``reset()``.
"""

import inspect
from types import SimpleNamespace
import warnings

import numpy as np
import pose_ros.model_loading  # noqa: F401  (sets Ultralytics' offline environment first)
from pose_ros.pose_types import TrackedPerson
from pose_ros.tracking.track_motion import TrackMotion
from pose_ros.tracking.tracker_base import IdAllocator, Tracker

TESTED_ULTRALYTICS_VERSION = '8.4.190'
STAMP_JUMP_BACK = 1.0       # seconds the stamp may go back before tracks are dropped


def lost_track_buffer(max_age: int) -> int:
    """Return the track_buffer with which a lost track survives ``max_age`` unseen frames."""
    return int(max_age) - 1


def bytetrack_args(config) -> SimpleNamespace:
    """Return every ByteTrack argument, pinned (values of 8.4.190's bytetrack.yaml)."""
    return SimpleNamespace(
        tracker_type='bytetrack',
        track_high_thresh=0.25,   # first association: detections at least this confident
        track_low_thresh=0.1,     # second association: detections above this
        new_track_thresh=0.25,    # an unmatched detection starts a track from this score
        track_buffer=lost_track_buffer(config.max_age),   # see the module docstring
        match_thresh=0.8,         # largest IoU cost accepted in the first association
        fuse_score=True,          # scale IoU similarity by detection score
    )


def botsort_args(config) -> SimpleNamespace:
    """Return every BoT-SORT argument, pinned; no camera-motion compensation, no ReID."""
    args = bytetrack_args(config)
    args.tracker_type = 'botsort'
    args.gmc_method = 'none'        # a static camera is assumed; needs no image, runs offline
    args.proximity_thresh = 0.5     # ReID settings, inactive with with_reid False
    args.appearance_thresh = 0.8
    args.with_reid = False          # no ReID model: nothing to download, same cost as ByteTrack
    args.model = 'auto'
    return args


class _Boxes:
    """The part of Ultralytics' ``Boxes`` interface its trackers read, over numpy arrays."""

    def __init__(self, xyxy: np.ndarray, conf: np.ndarray):
        self.xyxy = np.asarray(xyxy, np.float32).reshape(-1, 4)
        self.conf = np.asarray(conf, np.float32).reshape(-1)
        self.cls = np.zeros_like(self.conf)   # every detection is a person

    @property
    def xywh(self) -> np.ndarray:
        centre = (self.xyxy[:, :2] + self.xyxy[:, 2:]) / 2
        return np.concatenate([centre, self.xyxy[:, 2:] - self.xyxy[:, :2]], axis=1)

    def __len__(self) -> int:
        return int(self.conf.shape[0])

    def __getitem__(self, index) -> '_Boxes':
        return _Boxes(self.xyxy[index], self.conf[index])


class UltralyticsTracker(Tracker):
    """A pinned Ultralytics tracker behind the Tracker interface."""

    def __init__(self, config):
        import ultralytics

        if ultralytics.__version__ != TESTED_ULTRALYTICS_VERSION:
            warnings.warn(f'tracker "{config.name}" was tested with Ultralytics '
                          f'{TESTED_ULTRALYTICS_VERSION}, this is {ultralytics.__version__}; '
                          f'run bench/tracking_eval.py to check it', stacklevel=2)
        if config.max_age < 2:
            raise ValueError(f'tracker "{config.name}" needs max_age >= 2 (Ultralytics keeps '
                             f'a lost track at least 2 frames); got {config.max_age}')
        self.config = config
        self._ids = IdAllocator()
        self._tracker = self._create()
        self._last_stamp = None
        self._our_id = {}      # Ultralytics track id -> our id
        self._motion = {}      # our id -> TrackMotion
        self._hits = {}        # our id -> frames matched

    @staticmethod
    def tracker_class():
        """Return the Ultralytics tracker class."""
        raise NotImplementedError

    def tracker_args(self) -> SimpleNamespace:
        """Return the pinned arguments of the Ultralytics tracker."""
        raise NotImplementedError

    def _create(self):
        cls = self.tracker_class()
        kwargs = {}
        if 'frame_rate' in inspect.signature(cls.__init__).parameters:
            kwargs['frame_rate'] = 30   # older releases scale track_buffer by frame_rate / 30
        tracker = cls(self.tracker_args(), **kwargs)
        limit = getattr(tracker, 'max_frames_lost', getattr(tracker, 'max_time_lost', None))
        if limit != lost_track_buffer(self.config.max_age):
            raise RuntimeError(
                f'Ultralytics {cls.__name__} got track_buffer '
                f'{lost_track_buffer(self.config.max_age)} but keeps lost tracks for {limit} '
                f'frames: its semantics changed; update ultralytics_trackers.py for it')
        return tracker

    @property
    def ultralytics_tracker(self):
        """Return the wrapped Ultralytics tracker (read-only use)."""
        return self._tracker

    def reset(self) -> None:
        """Forget all tracks; Ultralytics restarts its ids, ours keep counting up."""
        self._tracker.reset()
        self._our_id.clear()
        self._motion.clear()
        self._hits.clear()
        self._last_stamp = None

    def update(self, detections, stamp: float, image=None, faint=None) -> list:
        """
        Return a TrackedPerson per detection, in detection order.

        ``faint`` detections go to Ultralytics too (its second association lives on them) but
        are not returned; ``image`` is not used (no camera-motion compensation, no ReID).
        """
        stamp = float(stamp)
        if self._last_stamp is not None and stamp < self._last_stamp - STAMP_JUMP_BACK:
            self.reset()
        self._last_stamp = stamp if self._last_stamp is None else max(stamp, self._last_stamp)

        boxes, scores = detections.boxes, detections.scores
        if faint is not None and len(faint):
            boxes = np.concatenate([np.reshape(boxes, (-1, 4)), faint.boxes])
            scores = np.concatenate([np.reshape(scores, -1), faint.scores])
        self._tracker.update(_Boxes(boxes, scores), None)
        track_of = self._tracks_by_detection()
        persons = []
        for index in range(len(detections)):
            track = track_of.get(index)
            if track is None:   # Ultralytics started no track (e.g. score below its thresholds)
                our_id, confirmed = self._ids.next_id(), False
                motion = TrackMotion.from_config(self.config)
            else:
                if track.track_id not in self._our_id:
                    our_id = self._our_id[track.track_id] = self._ids.next_id()
                    self._motion[our_id] = TrackMotion.from_config(self.config)
                our_id = self._our_id[track.track_id]
                motion = self._motion[our_id]
                self._hits[our_id] = self._hits.get(our_id, 0) + 1
                confirmed = bool(track.is_activated) and \
                    self._hits[our_id] >= self.config.min_hits
            keypoints = motion.add(stamp, detections.boxes[index], detections.keypoints[index])
            persons.append(TrackedPerson(
                track_id=our_id, confirmed=confirmed, score=float(detections.scores[index]),
                box=np.asarray(detections.boxes[index], np.float32).copy(),
                keypoints=keypoints.astype(np.float32), velocity=motion.velocity_tuple))
        self._forget_removed_tracks()
        return persons

    def _tracks_by_detection(self) -> dict:
        """Map detection index -> the track matched to it or started from it this frame."""
        frame = self._tracker.frame_id
        return {int(t.idx): t for t in self._tracker.tracked_stracks if t.frame_id == frame}

    def _forget_removed_tracks(self) -> None:
        alive = {t.track_id for t in self._tracker.tracked_stracks + self._tracker.lost_stracks}
        for ultralytics_id in [k for k in self._our_id if k not in alive]:
            our_id = self._our_id.pop(ultralytics_id)
            self._motion.pop(our_id, None)
            self._hits.pop(our_id, None)


class ByteTrackTracker(UltralyticsTracker):
    """``tracker: bytetrack``: Ultralytics' BYTETracker."""

    @staticmethod
    def tracker_class():
        """Return Ultralytics' BYTETracker."""
        from ultralytics.trackers.byte_tracker import BYTETracker
        return BYTETracker

    def tracker_args(self) -> SimpleNamespace:
        """Return the pinned ByteTrack arguments."""
        return bytetrack_args(self.config)


class BotSortTracker(UltralyticsTracker):
    """``tracker: botsort``: Ultralytics' BOTSORT without GMC and ReID."""

    @staticmethod
    def tracker_class():
        """Return Ultralytics' BOTSORT."""
        from ultralytics.trackers.bot_sort import BOTSORT
        return BOTSORT

    def tracker_args(self) -> SimpleNamespace:
        """Return the pinned BoT-SORT arguments."""
        return botsort_args(self.config)
