# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Choose the runtime that runs the pose model: PyTorch, ONNX Runtime or OpenVINO.

The ``backend`` parameter applies to .pt weights. ``auto`` follows the hardware, by
measurement (docs/BENCHMARKS.md): PyTorch on a CUDA GPU; on a CPU, OpenVINO on Intel
processors and ONNX Runtime on the others (AMD, Arm). A runtime other than PyTorch runs a
dynamic-input export of the weights, made offline on the first start into a cache
(model_export.cached_export). When that runtime is not installed, or the export fails, the
next one is tried, and PyTorch last, with a warning that names the fix. A model given as an
export (.onnx, *_openvino_model, .engine) runs on the runtime of its format.
"""

import dataclasses
import importlib.util
import pathlib

from pose_ros import model_export
from pose_ros.configuration_error import ConfigurationError

BACKENDS = ('auto', 'pytorch', 'onnxruntime', 'openvino')
EXPORT_FORMAT = {'onnxruntime': 'onnx', 'openvino': 'openvino'}
# Python modules each backend needs, to export the weights and to run the export.
RUNTIME_MODULES = {'pytorch': (), 'onnxruntime': ('onnxruntime', 'onnx', 'onnxslim'),
                   'openvino': ('openvino',)}
PIP_NAMES = {'onnxruntime': 'onnxruntime', 'onnx': 'onnx', 'onnxslim': 'onnxslim',
             'openvino': 'openvino'}


@dataclasses.dataclass
class ModelChoice:
    """The weights or export to load, the runtime that runs it, and why."""

    path: pathlib.Path
    backend: str
    reason: str


def backend_of(path) -> str:
    """Return the runtime of a weights file or export, by its name."""
    path = pathlib.Path(path)
    if path.suffix == '.onnx':
        return 'onnxruntime'
    if path.name.endswith('_openvino_model') or path.suffix == '.xml':
        return 'openvino'
    if path.suffix == '.engine':
        return 'tensorrt'
    if path.suffix == '.pt':
        return 'pytorch'
    return path.suffix.lstrip('.') or path.name


def cpu_vendor() -> str:
    """Return the CPU's vendor_id (GenuineIntel, AuthenticAMD, ...), or '' when unknown."""
    try:
        with open('/proc/cpuinfo') as info:
            for line in info:
                if line.startswith('vendor_id'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return ''


def candidates(requested: str, device: str, vendor: str) -> list:
    """Return the backends to try for .pt weights, in order; PyTorch is always last."""
    if requested not in BACKENDS:
        raise ConfigurationError(
            f'backend "{requested}" is not one of {", ".join(BACKENDS)}; use backend:=auto')
    if requested != 'auto':
        return [requested] if requested == 'pytorch' else [requested, 'pytorch']
    if device.startswith('cuda'):
        return ['pytorch']  # FP16 on the GPU; a TensorRT engine is made by `make export`
    if vendor == 'GenuineIntel':
        return ['openvino', 'onnxruntime', 'pytorch']
    return ['onnxruntime', 'openvino', 'pytorch']


def missing_modules(backend: str) -> list:
    """Return the Python modules ``backend`` needs that are not installed."""
    return [name for name in RUNTIME_MODULES[backend] if importlib.util.find_spec(name) is None]


def choose_model(model_path, requested='auto', device='cpu', cache_dir=None, vendor=None,
                 log=print, warn=print) -> ModelChoice:
    """
    Return the model to load for ``model_path`` and the ``requested`` backend.

    ``log`` receives what was chosen and where an export went; ``warn`` each fallback.
    """
    model_path = pathlib.Path(model_path)
    own = backend_of(model_path)
    if own != 'pytorch':
        if requested not in ('auto', own):
            warn(f'backend:={requested} is ignored: {model_path.name} is a {own} model')
        return ModelChoice(model_path, own, f'the runtime of the {own} model given')
    vendor = cpu_vendor() if vendor is None else vendor
    order = candidates(requested, device, vendor)
    why = (f'auto on {device} ({vendor or "unknown CPU"})' if requested == 'auto'
           else f'backend:={requested}')
    for index, backend in enumerate(order):
        if backend == 'pytorch':
            return ModelChoice(model_path, 'pytorch', why)
        fallback = f'running {order[index + 1]} instead'
        missing = missing_modules(backend)
        if missing:
            pip = ' '.join(PIP_NAMES[name] for name in missing)
            warn(f'{backend} is not installed (missing {", ".join(missing)}): {fallback}, '
                 f'which is slower. Fix: pip install {pip} (see requirements.txt)')
            continue
        try:
            path = model_export.cached_export(model_path, EXPORT_FORMAT[backend], cache_dir,
                                              log=log)
        except Exception as error:  # noqa: BLE001 - any export failure falls back
            if not isinstance(error, OSError) and not model_export.checkpoint_loads(model_path):
                # Loading it as it is fails next, with the message that names the fix.
                log(f'{model_path.name} does not load, so it is not exported')
                return ModelChoice(model_path, 'pytorch', 'the model does not load for export')
            fix = (f'set {model_export.CACHE_ENV} to a writable folder, or backend:=pytorch'
                   if isinstance(error, OSError) else 'backend:=pytorch skips the export')
            reason = ' '.join((str(error).strip().splitlines() or [''])[0].split())[:240]
            warn(f'{backend} export of {model_path.name} failed ({type(error).__name__}: '
                 f'{reason}): {fallback}. Fix: {fix}')
            continue
        return ModelChoice(path, backend, why)
    raise AssertionError('unreachable: pytorch ends every candidate list')
