# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Check the re-ID that needs no extra weights: the pose model's own features per detection.

Ultralytics 8.4's BoT-SORT, with ``with_reid: True`` and ``model: auto``, takes each kept
detection's feature vector from the input of the model's Detect (here Pose) head, at the
anchor the detection came from (``ultralytics/trackers/track.py`` hooks the head;
``DetectionPredictor.get_obj_feats`` picks the rows). This script takes the same vectors for
the cached detections and asks two questions, on one split:

1. **How well do they tell people apart?** For confident detections named after a true
   person (as ``truth_labeller`` names them), pairs 1 to 60 frames apart, the ROC AUC of
   "same person" against the cosine similarity of the features, and against the colour
   similarity of the ``pose`` tracker's keypoint-guided signature (``appearance.py``).
2. **Does BoT-SORT track better with them?** ``model.track`` with botsort.yaml as shipped,
   and with ``with_reid: True`` (``model: auto``), replayed on the same detections, scored
   by motmetrics and trackeval.

The features exist only where the PyTorch model runs: an exported model (.onnx, OpenVINO,
.engine) has no hook on its head. From the repository root, in the bench venv with
``install/setup.bash`` sourced, after ``bench/tracking_detections.py``::

    .venv-bench/bin/python bench/detector_features.py --split tuning

The frames are rendered again (the cache keeps JPEGs, on which the model finds other boxes)
and each cached detection takes the features of the box found again that overlaps it most
(the count below ``SAME_BOX`` IoU is printed); they are cached next to the detections
(``<sequence>.features.npz``).
"""

import argparse

from baseline_trackers import ModelTrack
import mot_metrics
import numpy as np
from pose_ros.pose_estimator import detections_from_result
from pose_ros.tracking import appearance, TrackerConfig
from pose_ros.tracking.pose_similarity import iou_matrix
import scene_generator as generator
from scipy.stats import mannwhitneyu
from tracking_detections import CACHE, cache_key, DEFAULT_MODEL, estimator, IMGSZ, load, \
    resolve_model_path, scene_inputs
from tracking_eval import CONF
from truth_labeller import truth_names

MAX_FRAMES_APART = 60       # pairs are 1 to this many frames apart (2 s at 30 fps)
PARTNERS = 20               # later detections drawn per detection
SEED = 0
FEATURES = 64           # yolo11n-pose: the narrowest head input (P3) has 64 channels
SAME_BOX = 0.9           # a box found again at least this close to the cached one is it


def features_path(name: str):
    """Return the cache file of the features of sequence ``name``."""
    return CACHE / f'{name}.features.npz'


class FeatureTaker:
    """Runs the node's estimator with the hook ``model.track`` puts on the head for re-ID."""

    def __init__(self, model):
        self.model = model
        model.predict(np.zeros((generator.HEIGHT, generator.WIDTH, 3), np.uint8))
        predictor = model.model.predictor
        head = predictor.model.model.model[-1]

        def keep_head_input(module, inputs):
            predictor._feats = list(inputs[0])   # what track.py's pre-hook stores

        head.register_forward_pre_hook(keep_head_input)

    def __call__(self, frame: np.ndarray) -> tuple:
        """Return (detections, (N, C) features) of one frame."""
        result = self.model.model.predict(frame, **self.model.predict_kwargs())[0]
        features = getattr(result, 'feats', None)
        detections = detections_from_result(result)
        if features is None or len(features) == 0:
            return detections, np.zeros((len(detections), FEATURES), np.float32)
        return detections, features.cpu().numpy().astype(np.float32).reshape(-1, FEATURES)


def cached_features(split: str, key: str) -> dict:
    """Return {sequence: [(N, C) features per frame]}, computing the ones not cached."""
    taker, cutouts, background, found = None, None, None, {}
    for scene in generator.scenes(split):
        sequence = load(scene.name, key)
        if sequence is None:
            raise SystemExit(f'{scene.name} is not cached: run bench/tracking_detections.py')
        path = features_path(scene.name)
        if path.exists():
            data = np.load(path)
            if str(data['key']) == key:
                offsets = data['offsets']
                found[scene.name] = [data['features'][a:b]
                                     for a, b in zip(offsets[:-1], offsets[1:])]
                continue
        if taker is None:
            model = estimator(IMGSZ)
            taker = FeatureTaker(model)
            cutouts, background = scene_inputs(model)
        renderer = generator.Renderer(scene, cutouts, background)
        frames, loose = [], 0
        for index, cached in enumerate(sequence.detections):
            detections, features = taker(renderer.render(index)[0])
            aligned, overlap = _aligned(cached.boxes, detections.boxes, features)
            loose += int(np.sum(overlap < SAME_BOX))
            frames.append(aligned)
        np.savez_compressed(path, key=np.array(key), features=np.concatenate(frames),
                            offsets=np.cumsum([0] + [len(f) for f in frames]))
        found[scene.name] = frames
        print(f'{scene.name}: features cached; {loose} of '
              f'{sum(len(d) for d in sequence.detections)} detections found again with '
              f'IoU below {SAME_BOX}', flush=True)
    return found


