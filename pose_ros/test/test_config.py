# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""config/pose.yaml and the README list exactly the parameters the nodes declare."""

import pathlib

from ament_index_python.packages import get_package_share_directory
from media import VTEST
import pytest
import rclpy
import yaml

SHARE = pathlib.Path(get_package_share_directory('pose_ros'))
PARAMS = SHARE / 'config' / 'pose.yaml'
README = pathlib.Path(__file__).resolve().parents[2] / 'README.md'
SECTIONS = {'camera': '/**/camera', 'pose': '/**/pose', 'pose_bridge': '/**/pose_bridge'}
ROS_BUILTIN = {'use_sim_time', 'start_type_description_service'}
OPTIONAL_IN_YAML = {'allowed_origins', 'allowed_hosts'}  # empty string lists cannot be in YAML


@pytest.fixture(scope='module')
def declared():
    """Create the three nodes with the installed params file; return their parameter names."""
    from pose_ros.bridge_node import BridgeNode
    from pose_ros.camera_node import CameraNode
    from pose_ros.capture import VideoFileSource
    from pose_ros.pose_node import PoseNode
    context = rclpy.Context()
    rclpy.init(args=['test', '--ros-args', '--params-file', str(PARAMS),
                     '-p', 'pose:device:=cpu'], context=context)
    names = {}
    try:
        for key, make in (('camera', lambda: CameraNode(VideoFileSource(str(VTEST)),
                                                        context=context)),
                          ('pose', lambda: PoseNode(context=context)),
                          ('pose_bridge', lambda: BridgeNode(context=context))):
            node = make()
            names[key] = set(node._parameters) - ROS_BUILTIN
            node.destroy_node()
    finally:
        rclpy.try_shutdown(context=context)
    return names


def test_yaml_has_every_declared_parameter_and_no_other(declared):
    config = yaml.safe_load(PARAMS.read_text())
    assert set(config) == set(SECTIONS.values())
    for node, section in SECTIONS.items():
        in_yaml = set(config[section]['ros__parameters'])
        assert in_yaml == declared[node] - OPTIONAL_IN_YAML, node


def test_readme_documents_every_parameter(declared):
    readme = README.read_text()
    missing = [f'{node}: {name}' for node, names in declared.items() for name in sorted(names)
               if f'`{name}`' not in readme]
    assert not missing, missing


def test_every_yaml_line_has_a_comment():
    lines = [line for line in PARAMS.read_text().splitlines()
             if line.startswith('    ') and not line.strip().startswith('#')]
    assert lines and all('#' in line for line in lines), [
        line for line in lines if '#' not in line]


def _profile_after_start(env):
    import os
    import subprocess
    import sys
    code = ('import os; from pose_ros.dds_profile import profile_variable, '
            'use_bundled_fastdds_profile; use_bundled_fastdds_profile(); '
            'print(os.environ.get(profile_variable()))')
    environment = {k: v for k, v in os.environ.items()
                   if not k.endswith('_DEFAULT_PROFILES_FILE')}
    return subprocess.run([sys.executable, '-c', code], env={**environment, **env},
                          capture_output=True, text=True, check=True).stdout.strip()


def test_nodes_use_the_large_image_profile_unless_one_is_set():
    assert _profile_after_start({}) == str(SHARE / 'config' / 'fastdds_large_images.xml')
    assert (SHARE / 'config' / 'fastdds_large_images.xml').is_file()
    from pose_ros.dds_profile import profile_variable
    assert _profile_after_start({profile_variable(): '/mine.xml'}) == '/mine.xml'
