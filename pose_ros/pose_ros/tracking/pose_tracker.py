# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The pose-aware tracker (``tracker: pose``): pose, motion, appearance and occlusion.

Each track predicts where its person is now from a constant velocity fitted to its recent
history (image stamps, not frame counts). Per frame, in this order:

1. **Pose and motion.** Confident detections are assigned to tracks by one Hungarian
   assignment on a score that mixes OKS of the keypoints with IoU of the boxes, against the
   prediction; the OKS tolerance widens the longer a track has been unseen. Where the image
   is given, the keypoint-guided colour signature (``appearance``) is blended in with weight
   ``appearance_weight``, so two people who overlap are told apart by their clothes. Lost and
   young tracks pay ``LATER_PENALTY`` against established ones seen in the previous frame.
2. **Partial duplicates and merged boxes.** A partly hidden person sometimes yields a second,
   partial detection inside the full one, with the same keypoints. Such a duplicate may
   continue a track seen in the previous frame; it may revive a lost track only if the
   detection it lies in kept its track (it is then the visible part of someone behind that
   person) and it fits well. But when a track seen in the previous frame fits the nested
   detection best, the roles swap: the nested one is that person, and the larger box merges
   them with someone near; it is assigned after the whole detections, to any track.
3. **Low-score detections** (``faint``, below the publishing threshold) may continue a track
   left unmatched, as in ByteTrack: a person half hidden or in shadow keeps the id. They never
   start a track and are never published.
4. **Re-identification.** A track lost for a while (its person turned back while hidden, or
   stopped) may take an unmatched confident detection whose colours match and which stands
   within reach of where the person was last seen or is predicted, at a similar size.
5. **New tracks** for the remaining confident detections, published at once with a new id.
6. **Occlusion.** An unmatched track whose predicted box lies behind a nearer person, or
   inside the picture (people leave through its edges, not in the middle), is hidden, not
   gone: it survives ``occluded_max_age`` frames instead of ``max_age``.
"""

from typing import NamedTuple

import numpy as np
from pose_ros.pose_types import PoseDetections, TrackedPerson
from pose_ros.tracking import appearance
from pose_ros.tracking.pose_similarity import box_areas, intersections, iou_matrix, oks_matrix
from pose_ros.tracking.track_motion import box_centre, TrackMotion
from pose_ros.tracking.tracker_base import IdAllocator, Tracker
from scipy.optimize import linear_sum_assignment

OKS_WEIGHT = 0.5            # share of OKS in the pose score; the rest is box IoU
MIN_SHARED_KEYPOINTS = 3    # fewer keypoints seen by both: compare the boxes only
SCALE_GROWTH_PER_FRAME = 0.1   # OKS scale grows by this fraction per unseen frame ...
MAX_SCALE_GROWTH = 2.0          # ... up to this factor
STAMP_JUMP_BACK = 1.0       # seconds the stamp may go back before tracks are dropped
DUPLICATE_INSIDE = 0.8      # a duplicate lies this much inside a larger detection ...
DUPLICATE_OKS = 0.5         # ... and shows the same keypoints, at least this similar
NEUTRAL_APPEARANCE = 0.5    # appearance score where it cannot be compared
SIGNATURE_RATE = 0.1        # share of a new observation in a track's colours
LOW_SCORE_MATCH = 0.5       # least pose score for a low-score detection to continue a track
REID_APPEARANCE = 0.75      # least appearance similarity to re-identify a lost track
REID_REACH = 1.0            # re-identification reach, in person heights from the track
REID_SCALE = 1.35           # largest height ratio between a lost track and its detection
HIDDEN_COVER = 0.5          # share of a predicted box a nearer person must cover to hide it
EDGE_MARGIN = 0.02          # a predicted box this close (of the image size) to an edge: left
# Motion score: how near a detection's centre is to the predicted one, in person heights.
MOTION_SIGMA = 0.2          # spread for a track whose velocity is known ...
YOUNG_SIGMA = 0.35          # ... plus this while it has fewer than YOUNG_HITS matches
YOUNG_HITS = 2
MOTION_GROWTH = 0.04        # ... plus this per unseen frame, up to MAX_MOTION_SIGMA
MAX_MOTION_SIGMA = 0.6
SIZE_SIGMA = 0.25           # spread of the log height ratio
MOTION_SHARE = 0.8          # the motion score counts this much against the pose score
LATER_PENALTY = 0.25        # score a lost or young track pays against an established one
DUPLICATE_REVIVE = 0.5      # least pose score for a partial duplicate to revive a lost track


def partial_duplicates(detections, keypoint_threshold: float) -> np.ndarray:
    """Return a mask of the detections that repeat part of a larger detection."""
    return np.any(containers(detections, keypoint_threshold), axis=0)


def containers(detections, keypoint_threshold: float) -> np.ndarray:
    """Return the (N, N) mask [i, j]: detection j repeats part of the larger detection i."""
    overlap, areas, _ = intersections(detections.boxes, detections.boxes)
    inside = (overlap >= DUPLICATE_INSIDE * areas[None, :]) \
        & (areas[:, None] > areas[None, :])                  # [i, j]: j lies inside i
    rows, columns = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    if rows.size == 0:
        return inside
    oks, shared = oks_matrix(detections.keypoints[rows], detections.keypoints[columns],
                             areas[rows], keypoint_threshold)
    same_pose = np.zeros_like(inside)
    same_pose[np.ix_(rows, columns)] = (oks >= DUPLICATE_OKS) & (shared >= MIN_SHARED_KEYPOINTS)
    return inside & same_pose


def _subset(detections, mask) -> PoseDetections:
    return PoseDetections(detections.boxes[mask], detections.scores[mask],
                          detections.keypoints[mask])


def _joined(first, second) -> PoseDetections:
    if len(second) == 0:
        return first
    return PoseDetections(
        np.concatenate([first.boxes, second.boxes]).reshape(-1, 4),
        np.concatenate([first.scores, second.scores]).reshape(-1),
        np.concatenate([first.keypoints, second.keypoints]).reshape(-1, 17, 3))


class Prediction(NamedTuple):
    """Every track at a frame's stamp, before it is matched: one row per track."""

    boxes: np.ndarray        # (T, 4) predicted boxes
    keypoints: np.ndarray    # (T, 17, 3) predicted keypoints
    last_seen: np.ndarray    # (T,) stamps of the last match
    young: np.ndarray        # (T,) fewer than YOUNG_HITS matches


