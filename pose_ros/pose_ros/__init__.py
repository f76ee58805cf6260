# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""pose_ros: real-time multi-person human pose for ROS 2."""
