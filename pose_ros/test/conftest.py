# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Shared fixtures: one DDS domain per test run, rclpy set-up, and node processes."""

import os
import random

import pytest

# A domain of our own, so that parallel runs on one host never see each other's topics.
os.environ.setdefault('ROS_DOMAIN_ID', str(random.Random(os.getpid()).randint(10, 99)))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
os.environ['YOLO_OFFLINE'] = '1'
os.environ['YOLO_AUTOINSTALL'] = 'false'
os.environ.setdefault('PYTHONUNBUFFERED', '1')


@pytest.fixture(scope='session')
def rclpy_session():
    """Initialise rclpy once for the tests that create nodes in this process."""
    import rclpy
    rclpy.init()
    yield rclpy
    rclpy.try_shutdown()
