# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Choose the QoS of an image subscription so that it always matches its publishers.

A reliable subscriber never matches a best-effort publisher, and best-effort delivery of
large images between processes loses most of them. ``auto`` therefore takes the
reliability that the topic's publishers offer (as ``ros2 topic echo`` and rosbag2 do):
reliable when all of them are reliable, best effort as soon as one is best effort.
"""

from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

IMAGE_QOS_CHOICES = ('auto', 'reliable', 'best_effort')


def choose_reliability(setting: str, publisher_reliabilities):
    """Return the ReliabilityPolicy to use, or None when ``auto`` must wait for a publisher."""
    if setting == 'reliable':
        return ReliabilityPolicy.RELIABLE
    if setting == 'best_effort':
        return ReliabilityPolicy.BEST_EFFORT
    if setting != 'auto':
        raise ValueError(f'image_qos must be one of {IMAGE_QOS_CHOICES}, got "{setting}"')
    offered = list(publisher_reliabilities)
    if not offered:
        return None
    if any(r == ReliabilityPolicy.BEST_EFFORT for r in offered):
        return ReliabilityPolicy.BEST_EFFORT
    return ReliabilityPolicy.RELIABLE


def image_qos_profile(reliability, depth=1) -> QoSProfile:
    """Return a keep-last ``depth`` profile with the given reliability."""
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=depth, reliability=reliability)


def reliability_name(reliability) -> str:
    """Return 'reliable' or 'best_effort' for logs."""
    return 'reliable' if reliability == ReliabilityPolicy.RELIABLE else 'best_effort'
