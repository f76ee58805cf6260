# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Run pose_pipeline for ``make run``: pick the default source, print the viewer URL, exec.

The default source is webcam 0 when one opens, otherwise the bundled sample clip. A file or a
folder plays in a loop (the camera's ``loop`` parameter, true in config/pose.yaml).
Run with the venv active and install/setup.bash sourced (the Makefile does both).
"""

import argparse
import os
import pathlib
import sys

from ament_index_python.packages import get_package_prefix, get_package_share_directory

SAMPLE_CLIP = 'media/vtest_clip.mp4'


def webcam_available(index=0) -> bool:
    """Return True when /dev/video<index> exists and delivers a frame."""
    if not os.path.exists(f'/dev/video{index}'):
        return False
    import cv2
    capture = cv2.VideoCapture(index)
    try:
        return capture.isOpened() and capture.read()[0]
    finally:
        capture.release()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--params-file', required=True)
    parser.add_argument('--source', default='', help='webcam index, video file or folder')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', default='8765')
    args, extra = parser.parse_known_args()

    share = pathlib.Path(get_package_share_directory('pose_ros'))
    source = args.source
    if not source:
        if webcam_available():
            source = '0'
        else:
            source = str(share / SAMPLE_CLIP)
            print(f'No webcam found: playing the sample clip {source} in a loop.')
    print(f'Viewer: http://{args.host}:{args.port}/   (WebSocket feed: ws://{args.host}:'
          f'{args.port}/)   Ctrl-C to stop.', flush=True)
    executable = os.path.join(get_package_prefix('pose_ros'), 'lib', 'pose_ros', 'pose_pipeline')
    command = [executable, '--ros-args', '--params-file', args.params_file,
               '-p', f'camera:source:={source}',
               '-p', f'pose_bridge:host:={args.host}', '-p', f'pose_bridge:port:={args.port}',
               *extra]
    os.execv(executable, command)
    return 1


if __name__ == '__main__':
    sys.exit(main())
