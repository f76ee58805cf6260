# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
launch_testing: when pose_node dies at start-up, the whole launch stops (real ROS installs).

pose.launch.py runs with a model that does not exist: pose_node exits with code 2 once its
configure step finds no weights, and the launch then shuts camera_node and bridge_node down
and says why. Skipped where launch_testing is missing (as in the PyPI-wheel venv).
"""

import os
import unittest

import pytest

launch_testing = pytest.importorskip(
    'launch_testing', reason='launch_testing is not installed (it comes with ROS 2 from apt)')

from ament_index_python.packages import get_package_share_directory  # noqa: E402,I100
import launch  # noqa: E402
from launch.actions import IncludeLaunchDescription  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402
import launch_testing.actions  # noqa: E402
import launch_testing.asserts  # noqa: E402

SHARE = get_package_share_directory('pose_ros')


@pytest.mark.launch_test
def generate_test_description():
    """Launch the pipeline with weights that do not exist."""
    arguments = {'source': os.path.join(SHARE, 'media', 'vtest_clip.mp4'), 'device': 'cpu',
                 'model': 'missing-weights.pt', 'port': '0'}
    return launch.LaunchDescription([
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(SHARE, 'launch', 'pose.launch.py')),
            launch_arguments=arguments.items()),
        launch_testing.actions.ReadyToTest(),
    ])


class TestTheLaunchStops(unittest.TestCase):
    """While it runs: every node ends by itself, and the launch says why."""

    def test_every_node_exits_after_pose_node(self, proc_info, proc_output):
        for name in ('pose_node', 'camera_node', 'bridge_node'):
            proc_info.assertWaitForShutdown(process=name, timeout=90)
        proc_output.assertWaitFor('model "missing-weights.pt" not found', process='pose_node',
                                  timeout=5)


@launch_testing.post_shutdown_test()
class TestExitCodes(unittest.TestCase):
    """After the launch: pose_node failed with 2, the others stopped cleanly."""

    def test_exit_codes(self, proc_info):
        launch_testing.asserts.assertExitCodes(proc_info, [2], process='pose_node')
        for name in ('camera_node', 'bridge_node'):
            launch_testing.asserts.assertExitCodes(proc_info, [0], process=name)
