# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Launch camera_node, pose_node and bridge_node with config/pose.yaml.

ros2 launch pose_ros pose.launch.py source:=/path/video.mp4 device:=cuda:0
ros2 launch pose_ros pose.launch.py use_camera:=false image_topic:=/robot/camera/image_raw
ros2 launch pose_ros pose.launch.py autostart:=false   # a lifecycle manager drives the nodes
ros2 launch pose_ros pose.launch.py use_camera:=false \
    image_topic:=/camera/camera/color/image_raw \
    depth_topic:=/camera/camera/aligned_depth_to_color/image_raw \
    camera_info_topic:=/camera/camera/color/camera_info

Every node takes its parameters from params_file; a launch argument that is given overrides
that file, one that is left out does not. A given argument is checked against the nodes'
parameter table (pose_ros.parameters) before any node starts, and a bad one stops the
launch with a message that names it. When pose_node exits, or another node fails, the
whole launch stops and says with which exit code; after a failure ros2 launch exits with 1.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction, Shutdown
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from pose_ros.configuration_error import ConfigurationError
from pose_ros.parameters import check, row_of, TABLES
import yaml

NODES = ('camera', 'pose', 'pose_bridge')
# (argument, nodes it sets, description); the argument sets the parameter of the same name.
OVERRIDES = (
    ('source', ('camera',),
     'camera_node source: webcam index or /dev/videoN, video file, image folder'),
    ('loop', ('camera',), 'Start a video file or image folder over at its end (true/false)'),
    ('camera_info_url', ('camera',),
     'camera_node calibration file: publishes camera/camera_info beside the images'),
    ('image_topic', ('pose', 'pose_bridge'),
     'Image topic pose_node subscribes to (and the viewer shows)'),
    ('depth_topic', ('pose',), 'Depth image aligned to the colour image: turns 3D on'),
    ('camera_info_topic', ('pose',), 'CameraInfo of the colour image, used with depth_topic'),
    ('model', ('pose',), 'Weights file or export for pose_node'),
    ('device', ('pose',), 'auto, cpu or cuda:N'),
    ('half', ('pose',), 'FP16 on CUDA (true/false)'),
    ('tracker', ('pose',), 'Tracker: pose, bytetrack, botsort or none'),
    ('host', ('pose_bridge',), 'Address bridge_node listens on'),
    ('port', ('pose_bridge',), 'Port of the WebSocket feed and the viewer'),
    ('autostart', NODES, 'Configure and activate every node at start-up (true/false); '
     'false: they wait for /<node>/change_state, as from a lifecycle manager'),
)
# An argument that sets a parameter of another name on that node.
PARAMETER_OF = {('image_topic', 'pose_bridge'): 'video_topic'}


def typed_value(argument, node, text):
    """Return ``text`` as the parameter's value; ConfigurationError names the argument."""
    row = row_of(TABLES[node], PARAMETER_OF.get((argument, node), argument))
    try:
        parsed = yaml.safe_load(text)  # as `-p name:=text` is read by the nodes
    except yaml.YAMLError:
        parsed = text
    try:
        return check(row, parsed if row.kind is not str else text)
    except ConfigurationError as error:
        raise ConfigurationError(
            str(error).replace('parameter ', 'launch argument ', 1)) from None


def given_overrides(context, node_name):
    """Return {parameter: value} for the override arguments given on the command line."""
    values = {}
    for argument, nodes, _ in OVERRIDES:
        text = LaunchConfiguration(argument).perform(context)
        if node_name not in nodes or text == '':
            continue
        value = typed_value(argument, node_name, text)
        # A string stays a string: launch_ros would read device:=0 as the integer 0.
        parameter = PARAMETER_OF.get((argument, node_name), argument)
        values[parameter] = ParameterValue(value, value_type=str) if isinstance(value, str) \
            else value
    return values


def stop_launch_when(executable, always):
    """
    Return the on_exit handler that stops the launch when ``executable`` ends.

    A failure (a non-zero exit code) is raised: launch then logs it, stops every node and
    makes ``ros2 launch`` exit with 1, so a supervisor (systemd, a script) sees it; a Shutdown
    action would leave that exit code 0.
    """
    def on_exit(event, context):
        if context.is_shutdown or (event.returncode == 0 and not always):
            return None
        reason = f'{executable} exited with code {event.returncode}'
        if event.returncode == 0:  # e.g. a lifecycle shutdown; launch says why it stops
            return [Shutdown(reason=reason)]
        raise RuntimeError(f'{reason}: stopping the launch')
    return on_exit


def nodes(context):
    """Return the node actions, with the given arguments checked and applied."""
    for node_name in NODES:
        given_overrides(context, node_name)  # check every argument before starting anything
    params_file = LaunchConfiguration('params_file')
    common = {'package': 'pose_ros', 'namespace': LaunchConfiguration('namespace'),
              'output': 'screen', 'emulate_tty': True}
    return [
        Node(executable='camera_node', name='camera',
             parameters=[params_file, given_overrides(context, 'camera')],
             condition=IfCondition(LaunchConfiguration('use_camera')),
             on_exit=stop_launch_when('camera_node', always=False), **common),
        # Without pose_node nothing is left to do: any exit of it ends the launch.
        Node(executable='pose_node', name='pose',
             parameters=[params_file, given_overrides(context, 'pose')],
             on_exit=stop_launch_when('pose_node', always=True), **common),
        Node(executable='bridge_node', name='pose_bridge',
             parameters=[params_file, given_overrides(context, 'pose_bridge')],
             condition=IfCondition(LaunchConfiguration('use_bridge')),
             on_exit=stop_launch_when('bridge_node', always=False), **common),
    ]


def generate_launch_description():
    """Return the pipeline: camera (optional), pose, bridge (optional)."""
    default_params = os.path.join(get_package_share_directory('pose_ros'), 'config', 'pose.yaml')
    arguments = [
        DeclareLaunchArgument('params_file', default_value=default_params,
                              description='YAML file with the parameters of all three nodes'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='Namespace for all nodes and their topics'),
        DeclareLaunchArgument('use_camera', default_value='true',
                              description='Start camera_node; false when a robot driver '
                              'publishes the images (set image_topic)'),
        DeclareLaunchArgument('use_bridge', default_value='true',
                              description='Start bridge_node (WebSocket feed and viewer)'),
    ]
    arguments += [DeclareLaunchArgument(name, default_value='',
                                        description=f'{text}; empty: as in params_file')
                  for name, _, text in OVERRIDES]
    return LaunchDescription([*arguments, OpaqueFunction(function=nodes)])
