# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
launch_testing: when pose_node dies at start-up, the whole launch stops (real ROS installs).

``ros2 launch pose_ros pose.launch.py`` runs as a user runs it, with a model that does not
exist: pose_node exits with code 2 once its configure step finds no weights, and the launch
then stops camera_node and bridge_node, says why, and exits with code 1. The launch runs as
a process of its own: a launch that launch_testing includes and that stops by itself ends
the test run while the test still watches it, and launch_testing fails such a test (it did
in 7 of 8 runs). Skipped where launch_testing or the ros2 command is missing (as in the
PyPI-wheel venv).
"""

import os
import shutil
import unittest

import pytest

launch_testing = pytest.importorskip(
    'launch_testing', reason='launch_testing is not installed (it comes with ROS 2 from apt)')
if shutil.which('ros2') is None:
    pytest.skip('the ros2 command is not installed (it comes with ROS 2 from apt)',
                allow_module_level=True)

from ament_index_python.packages import get_package_share_directory  # noqa: E402,I100
import launch  # noqa: E402
from launch.actions import ExecuteProcess  # noqa: E402
import launch_testing.actions  # noqa: E402
import launch_testing.asserts  # noqa: E402
import launch_testing.markers  # noqa: E402

SHARE = get_package_share_directory('pose_ros')


@pytest.mark.launch_test
@launch_testing.markers.keep_alive
def generate_test_description():
    """Run ros2 launch on the pipeline with weights that do not exist."""
    ros2_launch = ExecuteProcess(
        cmd=['ros2', 'launch', 'pose_ros', 'pose.launch.py',
             'source:=' + os.path.join(SHARE, 'media', 'vtest_clip.mp4'), 'device:=cpu',
             'model:=missing-weights.pt', 'port:=0'],
        name='ros2_launch', output='screen')
    return (launch.LaunchDescription([ros2_launch, launch_testing.actions.ReadyToTest()]),
            {'ros2_launch': ros2_launch})


class TestTheLaunchStops(unittest.TestCase):
    """While it runs: the launch ends by itself, stops every node and says why."""

    def test_every_node_stops_after_pose_node(self, proc_info, proc_output, ros2_launch):
        proc_info.assertWaitForShutdown(process=ros2_launch, timeout=90)
        output = ''.join(text.text.decode(errors='replace')
                         for text in proc_output[ros2_launch])
        self.assertIn('model "missing-weights.pt" not found', output)
        self.assertIn('pose_node exited with code 2: stopping the launch', output)
        for name in ('camera_node', 'bridge_node'):
            self.assertRegex(output, rf'\[{name}-\d+\]: process has finished cleanly')


@launch_testing.post_shutdown_test()
class TestExitCode(unittest.TestCase):
    """After it: ros2 launch failed with 1, so a supervisor sees the failure."""

    def test_exit_code(self, proc_info, ros2_launch):
        launch_testing.asserts.assertExitCodes(proc_info, [1], process=ros2_launch)
