# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
pose_pipeline: camera, pose and bridge nodes in one process on one executor.

The same parameters as the separate nodes apply (``--ros-args --params-file
config/pose.yaml -p camera:source:=clip.mp4``). It runs where ``ros2 launch`` is not
available. rclpy has no intra-process shortcut: each image is still serialised and
deserialised through the middleware, as between separate processes.

    pose_pipeline [--no-camera] [--no-bridge] --ros-args --params-file pose.yaml
"""

import argparse
import sys

from pose_ros.bridge_node import BridgeNode
from pose_ros.camera_node import CameraNode
from pose_ros.node_runner import run_nodes
from pose_ros.pose_node import PoseNode
from rclpy.utilities import remove_ros_args


def parse_arguments(argv):
    """Return the pipeline's own options (ROS arguments removed)."""
    parser = argparse.ArgumentParser(prog='pose_pipeline', description=__doc__.split('\n')[1])
    parser.add_argument('--no-camera', action='store_true',
                        help='no camera_node: pose_node uses its image_topic')
    parser.add_argument('--no-bridge', action='store_true', help='no WebSocket bridge')
    return parser.parse_args(remove_ros_args(argv)[1:])


def main(args=None):
    """Run the pipeline until Ctrl-C or the end of a non-looping file; return the exit code."""
    argv = sys.argv if args is None else args
    options = parse_arguments(argv)
    factories = ([] if options.no_camera else [CameraNode]) + [PoseNode]
    factories += [] if options.no_bridge else [BridgeNode]

    def announce(logger, nodes):
        logger.info(f'running {", ".join(n.get_name() for n in nodes)} in one process')

    return run_nodes('pose_pipeline', factories, argv, on_started=announce)


if __name__ == '__main__':
    sys.exit(main())
