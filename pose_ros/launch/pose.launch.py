# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Launch camera_node, pose_node and bridge_node with config/pose.yaml.

ros2 launch pose_ros pose.launch.py source:=/path/video.mp4 device:=cuda:0
ros2 launch pose_ros pose.launch.py use_camera:=false image_topic:=/robot/camera/image_raw
ros2 launch pose_ros pose.launch.py use_camera:=false \
    image_topic:=/camera/camera/color/image_raw \
    depth_topic:=/camera/camera/aligned_depth_to_color/image_raw \
    camera_info_topic:=/camera/camera/color/camera_info

Every node takes its parameters from params_file; a launch argument that is given overrides
that file, one that is left out does not.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue

# (argument, node, parameter, type, description); '' as the default means "from params_file".
OVERRIDES = (
    ('source', 'camera', 'source', str,
     'camera_node source: webcam index or /dev/videoN, video file, image folder'),
    ('camera_info_url', 'camera', 'camera_info_url', str,
     'camera_node calibration file: publishes camera/camera_info beside the images'),
    ('image_topic', 'pose', 'image_topic', str, 'Image topic pose_node subscribes to'),
    ('depth_topic', 'pose', 'depth_topic', str,
     'Depth image aligned to the colour image: turns 3D on'),
    ('camera_info_topic', 'pose', 'camera_info_topic', str,
     'CameraInfo of the colour image, used with depth_topic'),
    ('model', 'pose', 'model', str, 'Weights file or export for pose_node'),
    ('device', 'pose', 'device', str, 'auto, cpu or cuda:N'),
    ('half', 'pose', 'half', bool, 'FP16 on CUDA (true/false)'),
    ('tracker', 'pose', 'tracker', str, 'Tracker: pose, bytetrack, botsort or none'),
    ('host', 'pose_bridge', 'host', str, 'Address bridge_node listens on'),
    ('port', 'pose_bridge', 'port', int, 'Port of the WebSocket feed and the viewer'),
)


def _given_overrides(context, node_name):
    """Return {parameter: typed value} for the override arguments given on the command line."""
    values = {}
    for argument, node, parameter, value_type, _ in OVERRIDES:
        text = LaunchConfiguration(argument).perform(context)
        if node != node_name or text == '':
            continue
        if value_type is str:
            # Typed, or launch_ros would read device:=0 as the integer 0.
            values[parameter] = ParameterValue(text, value_type=str)
        elif value_type is bool:
            if text.lower() not in ('true', 'false'):
                raise ValueError(f'launch argument {argument}:={text} must be true or false')
            values[parameter] = text.lower() == 'true'
        else:
            values[parameter] = value_type(text)
    return values


def _nodes(context):
    params_file = LaunchConfiguration('params_file')
    namespace = LaunchConfiguration('namespace')
    common = {'package': 'pose_ros', 'namespace': namespace, 'output': 'screen',
              'emulate_tty': True}
    return [
        Node(executable='camera_node', name='camera',
             parameters=[params_file, _given_overrides(context, 'camera')],
             condition=IfCondition(LaunchConfiguration('use_camera')), **common),
        Node(executable='pose_node', name='pose',
             parameters=[params_file, _given_overrides(context, 'pose')], **common),
        Node(executable='bridge_node', name='pose_bridge',
             parameters=[params_file, _given_overrides(context, 'pose_bridge')],
             condition=IfCondition(LaunchConfiguration('use_bridge')), **common),
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
                  for name, _, _, _, text in OVERRIDES]
    return LaunchDescription([*arguments, OpaqueFunction(function=_nodes)])