def _aligned(cached_boxes, boxes, features) -> tuple:
    """
    Return one feature row per cached box, from the box found again that overlaps it most.

    The same frame gives boxes a few hundredths of a pixel off the cached ones (other CPU
    threads, other kernels), so they are paired by IoU; also returned, per cached box.
    """
    if len(cached_boxes) == 0 or len(boxes) == 0:   # none found again: a neutral row
        return np.ones((len(cached_boxes), FEATURES), np.float32), np.zeros(len(cached_boxes))
    overlap = iou_matrix(cached_boxes, boxes)
    best = overlap.argmax(axis=1)
    return features[best], overlap[np.arange(len(best)), best]


def named_detections(sequence, features: list) -> list:
    """Return (frame, person, feature, colours, part counts) of each named confident detection."""
    threshold = TrackerConfig().keypoint_threshold
    named = []
    for index, (detections, truth) in enumerate(zip(sequence.detections, sequence.truth)):
        sure = np.flatnonzero(detections.scores >= CONF)
        if sure.size == 0:
            continue
        colours, counts = appearance.signatures(sequence.frame(index), detections.boxes[sure],
                                                detections.keypoints[sure], threshold)
        for row, (detection, name) in enumerate(
                zip(sure, truth_names(truth, detections.boxes[sure]))):
            if name is not None:
                named.append((index, name, features[index][detection], colours[row],
                              counts[row]))
    return named


def pair_scores(named: list, rng) -> np.ndarray:
    """Return rows (same person, feature cosine, colour similarity) of sampled pairs."""
    rows = []
    frames = np.array([n[0] for n in named])
    for frame, person, feature, colours, counts in named:
        later = np.flatnonzero((frames > frame) & (frames <= frame + MAX_FRAMES_APART))
        for other in rng.choice(later, size=min(PARTNERS, later.size), replace=False):
            _, other_person, other_feature, other_colours, other_counts = named[other]
            cosine = float(feature @ other_feature) / max(
                1e-12, float(np.linalg.norm(feature) * np.linalg.norm(other_feature)))
            colour = appearance.similarity(colours[None], counts[None], other_colours[None],
                                           other_counts[None])[0, 0]
            rows.append((person == other_person, cosine, colour))
    return np.array(rows, np.float64).reshape(-1, 3)


def auc(same: np.ndarray, score: np.ndarray) -> float:
    """Return the ROC AUC of ``score`` for ``same`` (the Mann-Whitney U over both counts)."""
    positive, negative = score[same], score[~same]
    return mannwhitneyu(positive, negative).statistic / (positive.size * negative.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--split', choices=('tuning', 'report'), default='tuning')
    args = parser.parse_args()
    key = cache_key(resolve_model_path(DEFAULT_MODEL), IMGSZ)
    features = cached_features(args.split, key)
    rng = np.random.default_rng(SEED)
    pairs, trackers = [], {'botsort.yaml as shipped': ModelTrack('botsort.yaml'),
                           'botsort.yaml, with_reid: True (model: auto)':
                           ModelTrack('botsort.yaml', {'with_reid': True, 'model': 'auto'})}
    scored = {label: ([], []) for label in trackers}
    for name, sequence_features in features.items():
        sequence = load(name, key)
        pairs.append(pair_scores(named_detections(sequence, sequence_features), rng))
        for label, tracker in trackers.items():
            accumulator, hota = mot_metrics.accumulate(
                sequence.truth, tracker.run(sequence, sequence_features))
            scored[label][0].append(accumulator)
            scored[label][1].append(hota)
    pairs = np.concatenate(pairs)
    same = pairs[:, 0] == 1
    comparable = ~np.isnan(pairs[:, 2])
    print(f'{args.split} split, {len(features)} sequences: {len(pairs)} pairs of named '
          f'detections 1 to {MAX_FRAMES_APART} frames apart, {same.mean():.0%} of one person; '
          f'{comparable.mean():.0%} show two body parts in common (colour comparable)')
    print('| who is who, ROC AUC | all pairs | pairs whose colours compare |\n|---|---|---|')
    print(f"| the model's own features (cosine) | {auc(same, pairs[:, 1]):.3f} | "
          f'{auc(same[comparable], pairs[comparable, 1]):.3f} |')
    print(f'| the `pose` colour signature | — | '
          f'{auc(same[comparable], pairs[comparable, 2]):.3f} |')
    print('\n| model.track | identity switches | misses | MOTA | IDF1 | HOTA |\n'
          '|---|---|---|---|---|---|')
    for label, (mot, hota) in scored.items():
        print(mot_metrics.markdown_row(label, mot, hota,
                                       ('num_switches', 'num_misses', 'mota', 'idf1', 'hota')))


if __name__ == '__main__':
    main()
