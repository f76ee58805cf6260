# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
An analysis, not a tracker: the default ``pose`` tracker with the truth forbidding pairs.

Each frame, every confident detection is named after the true person it covers best (as
``truth_labeller`` does; a fragment or a merged box may cover no one), or with ``--names
skeleton`` after the person whose keypoints it shows, and every track after the detection
it last took. The tracker then runs unchanged, except that the truth sets the
pose score of some (track, detection) pairs to 0, so the assignment cannot make them:

- ``every wrong pair``: a pair unless both are named after the same person;
- ``two people``: a track of one person and a detection of another;
- ``fragments``: a detection named after no one, and a track born on one.

The identity switches that remain say how many of the default's come from which decisions
(re-identification by colour is left as it is). A last row forbids nothing but gives the
tracker a perfect appearance instead of its colours: 1 for a track and a detection named
after the same person, 0 for two people (the colours where either is named after no one),
weighted ``TRUTH_APPEARANCE_WEIGHT``, so re-identification is never wrong either: how far
the appearance lever can go. From the repository root, in the bench venv
with ``install/setup.bash`` sourced, after ``bench/tracking_detections.py``::

    .venv-bench/bin/python bench/association_oracle.py --split report [--names skeleton]
"""

import argparse
import dataclasses

import mot_metrics
import numpy as np
from pose_ros.tracking import pose_tracker, TrackerConfig
import scene_generator as generator
from tracking_detections import load
from tracking_eval import CONF, STAMP_ZERO
from truth_labeller import detection_names

NO_ONE = -1        # a detection that covers no true person, or a track born on one
VETOES = {
    'none (the default as it is)': lambda track, detection: np.zeros(
        np.broadcast(track, detection).shape, bool),
    'every wrong pair': lambda track, detection: (track != detection) | (detection == NO_ONE),
    'two people': lambda track, detection: (track != detection) & (track != NO_ONE)
    & (detection != NO_ONE),
    'fragments': lambda track, detection: (track == NO_ONE) | (detection == NO_ONE),
}
TRUTH_APPEARANCE = 'none, with the truth as the appearance'
# Chosen on the tuning split, named by skeleton: 0.3, 0.5, 0.7 and 0.9 gave 90, 75, 75, 75.
TRUTH_APPEARANCE_WEIGHT = 0.5


class VetoedPoseTracker(pose_tracker.PoseTracker):
    """The pose tracker, with the truth setting the pose score of vetoed pairs to 0."""

    def __init__(self, config, veto, truth_appearance=False):
        super().__init__(config)
        self.veto = veto
        self.truth_appearance = truth_appearance
        self.names = np.zeros(0, int)   # the true person of each detection of this frame

    def similarity(self, detections, stamp, predicted=None):
        score = super().similarity(detections, stamp, predicted)
        names = np.full(len(detections), NO_ONE)
        names[:len(self.names)] = self.names
        return np.where(self.veto(self._track_names()[:, None], names[None, :]), 0.0, score)

    def _appearance(self, colours, parts):
        looks = super()._appearance(colours, parts)
        if not self.truth_appearance:
            return looks
        tracks = self._track_names()[:, None]
        names = self.names[None, :looks.shape[1]]
        known = (tracks != NO_ONE) & (names != NO_ONE)
        return np.where(known, (tracks == names).astype(float), looks)

    def _track_names(self) -> np.ndarray:
        """Return the true person of each track (the name of the detection it last took)."""
        return np.array([track.truth for track in self._tracks])

    def update(self, detections, stamp, image=None, faint=None):
        persons = super().update(detections, stamp, image, faint)
        by_id = {track.track_id: track for track in self._tracks}
        for name, person in zip(self.names, persons):
            by_id[person.track_id].truth = int(name)
        return persons


def run(sequence, frames, veto, by='box', truth_appearance=False) -> list:
    """Return the FrameOutputs of the vetoed default tracker on one cached sequence."""
    config = TrackerConfig(frame_rate=sequence.fps)
    if truth_appearance:
        config = dataclasses.replace(config, appearance_weight=TRUTH_APPEARANCE_WEIGHT)
    tracker = VetoedPoseTracker(config, veto, truth_appearance)
    outputs = []
    for index, (detections, truth) in enumerate(zip(sequence.detections, sequence.truth)):
        sure = detections.scores >= CONF
        confident = type(detections)(detections.boxes[sure], detections.scores[sure],
                                     detections.keypoints[sure])
        names = detection_names(truth, confident.boxes, confident.keypoints, by)
        tracker.names = np.array([NO_ONE if name is None else name for name in names], int)
        persons = tracker.update(confident, STAMP_ZERO + index / sequence.fps,
                                 image=frames[index])
        outputs.append(mot_metrics.FrameOutput([p.track_id for p in persons],
                                               np.array([p.box for p in persons])))
    return outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--split', choices=('tuning', 'report'), default='tuning')
    parser.add_argument('--names', choices=('box', 'skeleton'), default='box',
                        help='name detections after the box or the skeleton (truth_labeller)')
    args = parser.parse_args()
    rows = {label: (veto, False) for label, veto in VETOES.items()}
    rows[TRUTH_APPEARANCE] = (VETOES['none (the default as it is)'], True)
    accumulators = {label: ([], []) for label in rows}
    for scene in generator.scenes(args.split):
        sequence = load(scene.name)
        frames = [sequence.frame(i) for i in range(len(sequence))]
        for label, (veto, truth_appearance) in rows.items():
            accumulator, hota = mot_metrics.accumulate(
                sequence.truth, run(sequence, frames, veto, args.names, truth_appearance))
            accumulators[label][0].append(accumulator)
            accumulators[label][1].append(hota)
    print(f'| pairs the truth forbids ({args.split} split, named by {args.names}) | '
          'identity switches | misses | '
          'IDF1 |\n|---|---|---|---|')
    for label, (mot, hota) in accumulators.items():
        print(mot_metrics.markdown_row(label, mot, hota, ('num_switches', 'num_misses', 'idf1')))


if __name__ == '__main__':
    main()
