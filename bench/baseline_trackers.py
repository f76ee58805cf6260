# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The lines to beat, run on cached detections: ``model.track`` out of the box, and boxmot.

``ModelTrack`` replays what ``YOLO(...).track(frame, persist=True)`` does with Ultralytics'
packaged bytetrack.yaml or botsort.yaml (ultralytics/trackers/track.py): the detector runs
at conf 0.1, the tracker is built from the YAML as it is, it gets the ``Boxes`` of each frame,
and only the tracks it returns (activated ones, Kalman boxes clipped to the image) come out;
in a frame where it
returns none the detections come out without ids, which cannot be scored as tracks. BoT-SORT's
camera-motion compensation (sparse optical flow on the frames) is replayed from the warps
computed on the same frames when the detections were cached. bench/model_track_check.py
shows, on real frames, that this gives exactly what ``model.track`` gives.

``Boxmot`` runs boxmot's OC-SORT or ByteTrack with their default settings on the detections
at conf 0.1 (the same input), without re-ID (its models need downloaded weights).
"""

from mot_metrics import FrameOutput
import numpy as np

MODEL_TRACK_CONF = 0.1      # what model.track() detects at
EMPTY = FrameOutput([], np.zeros((0, 4)))


class _ReplayedMotion:
    """Ultralytics' GMC interface, answering with warps computed earlier on the same frames."""

    method = 'sparseOptFlow (replayed)'

    def __init__(self, warps):
        self.warps = np.asarray(warps, np.float64)
        self.index = 0

    def apply(self, raw_frame=None, detections=None) -> np.ndarray:
        warp = self.warps[self.index]
        self.index += 1
        return warp

    def reset_params(self) -> None:
        self.index = 0


def _frame_shape(sequence) -> tuple:
    return sequence.frame(0).shape[:2]


class ModelTrack:
    """``model.track(persist=True)`` with ``tracker=<yaml>``, replayed on cached detections."""

    def __init__(self, yaml_name: str, overrides: dict = None):
        self.yaml_name = yaml_name
        self.overrides = dict(overrides or {})   # YAML settings changed (not out of the box)

    def _tracker(self):
        from ultralytics.trackers.track import TRACKER_MAP
        from ultralytics.utils import IterableSimpleNamespace, YAML
        from ultralytics.utils.checks import check_yaml
        config = IterableSimpleNamespace(**YAML.load(check_yaml(self.yaml_name)))
        config.device = 'cpu'
        for name, value in self.overrides.items():
            setattr(config, name, value)
        return TRACKER_MAP[config.tracker_type](args=config)

    def run(self, sequence, features=None) -> list:
        """
        Return one FrameOutput per frame of ``sequence``.

        ``features`` (one (N, C) array per frame, a row per cached detection) are the
        detector's own features that ``model.track`` hands BoT-SORT with ``with_reid`` and
        ``model: auto``.
        """
        from ultralytics.engine.results import Boxes
        tracker = self._tracker()
        if hasattr(tracker, 'gmc') and tracker.gmc.method is not None:
            tracker.gmc = _ReplayedMotion(sequence.warps)
        shape = _frame_shape(sequence)
        image = np.zeros(shape + (3,), np.uint8)   # stands in for the frame: GMC is replayed
        outputs = []
        for index, detections in enumerate(sequence.detections):
            keep = detections.scores >= MODEL_TRACK_CONF
            data = np.concatenate([detections.boxes[keep], detections.scores[keep, None],
                                   np.zeros((int(keep.sum()), 1), np.float32)], axis=1)
            kept_features = None if features is None else features[index][keep]
            tracks = tracker.update(Boxes(data.astype(np.float32), shape), image, kept_features)
            if len(tracks) == 0:
                outputs.append(EMPTY)
                continue
            boxes = np.asarray(tracks[:, :4], np.float64)
            boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, shape[1])   # Results.update clips
            boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, shape[0])
            outputs.append(FrameOutput([int(i) for i in tracks[:, 4]], boxes))
        return outputs


class Boxmot:
    """boxmot's OC-SORT or ByteTrack, default settings, no re-ID, on detections at 0.1."""

    def __init__(self, name: str):
        self.name = name

    def run(self, sequence) -> list:
        """Return one FrameOutput per frame of ``sequence``."""
        from boxmot import ByteTrack, OcSort
        tracker = {'ocsort': OcSort, 'bytetrack': ByteTrack}[self.name]()
        blank = np.zeros(_frame_shape(sequence) + (3,), np.uint8)
        outputs = []
        for detections in sequence.detections:
            keep = detections.scores >= MODEL_TRACK_CONF
            data = np.concatenate([detections.boxes[keep], detections.scores[keep, None],
                                   np.zeros((int(keep.sum()), 1), np.float32)], axis=1)
            tracks = np.asarray(tracker.update(data.astype(np.float32), blank))
            if tracks.size == 0:
                outputs.append(EMPTY)
                continue
            outputs.append(FrameOutput([int(i) for i in tracks[:, 4]],
                                       np.asarray(tracks[:, :4], np.float64)))
        return outputs
