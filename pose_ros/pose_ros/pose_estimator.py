# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""YOLO11-pose inference: load the model once, warm it up, and return numpy detections."""

import pathlib
import time

import numpy as np

from pose_ros import inference_backend, model_loading
from pose_ros.coco import NUM_KEYPOINTS
from pose_ros.pose_types import PoseDetections

# ONNX Runtime session settings on the CPU: idle worker threads sleep (see _tune_runtime).
ONNXRUNTIME_CPU_CONFIG = {'session.intra_op.allow_spinning': '0',
                          'session.inter_op.allow_spinning': '0'}


class PoseEstimator:
    """
    Runs an Ultralytics pose model (.pt or an export) on BGR images.

    The device goes to ``predict`` only: exports (.onnx, OpenVINO, .engine) reject
    ``model.to(device)``, and their runtime picks the device itself.
    """

    def __init__(self, model_path, device='cpu', half=True, imgsz=640, conf=0.25, iou=0.7,
                 max_det=100, square_input=False):
        from ultralytics import YOLO

        self.model_path = pathlib.Path(model_path)
        self.backend = inference_backend.backend_of(self.model_path)
        self.device = device
        # FP16 only on CUDA; Ultralytics 8.4 takes quantize=16 (half= is deprecated).
        self.half = bool(half) and device.startswith('cuda')
        self.imgsz = int(imgsz)
        self.conf = float(conf)
        self.iou = float(iou)
        self.max_det = int(max_det)
        self.square_input = bool(square_input)
        self._runtime_tuned = False
        try:
            self.model = YOLO(str(self.model_path), task='pose')
        except Exception as error:  # noqa: BLE001 - Ultralytics raises TypeError, ValueError...
            lines = str(error).strip().splitlines() or ['']
            reason = ' '.join(lines[0].split())[:240]   # Ultralytics' first line says why
            raise model_loading.ConfigurationError(
                f'model "{self.model_path}" cannot be loaded ({type(error).__name__}: {reason}); '
                'a git-lfs pointer or a truncated download looks like this: download it again '
                f'or export it again, or leave model unset for the bundled '
                f'{model_loading.DEFAULT_MODEL}') from error
        task = getattr(self.model, 'task', 'pose')
        if task != 'pose':
            raise model_loading.ConfigurationError(
                f'model "{self.model_path}" is a {task} model, not a pose model; '
                f'use a *-pose model such as {model_loading.DEFAULT_MODEL}')

    @property
    def precision(self) -> str:
        """Return 'fp16' or 'fp32'."""
        return 'fp16' if self.half else 'fp32'

    def predict_kwargs(self) -> dict:
        """Return the keyword arguments passed to ``YOLO.predict`` (also used by benchmarks)."""
        kwargs = {'conf': self.conf, 'iou': self.iou, 'imgsz': self.imgsz,
                  'max_det': self.max_det, 'device': self.device, 'verbose': False,
                  'rect': not self.square_input}
        if self.half:
            kwargs['quantize'] = 16
        return kwargs

    def warmup(self, height=480, width=640, runs=2) -> float:
        """Run the model on blank frames; return the seconds it took."""
        start = time.perf_counter()
        blank = np.zeros((height, width, 3), np.uint8)
        for _ in range(runs):
            self.predict(blank)
        return time.perf_counter() - start

    def predict(self, bgr: np.ndarray) -> PoseDetections:
        """Return the detected persons of one HxWx3 uint8 BGR image."""
        result = self.model.predict(bgr, **self.predict_kwargs())[0]
        if not self._runtime_tuned:
            self._tune_runtime()
        return detections_from_result(result)

    def _tune_runtime(self):
        """
        Make ONNX Runtime's CPU worker threads sleep when idle instead of spinning.

        Spinning threads take the cores from the camera, DDS and the other nodes of a small
        machine, and slow inference itself when the cores are shared: on 2 busy cores, 1.6
        times slower (docs/BENCHMARKS.md). Ultralytics builds the session on the first
        predict without a way to pass options, so it is built again here, once.
        """
        self._runtime_tuned = True
        if self.backend != 'onnxruntime' or self.device != 'cpu':
            return
        import onnxruntime
        backend = getattr(getattr(self.model.predictor, 'model', None), 'backend', None)
        session = getattr(backend, 'session', None)
        if not isinstance(session, onnxruntime.InferenceSession):
            raise RuntimeError('Ultralytics changed: no ONNX Runtime session at '
                               'model.predictor.model.backend.session to tune')
        options = onnxruntime.SessionOptions()
        for key in ONNXRUNTIME_CPU_CONFIG:
            options.add_session_config_entry(key, ONNXRUNTIME_CPU_CONFIG[key])
        backend.session = onnxruntime.InferenceSession(
            str(self.model_path), options, providers=session.get_providers())


def detections_from_result(result) -> PoseDetections:
    """Convert an Ultralytics Results object to PoseDetections (always 17 keypoints)."""
    boxes = result.boxes
    if boxes is None or len(boxes) == 0:
        return PoseDetections.empty()
    xyxy = boxes.xyxy.cpu().numpy().astype(np.float32, copy=False)
    scores = boxes.conf.cpu().numpy().astype(np.float32, copy=False)
    count = xyxy.shape[0]
    keypoints = np.zeros((count, NUM_KEYPOINTS, 3), np.float32)
    if result.keypoints is not None:
        data = result.keypoints.data.cpu().numpy()
        if data.shape[-1] == 3:
            keypoints[:] = data
        else:  # a model without visibility output: positions known, confidence unknown
            keypoints[:, :, :2] = data[..., :2]
    return PoseDetections(xyxy, scores, keypoints)
