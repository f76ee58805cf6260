# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Start-up, spinning and shutdown shared by every pose_ros executable.

``run_nodes`` creates the nodes in order, spins them on one executor until Ctrl-C or until a
node's ``finished`` future is done, turns a configuration error into one fatal line and exit
code 2, and always stops, destroys and shuts down what it started.
"""

from pose_ros.configuration_error import ConfigurationError, EXIT_CONFIGURATION_ERROR
from pose_ros.dds_profile import use_bundled_fastdds_profile
import rclpy
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor

STARTUP_ERRORS = (ConfigurationError, InvalidParameterTypeException,
                  InvalidParameterValueException)
# How long one executor turn may wait; bounds how late a finished future is noticed.
SPIN_TIMEOUT_S = 0.5


def spin_until_done(executor, finished):
    """
    Spin ``executor`` until ``finished`` is done or rclpy shuts down.

    rclpy 7.1's ``spin_until_future_complete`` adds a done-callback to the future on every
    turn, which grows without bound on a long run; this loop adds nothing.
    """
    while rclpy.ok(context=executor.context) and not finished.done():
        executor.spin_once(timeout_sec=SPIN_TIMEOUT_S)


def run_nodes(logger_name, node_factories, args=None, on_started=None):
    """
    Run the nodes that ``node_factories`` create; return the process exit code.

    Each factory is called with no arguments, in order. A node with a ``start()`` method is
    started once created and stopped (``stop()``) before it is destroyed. The first node with
    a ``finished`` future ends the run when it is done, and its result is the exit code;
    without one the run lasts until Ctrl-C or SIGTERM, which give 0.
    """
    use_bundled_fastdds_profile()
    rclpy.init(args=args)
    logger = rclpy.logging.get_logger(logger_name)
    nodes = []
    executor = None
    try:
        for factory in node_factories:
            nodes.append(factory())
            if hasattr(nodes[-1], 'start'):
                nodes[-1].start()
        executor = SingleThreadedExecutor()
        for node in nodes:
            executor.add_node(node)
        if on_started is not None:
            on_started(logger, nodes)
        finished = next((node.finished for node in nodes if hasattr(node, 'finished')), None)
        if finished is None:
            executor.spin()
            return 0
        spin_until_done(executor, finished)
        return finished.result() if finished.done() else 0
    except STARTUP_ERRORS as error:
        logger.fatal(f'cannot start: {error}')
        return EXIT_CONFIGURATION_ERROR
    except (KeyboardInterrupt, ExternalShutdownException):
        return 0
    finally:
        if executor is not None:
            executor.shutdown()
        for node in reversed(nodes):
            if hasattr(node, 'stop'):
                node.stop()
            node.destroy_node()
        rclpy.try_shutdown()
