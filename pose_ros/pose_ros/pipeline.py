# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
pose_pipeline: camera, pose and bridge nodes in one process on a multi-threaded executor.

The same parameters as the separate nodes apply (``--ros-args --params-file
config/pose.yaml -p camera:source:=clip.mp4``). Images pass between the nodes in-process,
and it runs where ``ros2 launch`` is not available.

    pose_pipeline [--no-camera] [--no-bridge] --ros-args --params-file pose.yaml
"""

import argparse
import sys

from pose_ros.bridge_node import BridgeNode
from pose_ros.camera_node import CameraNode
from pose_ros.configuration_error import ConfigurationError, EXIT_CONFIGURATION_ERROR
from pose_ros.dds_profile import use_bundled_fastdds_profile
from pose_ros.pose_node import PoseNode
import rclpy
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.utilities import remove_ros_args

STARTUP_ERRORS = (ConfigurationError, InvalidParameterTypeException,
                  InvalidParameterValueException)


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
    use_bundled_fastdds_profile()
    rclpy.init(args=argv)
    logger = rclpy.logging.get_logger('pose_pipeline')
    nodes = []
    status = 0
    try:
        camera = None
        if not options.no_camera:
            camera = CameraNode()
            nodes.append(camera)
        nodes.append(PoseNode())
        if not options.no_bridge:
            bridge = BridgeNode()
            nodes.append(bridge)
            bridge.start()
        executor = MultiThreadedExecutor(num_threads=4)
        for node in nodes:
            executor.add_node(node)
        logger.info(f'running {", ".join(n.get_name() for n in nodes)} in one process')
        if camera is not None:
            executor.spin_until_future_complete(camera.finished)
            status = camera.finished.result() if camera.finished.done() else 0
        else:
            executor.spin()
    except STARTUP_ERRORS as error:
        logger.fatal(f'cannot start: {error}')
        status = EXIT_CONFIGURATION_ERROR
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        for node in reversed(nodes):
            if hasattr(node, 'stop'):
                node.stop()
            node.destroy_node()
        rclpy.try_shutdown()
    return status


if __name__ == '__main__':
    sys.exit(main())