class PoseTrack:
    """One person's track: identity, last observation, motion and appearance."""

    def __init__(self, track_id: int, stamp: float, box, keypoints, motion: TrackMotion):
        self.track_id = track_id
        self.hits = 0
        self.confirmed = False
        self.motion = motion
        self.signature = appearance.Signature(SIGNATURE_RATE)
        self.box = None
        self.keypoints = None
        self.last_seen = stamp
        self.hidden = False          # unseen since it went behind someone, or mid-picture
        self.published_keypoints = None
        self.observe(stamp, box, keypoints)

    def observe(self, stamp: float, box, keypoints) -> None:
        """Take the detection matched to this track at ``stamp``."""
        self.box = np.array(box, np.float64)
        self.keypoints = np.array(keypoints, np.float64)
        self.last_seen = stamp
        self.hidden = False
        self.hits += 1
        self.published_keypoints = self.motion.add(stamp, box, keypoints)


class PoseTracker(Tracker):
    """Tracks persons by keypoints, boxes, motion and colours; see the module docstring."""

    def __init__(self, config):
        self.config = config
        self._ids = IdAllocator()
        self._tracks = []
        self._last_stamp = None
        self._previous_stamp = None
        # Unseen for max_age frames the track may still match in the next one; half a frame
        # of slack absorbs stamp jitter.
        self._max_unseen = (config.max_age + 1.5) / config.frame_rate
        self._max_hidden = (max(config.max_age, config.occluded_max_age) + 1.5) \
            / config.frame_rate

    def reset(self) -> None:
        """Forget all tracks; ids keep counting up."""
        self._tracks = []
        self._last_stamp = None
        self._previous_stamp = None

    @property
    def tracks(self) -> list:
        """Return every live track: tentative, confirmed, and unseen but not yet removed."""
        return list(self._tracks)

    def update(self, detections, stamp: float, image=None, faint=None) -> list:
        """
        Return a TrackedPerson per detection, in detection order.

        ``image`` (the BGR frame) enables appearance and tells where the picture ends;
        ``faint`` holds detections below the publishing threshold, which may only continue
        existing tracks and are not returned.
        """
        stamp = float(stamp)
        if self._last_stamp is not None and stamp < self._last_stamp - STAMP_JUMP_BACK:
            self.reset()   # time went back (a replay restarted): old tracks mean nothing
        self._last_stamp = stamp if self._last_stamp is None else max(stamp, self._last_stamp)
        self._tracks = [t for t in self._tracks if stamp - t.last_seen <= (
            self._max_hidden if t.hidden else self._max_unseen)]
        previous_stamp, self._previous_stamp = self._previous_stamp, stamp

        count = len(detections)
        faint = self._usable_faint(detections, faint)
        colours, parts = self._signatures(image, detections, faint)
        predicted = self._predict_all(stamp)   # unmatched tracks keep these all frame long
        assigned = [None] * count
        for track_index, detection_index in self._match(detections, faint, colours, parts,
                                                        stamp, previous_stamp, predicted):
            track = self._tracks[track_index]
            if detection_index < count:
                track.observe(stamp, detections.boxes[detection_index],
                              detections.keypoints[detection_index])
                assigned[detection_index] = track
            else:
                index = detection_index - count
                track.observe(stamp, faint.boxes[index], faint.keypoints[index])
        for index in range(count):
            if assigned[index] is None:
                track = PoseTrack(self._ids.next_id(), stamp, detections.boxes[index],
                                  detections.keypoints[index],
                                  TrackMotion.from_config(self.config))
                self._tracks.append(track)
                assigned[index] = track
        if colours is not None and count:
            appearance.update_signatures([t.signature for t in assigned], colours[:count],
                                         parts[:count])
        for track in assigned:
            track.confirmed = track.confirmed or track.hits >= self.config.min_hits
        self._mark_hidden(detections, stamp, image, predicted.boxes)

        return [TrackedPerson(track_id=track.track_id, confirmed=track.confirmed,
                              score=float(detections.scores[i]),
                              box=np.asarray(detections.boxes[i], np.float32).copy(),
                              keypoints=track.published_keypoints.copy(),
                              velocity=track.motion.velocity_tuple)
                for i, track in enumerate(assigned)]

    # -- pieces of update() ---------------------------------------------------------------
    def _usable_faint(self, detections, faint) -> PoseDetections:
        """Return the faint detections that are not just a part of a confident one."""
        if faint is None or len(faint) == 0 or not self._tracks:
            return PoseDetections.empty()
        if len(detections) == 0:
            return faint
        joined = _joined(detections, faint)
        duplicate = partial_duplicates(joined, self.config.keypoint_threshold)[len(detections):]
        overlapping = iou_matrix(faint.boxes, detections.boxes).max(axis=1) >= 0.7
        return _subset(faint, ~(duplicate | overlapping))

    def _signatures(self, image, detections, faint) -> tuple:
        """Return (colours, part counts) of confident then faint detections, or (None, None)."""
        if image is None or self.config.appearance_weight <= 0:
            return None, None
        joined = _joined(detections, faint)
        return appearance.signatures(image, joined.boxes, joined.keypoints,
                                     self.config.keypoint_threshold)

    def _predict_all(self, stamp: float) -> Prediction:
        """Return every track predicted to ``stamp`` at its constant velocity."""
        if not self._tracks:
            return Prediction(np.zeros((0, 4)), np.zeros((0, 17, 3)), np.zeros(0),
                              np.zeros(0, bool))
        last_seen = np.array([t.last_seen for t in self._tracks])
        shift = np.array([t.motion.velocity for t in self._tracks]) \
            * np.maximum(0.0, stamp - last_seen)[:, None]
        boxes = np.array([t.box for t in self._tracks]) + np.concatenate([shift, shift], axis=1)
        keypoints = np.array([t.keypoints for t in self._tracks])
        keypoints[:, :, :2] += shift[:, None, :]
        young = np.array([t.hits < YOUNG_HITS for t in self._tracks])
        return Prediction(boxes, keypoints, last_seen, young)

    def similarity(self, detections, stamp: float, predicted=None) -> np.ndarray:
        """Return the (tracks, detections) pose-and-motion score in [0, 1] at ``stamp``."""
        predicted = predicted or self._predict_all(stamp)
        boxes = predicted.boxes
        unseen_frames = np.maximum(
            0.0, (stamp - predicted.last_seen) * self.config.frame_rate - 1)
        growth = np.minimum(1.0 + SCALE_GROWTH_PER_FRAME * unseen_frames, MAX_SCALE_GROWTH)
        areas = box_areas(boxes) * growth ** 2
        oks, shared = oks_matrix(predicted.keypoints, detections.keypoints, areas,
                                 self.config.keypoint_threshold)
        iou = iou_matrix(boxes, detections.boxes)
        mixed = OKS_WEIGHT * oks + (1.0 - OKS_WEIGHT) * iou
        pose = np.where(shared >= MIN_SHARED_KEYPOINTS, mixed, iou)
        return np.maximum(pose, MOTION_SHARE * self._motion_score(
            boxes, detections.boxes, unseen_frames, predicted.young))

    def _motion_score(self, predicted, boxes, unseen_frames, young) -> np.ndarray:
        """Return how well detection centres and heights fit the predicted boxes, in [0, 1]."""
        heights = np.maximum(predicted[:, 3] - predicted[:, 1], 1.0)
        found = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
        centres = (predicted[:, :2] + predicted[:, 2:]) / 2
        found_centres = (boxes[:, :2] + boxes[:, 2:]) / 2
        distance = np.linalg.norm(centres[:, None] - found_centres[None], axis=-1) \
            / heights[:, None]
        sigma = np.minimum(MOTION_SIGMA + YOUNG_SIGMA * young + MOTION_GROWTH * unseen_frames,
                           MAX_MOTION_SIGMA)
        size = np.log(found[None, :] / heights[:, None]) / SIZE_SIGMA
        return np.exp(-0.5 * ((distance / sigma[:, None]) ** 2 + size ** 2))

    def _appearance(self, colours, parts) -> np.ndarray:
        """Return the (tracks, detections) appearance similarity, NaN where unknown."""
        track_colours = np.array([t.signature.colours for t in self._tracks])
        track_parts = np.array([t.signature.counts for t in self._tracks])
        return appearance.similarity(track_colours, track_parts, colours, parts)

    def _match(self, detections, faint, colours, parts, stamp, previous_stamp,
               predicted) -> list:
        """Return (track index, detection index) pairs; faint ones are numbered after."""
        count = len(detections)
        if not self._tracks or count + len(faint) == 0:
            return []
        joined = _joined(detections, faint)
        pose = self.similarity(joined, stamp, predicted)
        looks = None if colours is None else self._appearance(colours, parts)
        score = pose
        if looks is not None:
            weight = self.config.appearance_weight
            score = (1 - weight) * pose + weight * np.where(np.isnan(looks),
                                                            NEUTRAL_APPEARANCE, looks)
        allowed = pose >= self.config.match_threshold
        contains = containers(detections, self.config.keypoint_threshold)
        seen_last = predicted.last_seen == previous_stamp
        duplicate, merged = self._nested_roles(contains, score[:, :count], allowed[:, :count],
                                               seen_last)
        # One assignment of every track to the whole detections, in which a track not seen
        # in the last frame as an established one (lost or young) pays LATER_PENALTY: it
        # takes a detection from the person it belongs to only if it fits clearly better.
        later = ~seen_last | predicted.young
        score = score - LATER_PENALTY * later[:, None]
        pairs = self._assign(score, allowed, np.arange(len(self._tracks)),
                             np.flatnonzero(~duplicate))
        pairs += self._assign(score, allowed, self._free(pairs, seen_last),
                              np.flatnonzero(duplicate))
        # A box that merged a tracked person with someone else may still continue any track.
        taken_detections = {d for _, d in pairs}
        pairs += self._assign(score, allowed, self._free(pairs),
                              np.array([d for d in merged if d not in taken_detections], int))
        # A partial duplicate left over, inside a person who kept a track, is the visible
        # part of someone behind them: it may revive a lost track that it fits well.
        taken_detections = {d for _, d in pairs}
        behind = [d for d in np.flatnonzero(duplicate) if d not in taken_detections
                  and taken_detections.intersection(np.flatnonzero(contains[:, d]))]
        pairs += self._assign(score, pose >= DUPLICATE_REVIVE, self._free(pairs),
                              np.array(behind, int))
        if len(faint):
            pairs += self._assign(score, pose >= LOW_SCORE_MATCH, self._free(pairs),
                                  np.arange(count, count + len(faint)))
        if looks is not None:
            pairs += self._reidentify(joined, count, looks, pairs, stamp, predicted.boxes)
        return pairs

    def _free(self, pairs, among=None) -> np.ndarray:
        """Return the indices of the tracks no pair has taken (only those ``among`` marks)."""
        taken = {t for t, _ in pairs}
        return np.array([i for i in range(len(self._tracks))
                         if i not in taken and (among is None or among[i])], int)

    def _nested_roles(self, contains, score, allowed, seen_last) -> tuple:
        """
        Return (duplicate mask, merged indices) of the confident detections.

        A detection nested in a larger one with the same keypoints is usually part of that
        person: a duplicate, assigned after the whole detections. But when a track seen in the
        previous frame fits the nested detection best, the nested one is that person and the
        larger box merges them with someone near: the roles swap, and the merged box is
        assigned after the whole detections instead.
        """
        duplicate = np.any(contains, axis=0)
        if not duplicate.any():
            return duplicate, []
        if not seen_last.any():
            return duplicate, []
        merged = set()
        fits = np.where(allowed, score, -np.inf)[seen_last]
        best = np.argmax(fits, axis=1)
        for track, detection in enumerate(best):
            if duplicate[detection] and np.isfinite(fits[track, detection]):
                duplicate[detection] = False
                merged.update(np.flatnonzero(contains[:, detection]).tolist())
        duplicate[list(merged)] = True
        return duplicate, sorted(merged)

    def _reidentify(self, joined, count, looks, pairs, stamp, predicted_boxes) -> list:
        """Return pairs of lost tracks and confident detections that look like them."""
        taken_tracks = {t for t, _ in pairs}
        taken_detections = {d for _, d in pairs}
        frame = 1.0 / self.config.frame_rate
        lost = np.array([i for i, t in enumerate(self._tracks) if i not in taken_tracks
                         and stamp - t.last_seen > 1.5 * frame], int)
        confident = np.array([d for d in range(count) if d not in taken_detections], int)
        if lost.size == 0 or confident.size == 0:
            return []
        heights = joined.boxes[:, 3] - joined.boxes[:, 1]
        centres = np.stack([box_centre(b) for b in joined.boxes])
        reachable = np.zeros((len(self._tracks), len(joined)), bool)
        for i in lost:
            track = self._tracks[i]
            height = max(1.0, track.box[3] - track.box[1])
            ratio = heights / height
            near = np.minimum(
                np.linalg.norm(centres - box_centre(track.box), axis=1),
                np.linalg.norm(centres - box_centre(predicted_boxes[i]), axis=1))
            reachable[i] = ((near <= REID_REACH * height) & (ratio <= REID_SCALE)
                            & (ratio >= 1 / REID_SCALE))
        known = np.where(np.isnan(looks), 0.0, looks)
        return self._assign(known, reachable & (known >= REID_APPEARANCE), lost, confident)

    def _assign(self, score, allowed, tracks: np.ndarray, detections: np.ndarray) -> list:
        """Return the Hungarian pairs of ``tracks`` and ``detections`` that are allowed."""
        if tracks.size == 0 or detections.size == 0:
            return []
        sub = score[np.ix_(tracks, detections)]
        ok = allowed[np.ix_(tracks, detections)]
        rows, cols = linear_sum_assignment(np.where(ok, 1.0 - sub, 1e6))
        return [(int(tracks[r]), int(detections[c])) for r, c in zip(rows, cols) if ok[r, c]]

    def _mark_hidden(self, detections, stamp, image, predicted_boxes) -> None:
        """Mark unmatched tracks hidden behind a nearer person or inside the picture."""
        for track, box in zip(self._tracks, predicted_boxes):
            if track.last_seen == stamp or track.hidden:
                continue
            area = max(1e-6, (box[2] - box[0]) * (box[3] - box[1]))
            for other in detections.boxes:
                inter_w = min(box[2], other[2]) - max(box[0], other[0])
                inter_h = min(box[3], other[3]) - max(box[1], other[1])
                if other[3] >= box[3] - 0.05 * (box[3] - box[1]) and inter_w > 0 \
                        and inter_h > 0 and inter_w * inter_h >= HIDDEN_COVER * area:
                    track.hidden = True
                    break
            if not track.hidden and image is not None:
                height, width = image.shape[:2]
                margin = EDGE_MARGIN * max(height, width)
                track.hidden = bool(box[0] > margin and box[2] < width - margin)
