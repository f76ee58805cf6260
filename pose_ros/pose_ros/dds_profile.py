# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Point Fast DDS at the bundled large-image profile unless the user chose a profile.

Fast DDS's default shared-memory segment is smaller than one camera image, so images between
processes fall back to UDP fragments (measured: the overhead ratio of pose_node went from
1.22 to 1.06). Call before rclpy.init(); other RMW implementations ignore the variable.
"""

import os

# Fast DDS 2 (Jazzy) reads the first; Fast DDS 3 (Kilted on) reads the second and warns
# that the first is deprecated.
PROFILE_VARIABLES = ('FASTRTPS_DEFAULT_PROFILES_FILE', 'FASTDDS_DEFAULT_PROFILES_FILE')


def profile_variable() -> str:
    """Return the profile variable this ROS distribution's Fast DDS reads."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        rclpy_major = int(version('rclpy').split('.')[0])
    except (PackageNotFoundError, ValueError):
        distro = os.environ.get('ROS_DISTRO', 'jazzy')
        return PROFILE_VARIABLES[0] if distro in ('humble', 'iron', 'jazzy') else \
            PROFILE_VARIABLES[1]
    return PROFILE_VARIABLES[1] if rclpy_major >= 9 else PROFILE_VARIABLES[0]


def use_bundled_fastdds_profile() -> None:
    """Point Fast DDS at config/fastdds_large_images.xml unless a profile is already set."""
    if any(name in os.environ for name in PROFILE_VARIABLES):
        return
    try:
        from ament_index_python.packages import get_package_share_directory
        share = get_package_share_directory('pose_ros')
    except (ImportError, LookupError, ValueError):
        return
    profile = os.path.join(share, 'config', 'fastdds_large_images.xml')
    if os.path.isfile(profile):
        os.environ[profile_variable()] = profile
