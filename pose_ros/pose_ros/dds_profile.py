# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Point Fast DDS at the bundled large-image profile unless the user chose a profile.

Fast DDS's default shared-memory segment is smaller than one camera image, so images between
processes fall back to UDP fragments (measured: the overhead ratio of pose_node went from
1.22 to 1.06). Call before rclpy.init(); other RMW implementations ignore the variable.
"""

import os

PROFILE_VARIABLE = 'FASTRTPS_DEFAULT_PROFILES_FILE'


def use_bundled_fastdds_profile() -> None:
    """Set FASTRTPS_DEFAULT_PROFILES_FILE to config/fastdds_large_images.xml if unset."""
    if PROFILE_VARIABLE in os.environ:
        return
    try:
        from ament_index_python.packages import get_package_share_directory
        share = get_package_share_directory('pose_ros')
    except (ImportError, LookupError, ValueError):
        return
    profile = os.path.join(share, 'config', 'fastdds_large_images.xml')
    if os.path.isfile(profile):
        os.environ[PROFILE_VARIABLE] = profile
