# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Launch camera_node, pose_node and bridge_node with config/pose.yaml.

ros2 launch pose_ros pose.launch.py source:=/path/video.mp4 device:=cuda:0
ros2 launch pose_ros pose.launch.py use_camera:=false image_topic:=/robot/camera/image_raw
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue


def generate_launch_description():
    """Return the pipeline: camera (optional), pose, bridge (optional)."""
    default_params = os.path.join(get_package_share_directory('pose_ros'), 'config', 'pose.yaml')
    arguments = [
        ('params_file', default_params, 'YAML file with the parameters of all three nodes'),
        ('namespace', '', 'Namespace for all nodes and their topics'),
        ('use_camera', 'true', 'Start camera_node; false when a robot driver publishes images'),
        ('source', '0', 'camera_node source: webcam index or /dev/videoN, video file, folder'),
        ('image_topic', 'camera/image_raw', 'Image topic pose_node subscribes to'),
        ('model', 'yolo11n-pose.pt', 'Weights file or export for pose_node'),
        ('device', 'auto', 'auto, cpu or cuda:N'),
        ('half', 'true', 'FP16 on CUDA'),
        ('tracker', 'pose', 'Tracker: pose, bytetrack, botsort or none'),
        ('use_bridge', 'true', 'Start bridge_node (WebSocket feed and browser viewer)'),
        ('host', '127.0.0.1', 'Address bridge_node listens on'),
        ('port', '8765', 'Port of the WebSocket feed and the viewer'),
    ]
    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, default, description in arguments]
    config = {name: LaunchConfiguration(name) for name, _, _ in arguments}
    params_file = config['params_file']
    namespace = config['namespace']

    def text(name):
        # launch_ros reads a bare substitution as YAML: device:=0 would reach the node as an
        # integer and fail its string declaration, so string parameters stay strings.
        return ParameterValue(config[name], value_type=str)

    camera = Node(
        package='pose_ros', executable='camera_node', name='camera', namespace=namespace,
        parameters=[params_file, {'source': text('source')}],
        condition=IfCondition(config['use_camera']), output='screen', emulate_tty=True)
    pose = Node(
        package='pose_ros', executable='pose_node', name='pose', namespace=namespace,
        parameters=[params_file, {
            'image_topic': text('image_topic'),
            'model': text('model'),
            'device': text('device'),
            'half': ParameterValue(config['half'], value_type=bool),
            'tracker': text('tracker'),
        }],
        output='screen', emulate_tty=True)
    bridge = Node(
        package='pose_ros', executable='bridge_node', name='pose_bridge', namespace=namespace,
        parameters=[params_file, {
            'host': text('host'),
            'port': ParameterValue(config['port'], value_type=int),
        }],
        # bridge_node subscribes to the absolute /pose/persons; follow the namespace instead.
        remappings=[('/pose/persons', 'pose/persons')],
        condition=IfCondition(config['use_bridge']), output='screen', emulate_tty=True)
    return LaunchDescription([*declared, camera, pose, bridge])
