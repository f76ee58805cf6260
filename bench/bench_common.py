# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Shared pieces of the benchmarks: the test suite's node runner and media, and statistics.

Run benchmarks from the repo root with the venv active and install/setup.bash sourced.
"""

import datetime
import os
import pathlib
import platform
import statistics
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'pose_ros' / 'test'))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
os.environ.setdefault('ROS_DOMAIN_ID', str(40 + os.getpid() % 50))
os.environ['YOLO_OFFLINE'] = '1'
os.environ['YOLO_AUTOINSTALL'] = 'false'

from media import read_image, video_frames, VTEST  # noqa: E402,F401,I100

try:  # ROS 2 is needed by the node benchmarks only; bench/gpu.sh may run the rest without it
    from pose_ros.dds_profile import use_bundled_fastdds_profile  # noqa: E402
    # Large images between processes: the profile every pose_ros node loads (see the README).
    use_bundled_fastdds_profile()
    from ros_helpers import NodeProcess, spin_until  # noqa: E402,F401
except (ImportError, OSError) as _error:  # no rclpy, or no sourced install (AMENT_PREFIX_PATH)
    NO_ROS_REASON = f'{type(_error).__name__}: {_error}'
else:
    NO_ROS_REASON = None


def percentile(values, fraction):
    """Return the ``fraction`` quantile (0..1) of ``values`` by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values):
    """Return the median of ``values``."""
    return statistics.median(values)


def machine_tag() -> str:
    """Describe the machine, date and versions for docs/BENCHMARKS.md."""
    import cv2
    import torch
    import ultralytics
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as info:
            cpu = next(line.split(':', 1)[1].strip() for line in info
                       if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU'
    return (f'{datetime.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, {gpu}; '
            f'Python {platform.python_version()}, torch {torch.__version__}, '
            f'ultralytics {ultralytics.__version__}, OpenCV {cv2.__version__}, '
            f'{ros_versions()}')


def ros_versions() -> str:
    """Name the ROS 2 distribution, rclpy and Fast DDS that this venv holds."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(*names):
        for name in names:
            try:
                return version(name)
            except PackageNotFoundError:
                continue
        return 'unknown'

    rclpy_version = installed('rclpy')
    distros = {'7': 'Jazzy', '9': 'Kilted'}
    distro = distros.get(rclpy_version.split('.')[0], os.environ.get('ROS_DISTRO', '?'))
    return (f'ROS 2 {distro} (rclpy {rclpy_version}), '
            f'Fast DDS {installed("ros-fastdds", "ros-fastrtps")}')
