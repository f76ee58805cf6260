# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Export .pt pose weights to ONNX, OpenVINO or TensorRT, offline, once.

``export`` writes one export into a folder (``make export``); ``cached_export`` keeps one
export per weights file, Ultralytics version and runtime version in a cache folder, so that
pose_node exports on its first start and reuses the result ever after. Exports are built in a
temporary folder and renamed into place under a file lock: two nodes starting at once export
once, and no reader ever sees half an export.

ONNX and OpenVINO exports have a dynamic input: the network input follows the shape of each
frame (a 768x576 frame runs at 960x736 with imgsz 960, a 1280x720 one at 960x544), as
PyTorch's rect input does. TensorRT engines are made on the GPU, in FP16, with a dynamic input
up to imgsz x imgsz.
"""

import contextlib
import fcntl
import hashlib
import os
import pathlib
import shutil
import tempfile
import time

FORMATS = ('onnx', 'openvino', 'engine')
FORMAT_NAMES = {'onnx': 'ONNX', 'openvino': 'OpenVINO', 'engine': 'TensorRT'}
# Python modules an export of each format needs (to make it; the runtime to run it).
EXPORT_MODULES = {'onnx': ('onnx', 'onnxslim'), 'openvino': ('openvino',),
                  'engine': ('onnx', 'tensorrt')}
CACHE_ENV = 'POSE_ROS_MODEL_CACHE'


def export_name(pt_path, fmt: str) -> str:
    """Return the file or folder name Ultralytics gives the ``fmt`` export of ``pt_path``."""
    stem = pathlib.Path(pt_path).stem
    if fmt == 'onnx':
        return f'{stem}.onnx'
    if fmt == 'openvino':
        return f'{stem}_openvino_model'
    if fmt == 'engine':
        return f'{stem}.engine'
    raise ValueError(f'unsupported format "{fmt}"; use one of {", ".join(FORMATS)}')


def export(pt_path, fmt: str, output_dir, imgsz: int = 640, dynamic: bool = True,
           device: str = 'cpu', force: bool = False, log=print) -> pathlib.Path:
    """
    Export ``pt_path`` to ``fmt`` into ``output_dir``; return the path of the export.

    An existing export is returned untouched unless ``force``. ``imgsz`` is the input size of a
    fixed export, and the largest input of a dynamic TensorRT engine. The export is built from
    a copy of the .pt in a temporary folder (Ultralytics writes next to its input) and renamed
    into place.
    """
    pt_path = pathlib.Path(pt_path)
    output_dir = pathlib.Path(output_dir)
    target = output_dir / export_name(pt_path, fmt)
    if target.exists() and not force:
        log(f'{target} exists; kept (--force makes it again)')
        return target
    output_dir.mkdir(parents=True, exist_ok=True)
    from ultralytics import YOLO

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix='pose_ros_export-', dir=output_dir) as work:
        copy = pathlib.Path(work) / pt_path.name
        shutil.copy2(pt_path, copy)
        options = {'format': fmt, 'imgsz': imgsz, 'device': device, 'dynamic': dynamic}
        if fmt == 'onnx':
            options['simplify'] = True
        if fmt == 'engine':
            options['half'] = True
        made = pathlib.Path(YOLO(str(copy), task='pose').export(**options))
        if target.exists():
            old = pathlib.Path(work) / 'old'
            target.rename(old)  # out of the way first; the folder goes with the temp dir
        made.rename(target)
    shape = 'dynamic input' if dynamic else f'{imgsz}x{imgsz} input'
    log(f'{FORMAT_NAMES[fmt]} export ({shape}) of {pt_path.name}: {target} '
        f'({time.perf_counter() - start:.1f} s)')
    return target


def default_cache_dir() -> pathlib.Path:
    """Return $POSE_ROS_MODEL_CACHE, else $XDG_CACHE_HOME/pose_ros/models (~/.cache/...)."""
    if os.environ.get(CACHE_ENV):
        return pathlib.Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get('XDG_CACHE_HOME') or pathlib.Path.home() / '.cache'
    return pathlib.Path(base).expanduser() / 'pose_ros' / 'models'


def cache_key(pt_path, fmt: str) -> str:
    """Name the cache folder of one export: weights digest, Ultralytics and runtime version."""
    from importlib.metadata import version

    digest = hashlib.sha256(pathlib.Path(pt_path).read_bytes()).hexdigest()[:12]
    parts = [pathlib.Path(pt_path).stem, digest, f'ultralytics{version("ultralytics")}']
    if fmt == 'openvino':  # the IR is read by the OpenVINO that wrote it
        parts.append(f'openvino{version("openvino")}')
    return '-'.join(parts + [fmt, 'dynamic'])


def cached_export(pt_path, fmt: str, cache_dir=None, log=print) -> pathlib.Path:
    """
    Return the cached dynamic-input ``fmt`` export of ``pt_path``, exporting it on first use.

    Raises OSError when the cache folder cannot be written, ImportError when an export
    module is missing, and whatever Ultralytics raises when the export fails.
    """
    cache_dir = pathlib.Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = cache_dir / cache_key(pt_path, fmt)
    target = folder / export_name(pt_path, fmt)
    if target.exists():
        log(f'{FORMAT_NAMES[fmt]} export of {pathlib.Path(pt_path).name} from the cache: '
            f'{target}')
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / '.lock'):
        if target.exists():  # another process made it while this one waited
            log(f'{FORMAT_NAMES[fmt]} export made by another process: {target}')
            return target
        log(f'exporting {pathlib.Path(pt_path).name} to {FORMAT_NAMES[fmt]} once, into '
            f'{folder} (a few seconds, offline)')
        return export(pt_path, fmt, folder, dynamic=True, log=log)


def checkpoint_loads(pt_path) -> bool:
    """Return whether Ultralytics can load ``pt_path`` at all (a git-lfs pointer cannot)."""
    from ultralytics import YOLO
    try:
        YOLO(str(pt_path), task='pose')
    except Exception:  # noqa: BLE001 - Ultralytics raises TypeError, ValueError...
        return False
    return True


@contextlib.contextmanager
def _locked(path):
    with open(path, 'w') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
