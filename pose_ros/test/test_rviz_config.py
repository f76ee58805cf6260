# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""config/pose_3d.rviz is installed, is RViz 2's format, and shows the topics pose_node has."""

import pathlib

from ament_index_python.packages import get_package_share_directory
from pose_ros.depth.markers import NAMESPACES
import yaml

RVIZ = pathlib.Path(get_package_share_directory('pose_ros')) / 'config' / 'pose_3d.rviz'


def _displays():
    config = yaml.safe_load(RVIZ.read_text())
    manager = config['Visualization Manager']
    return manager, {display['Class']: display for display in manager['Displays']}


def test_the_config_is_installed_and_uses_rviz2_plugins():
    manager, displays = _displays()
    assert all(name.startswith('rviz_default_plugins/') for name in displays)
    assert manager['Global Options']['Fixed Frame'] == 'camera_link'
    assert manager['Views']['Current']['Class'] == 'rviz_default_plugins/Orbit'


def test_markers_and_debug_image_topics_with_matching_qos():
    _, displays = _displays()
    markers = displays['rviz_default_plugins/MarkerArray']
    assert markers['Topic']['Value'] == '/pose/markers'
    assert markers['Topic']['Reliability Policy'] == 'Reliable'
    assert markers['Namespaces'] == {namespace: True for namespace in NAMESPACES}
    image = displays['rviz_default_plugins/Image']
    assert image['Topic']['Value'] == '/pose/debug_image'
    assert image['Topic']['Reliability Policy'] == 'Reliable'
