# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Run the pose model once on every frame of the tracking sequences and cache what it found.

Run from the repository root with the venv active and ``install/setup.bash`` sourced::

    python bench/tracking_detections.py                 # tuning, then vtest, then report
    python bench/tracking_detections.py --split tuning  # one split only

For each sequence of ``scene_generator`` (and the first frames of vtest.avi) it renders the
frames, runs yolo11n-pose (CPU, FP32, imgsz 640, rect input: the node's defaults) at
``DETECT_CONF``, below any threshold a tracker uses, and stores one file per sequence under
bench/out/tracking/: the detections, the ground truth, and the camera-motion warps that
Ultralytics' BoT-SORT computes from the images (sparse optical flow), so that the trackers
can later run on the cache alone. The frames themselves are kept too, as JPEG (quality 95),
for the trackers that look at the image (appearance). A file is only recomputed when the scene
code, the model or Ultralytics change, so tracker changes never re-run the detector.
"""

import argparse
import hashlib
import json
import pathlib
import time

import numpy as np
import person_cutouts
from pose_ros.model_loading import DEFAULT_MODEL, resolve_model_path
from pose_ros.pose_types import PoseDetections
import scene_generator as generator

REPO = pathlib.Path(__file__).resolve().parents[1]
CACHE = REPO / 'bench' / 'out' / 'tracking'
VTEST = pathlib.Path('/work/shared/data/vtest.avi')
if not VTEST.exists():
    VTEST = REPO.parent / 'shared' / 'data' / 'vtest.avi'
VTEST_FRAMES = 200
VTEST_FPS = 10.0
VTEST_IMGSZ = 1280    # its pedestrians are ~70 px tall: at 640 the model finds few
DETECT_CONF = 0.05    # every tracker filters from here: ours (0.1), model.track (0.1)
IMGSZ = 640
TRUTH_FIELDS = ('boxes', 'visible_boxes', 'visibility', 'keypoints')


def cache_key(model_path: pathlib.Path, imgsz: int, scenes: bool = True) -> str:
    """Return a digest of everything a cached sequence depends on."""
    import ultralytics
    here = pathlib.Path(__file__).resolve().parent
    parts = {
        'code': [hashlib.sha256((here / f).read_bytes()).hexdigest()
                 for f in ('scene_generator.py', 'person_cutouts.py') if scenes],
        'model': [model_path.name, model_path.stat().st_size],
        'ultralytics': ultralytics.__version__, 'conf': DETECT_CONF, 'imgsz': imgsz,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def sequence_path(name: str) -> pathlib.Path:
    """Return the cache file of sequence ``name``."""
    return CACHE / f'{name}.npz'


class CachedSequence:
    """A sequence's cached detections (PoseDetections per frame), truth and warps."""

    def __init__(self, path: pathlib.Path):
        data = np.load(path, allow_pickle=False)
        self.name = path.stem
        self.key = str(data['key'])
        self.fps = float(data['fps'])
        offsets = data['offsets']
        boxes, scores, keypoints = data['boxes'], data['scores'], data['keypoints']
        self.detections = [PoseDetections(boxes[a:b], scores[a:b], keypoints[a:b])
                           for a, b in zip(offsets[:-1], offsets[1:])]
        self.warps = data['warps']
        self._frames = None
        self.truth = None
        if 'truth_boxes' in data:
            fields = {f: data[f'truth_{f}'] for f in TRUTH_FIELDS}
            count = fields['boxes'].shape[1]
            self.truth = [generator.Truth(np.arange(count),
                                          *(fields[f][i] for f in TRUTH_FIELDS))
                          for i in range(len(self.detections))]

    def __len__(self) -> int:
        return len(self.detections)

    def frame(self, index: int) -> np.ndarray:
        """Return frame ``index`` as BGR (decoded from the cached JPEG)."""
        import cv2
        if self._frames is None:
            data = np.load(frames_path(self.name), allow_pickle=False)
            self._frames = (data['jpeg'], data['offsets'])
        jpeg, offsets = self._frames
        return cv2.imdecode(jpeg[offsets[index]:offsets[index + 1]], cv2.IMREAD_COLOR)


def frames_path(name: str) -> pathlib.Path:
    """Return the cache file of the frames of sequence ``name``."""
    return CACHE / f'{name}.frames.npz'


def load(name: str, key: str = None):
    """Return the CachedSequence ``name``, or None if missing or made under another key."""
    path = sequence_path(name)
    if not path.exists() or not frames_path(name).exists():
        return None
    sequence = CachedSequence(path)
    return sequence if key is None or sequence.key == key else None


def save(name: str, key: str, fps: float, detections: list, warps: list, frames: list,
         truth=None) -> None:
    """Write one sequence's detections, warps and truth, and its frames as JPEG."""
    import cv2
    encoded = [cv2.imencode('.jpg', f, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].reshape(-1)
               for f in frames]
    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = CACHE / f'.{name}.frames.tmp.npz'
    np.savez(temporary, jpeg=np.concatenate(encoded),
             offsets=np.cumsum([0] + [e.size for e in encoded]))
    temporary.replace(frames_path(name))
    arrays = {'key': np.array(key), 'fps': np.array(fps),
              'offsets': np.cumsum([0] + [len(d) for d in detections]),
              'boxes': np.concatenate([d.boxes for d in detections]).reshape(-1, 4),
              'scores': np.concatenate([d.scores for d in detections]).reshape(-1),
              'keypoints': np.concatenate([d.keypoints for d in detections]).reshape(-1, 17, 3),
              'warps': np.array(warps, np.float32).reshape(-1, 2, 3)}
    if truth is not None:
        for field in TRUTH_FIELDS:
            arrays[f'truth_{field}'] = np.stack([getattr(t, field) for t in truth])
    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = CACHE / f'.{name}.tmp.npz'
    np.savez_compressed(temporary, **arrays)
    temporary.replace(sequence_path(name))


def new_gmc():
    """Return Ultralytics' camera-motion estimator as botsort.yaml configures it."""
    from ultralytics.trackers.utils.gmc import GMC
    return GMC(method='sparseOptFlow')


def estimator(imgsz: int):
    """Return the PoseEstimator the node would build at ``imgsz``, detecting at DETECT_CONF."""
    from pose_ros.pose_estimator import PoseEstimator
    made = PoseEstimator(str(resolve_model_path(DEFAULT_MODEL)), device='cpu', half=False,
                         imgsz=imgsz, conf=DETECT_CONF, max_det=300)
    made.warmup()
    return made


def detect_split(split: str, model, key: str, cutouts, background, reverse=False) -> None:
    """Cache every sequence of ``split`` that is not cached under ``key`` yet."""
    for scene in generator.scenes(split)[::-1 if reverse else 1]:
        if load(scene.name, key) is not None:
            continue
        start = time.perf_counter()
        renderer = generator.Renderer(scene, cutouts, background)
        gmc = new_gmc()
        detections, warps, frames, truth = [], [], [], []
        for index in range(scene.frames):
            frame, frame_truth = renderer.render(index)
            detections.append(model.predict(frame))
            warps.append(gmc.apply(frame))
            frames.append(frame)
            truth.append(frame_truth)
        save(scene.name, key, generator.FPS, detections, warps, frames, truth)
        print(f'{scene.name}: {scene.description}; {time.perf_counter() - start:.0f} s',
              flush=True)


def detect_vtest(key: str) -> None:
    """Cache the first VTEST_FRAMES frames of vtest.avi at VTEST_IMGSZ."""
    import cv2
    if load('vtest', key) is not None or not VTEST.exists():
        return
    model = estimator(VTEST_IMGSZ)
    capture = cv2.VideoCapture(str(VTEST))
    gmc = new_gmc()
    detections, warps, frames = [], [], []
    while len(detections) < VTEST_FRAMES:
        ok, frame = capture.read()
        if not ok:
            break
        detections.append(model.predict(frame))
        warps.append(gmc.apply(frame))
        frames.append(frame)
    save('vtest', key, VTEST_FPS, detections, warps, frames)
    print(f'vtest: {len(detections)} frames, '
          f'{np.mean([len(d) for d in detections]):.1f} detections per frame', flush=True)


def scene_inputs(model):
    """Return (cut-outs, background) for rendering, found by ``model``."""
    return (person_cutouts.cut_out_people(model),
            person_cutouts.street_background(VTEST, generator.WIDTH, generator.HEIGHT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--split', choices=('tuning', 'report', 'vtest'), action='append',
                        help='what to cache (default: tuning, vtest, report)')
    parser.add_argument('--reverse', action='store_true',
                        help='last sequence first (a second process can meet the first)')
    args = parser.parse_args()
    model_path = resolve_model_path(DEFAULT_MODEL)
    model = estimator(IMGSZ)
    cutouts, background = scene_inputs(model)
    for split in args.split or ('tuning', 'vtest', 'report'):
        if split == 'vtest':
            detect_vtest(cache_key(model_path, VTEST_IMGSZ, scenes=False))
        else:
            detect_split(split, model, cache_key(model_path, IMGSZ), cutouts, background,
                         args.reverse)


if __name__ == '__main__':
    main()
