# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
One set of defaults: the parameter table, the nodes, config/pose.yaml and the README agree.

The nodes declare exactly the rows of their table (pose_ros.parameters), the installed
config/pose.yaml gives every parameter the table's default with the same type, the README
documents every parameter, and docs/websocket.md's table lists bridge_node's, with their
defaults.
"""

import pathlib

from ament_index_python.packages import get_package_share_directory
from pose_ros.parameters import defaults, ROS_BUILTIN, TABLES
import pytest
import rclpy
import yaml

SHARE = pathlib.Path(get_package_share_directory('pose_ros'))
PARAMS = SHARE / 'config' / 'pose.yaml'
SOURCE_PARAMS = pathlib.Path(__file__).resolve().parents[1] / 'config' / 'pose.yaml'
README = pathlib.Path(__file__).resolve().parents[2] / 'README.md'
WEBSOCKET_DOC = README.parent / 'docs' / 'websocket.md'
SECTIONS = {'camera': '/**/camera', 'pose': '/**/pose', 'pose_bridge': '/**/pose_bridge'}
OPTIONAL_IN_YAML = {'allowed_origins', 'allowed_hosts'}  # empty string lists cannot be in YAML


@pytest.fixture(scope='module')
def declared():
    """Create the three nodes with no parameters given; return {node: {name: value}}."""
    from pose_ros.bridge_node import BridgeNode
    from pose_ros.camera_node import CameraNode
    from pose_ros.pose_node import PoseNode
    context = rclpy.Context()
    rclpy.init(args=['test'], context=context)
    values = {}
    try:
        for key, make in (('camera', CameraNode), ('pose', PoseNode),
                          ('pose_bridge', BridgeNode)):
            node = make(context=context)
            values[key] = {name: parameter.value for name, parameter in node._parameters.items()
                           if name not in ROS_BUILTIN}
            node.destroy_node()
    finally:
        rclpy.try_shutdown(context=context)
    return values


def _yaml_parameters(path):
    config = yaml.safe_load(path.read_text())
    assert set(config) == set(SECTIONS.values())
    return {node: config[section]['ros__parameters'] for node, section in SECTIONS.items()}


def test_nodes_declare_exactly_their_table_with_its_defaults(declared):
    for node, table in TABLES.items():
        expected = {name: value for name, value in defaults(table).items()
                    if name not in OPTIONAL_IN_YAML}
        got = {name: value for name, value in declared[node].items()
               if name not in OPTIONAL_IN_YAML}
        assert got == expected, node
        assert set(declared[node]) == set(defaults(table)), node


@pytest.mark.parametrize('path', [PARAMS, SOURCE_PARAMS], ids=['installed', 'source'])
def test_yaml_defaults_are_the_code_defaults_with_the_same_types(path):
    in_yaml = _yaml_parameters(path)
    for node, table in TABLES.items():
        code = {name: value for name, value in defaults(table).items()
                if name not in OPTIONAL_IN_YAML}
        assert set(in_yaml[node]) == set(code), node
        differing = {name: (in_yaml[node][name], value) for name, value in code.items()
                     if in_yaml[node][name] != value
                     or type(in_yaml[node][name]) is not type(value)}
        assert not differing, f'{node}: (pose.yaml, code) {differing}'


def test_readme_documents_every_parameter():
    readme = README.read_text()
    missing = [f'{node}: {row.name}' for node, table in TABLES.items() for row in table
               if f'`{row.name}`' not in readme]
    assert not missing, missing


def test_websocket_doc_lists_every_bridge_parameter_with_its_default():
    section = WEBSOCKET_DOC.read_text().split('## Parameters', 1)[1].split('\n## ', 1)[0]
    documented = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) >= 2 and cells[0].startswith('`'):
            documented[cells[0].strip('`')] = cells[1].strip('`')
    table = {row.name: row.default for row in TABLES['pose_bridge']}
    assert set(documented) == set(table)
    for name, default in table.items():
        if isinstance(default, bool):
            assert documented[name] == str(default).lower(), name
        elif isinstance(default, (int, float)):
            assert float(documented[name]) == default, name


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
