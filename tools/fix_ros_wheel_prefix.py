# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Point the ROS wheels' CMake exports at this venv instead of the machine they were built on.

The ros-<distro>-* wheels record /opt/python/cp311-cp311 (their build interpreter) in
CMake export files and ament index entries under <venv>/share. Rewrite it to this
interpreter's include dir, numpy's include dir and the venv prefix. Idempotent.
"""

import pathlib
import sys
import sysconfig

import numpy

BUILD_PREFIX = '/opt/python/cp311-cp311'


def main() -> int:
    prefix = pathlib.Path(sys.prefix)
    version = f'python{sys.version_info.major}.{sys.version_info.minor}'
    replacements = (
        (f'{BUILD_PREFIX}/include/{version}', sysconfig.get_paths()['include']),
        (f'{BUILD_PREFIX}/lib/{version}/site-packages/numpy/_core/include',
         numpy.get_include()),
        (BUILD_PREFIX, str(prefix)),
    )
    rewritten = 0
    for path in (prefix / 'share').rglob('*'):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        if BUILD_PREFIX not in text:
            continue
        for old, new in replacements:
            text = text.replace(old, new)
        path.write_text(text)
        rewritten += 1
    print(f'fix_ros_wheel_prefix: rewrote {rewritten} files under {prefix}/share')
    return 0


if __name__ == '__main__':
    sys.exit(main())
