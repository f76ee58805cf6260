# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Start-up, spinning and shutdown shared by every pose_ros executable.

``run_nodes`` creates every node first (each checks all its parameters in its constructor,
which is fast), then brings each up in order: a managed node (ManagedNode) with
``autostart`` true is configured and activated, one with ``autostart`` false waits for
lifecycle requests; a plain node with a ``start()`` method is started. It spins them on one
executor until Ctrl-C, until a node's ``finished`` future is done, or until every managed
node has been shut down; then it spins on for FINALIZED_LINGER_S, so that the reply to the
last shutdown request is delivered. A configuration error becomes one fatal line and exit
code 2, and whatever was started is always stopped, destroyed and shut down.

Once torch has been imported, Python's own teardown of the interpreter takes seconds (3.8 s
measured on a loaded 2-core machine, longer than launch's 5 s between SIGINT and SIGTERM once
loading is added). So after ROS is completely shut down (nodes destroyed, context shut down
and destroyed, logs flushed), such a process ends at once with ``os._exit``.
"""

import faulthandler
import logging
import os
import signal
import sys
import threading
import time

from pose_ros.configuration_error import ConfigurationError, EXIT_CONFIGURATION_ERROR
from pose_ros.dds_profile import use_bundled_fastdds_profile
from pose_ros.managed_node import ManagedNode, TransitionInterrupted
import rclpy
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.task import Future
from rclpy.utilities import get_default_context

STARTUP_ERRORS = (ConfigurationError, InvalidParameterTypeException,
                  InvalidParameterValueException)
# How long one executor turn may wait; bounds how late a finished future is noticed.
SPIN_TIMEOUT_S = 0.5
# How long the nodes stay up after the last one is shut down, so that the reply to that
# shutdown request reaches the lifecycle manager: the DDS writer sends it from its own thread,
# and an immediate exit lost it in 14 of 45 requests on a loaded 2-core machine.
FINALIZED_LINGER_S = 0.5


def spin_until_done(executor, finished):
    """
    Spin ``executor`` until ``finished`` is done or rclpy shuts down.

    rclpy 7.1's ``spin_until_future_complete`` adds a done-callback to the future on every
    turn, which grows without bound on a long run; this loop adds nothing.
    """
    while rclpy.ok(context=executor.context) and not finished.done():
        executor.spin_once(timeout_sec=SPIN_TIMEOUT_S)


def spin_for(executor, seconds) -> None:
    """Spin ``executor`` for ``seconds`` or until rclpy shuts down."""
    deadline = time.monotonic() + seconds
    while rclpy.ok(context=executor.context) and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=max(0.0, min(SPIN_TIMEOUT_S, deadline - time.monotonic())))


def autostarts(node) -> bool:
    """Return whether node_runner configures and activates ``node`` itself."""
    return not node.has_parameter('autostart') or node.get_parameter('autostart').value


def bring_up(node) -> None:
    """Start ``node`` as its kind and ``autostart`` say."""
    if isinstance(node, ManagedNode):
        if autostarts(node):
            node.bring_up()
        else:
            node.get_logger().info(
                f'unconfigured (autostart is false): waiting for lifecycle transitions on '
                f'{node.get_fully_qualified_name()}/change_state')
    elif hasattr(node, 'start'):
        node.start()


def quiet_interrupts() -> threading.Event:
    """
    Make Ctrl-C only shut rclpy down; return an Event set by each SIGINT.

    Installed before ``rclpy.init``, whose own handler shuts the context down and then calls
    this one. Python's default would also raise KeyboardInterrupt at whatever line runs at
    that moment: inside rclpy's C++ code, an ``except`` block or a finalizer, each of which
    ends in a traceback. The slow steps of a transition check for the shutdown instead
    (ManagedNode.stop_if_shut_down).
    """
    interrupted = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
    return interrupted


def ignore_interrupts() -> None:
    """Ignore SIGINT for the rest of the process (the run is ending anyway)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def take_down(node, logger) -> None:
    """Stop (a plain node) or deactivate and clean up (a managed node), then destroy it."""
    try:
        if isinstance(node, ManagedNode):
            node.release()
        elif hasattr(node, 'stop'):
            node.stop()
    except Exception as error:  # noqa: BLE001 - the other nodes must still be taken down
        logger.error(f'stopping {node.get_name()} failed: {type(error).__name__}: {error}')
    node.destroy_node()


def managed_nodes(nodes) -> list:
    """Return the managed (lifecycle) nodes among ``nodes``."""
    return [node for node in nodes if isinstance(node, ManagedNode)]


def all_finalized(nodes) -> bool:
    """Whether the run has managed nodes and every one of them has been shut down."""
    managed = managed_nodes(nodes)
    return bool(managed) and all(node.finalized.done() for node in managed)


def end_of_run(nodes) -> Future:
    """
    Return a Future done when the run should end, with the exit code as its result.

    The first ``finished`` future of a node gives the code; otherwise the run ends, with 0,
    once every managed node has been shut down. Plain nodes alone never end it.
    """
    ended = Future()

    def end(code):
        if not ended.done():
            ended.set_result(code)

    finished = next((node.finished for node in nodes if hasattr(node, 'finished')), None)
    if finished is not None:
        finished.add_done_callback(lambda future: end(future.result()))
    managed = managed_nodes(nodes)
    for node in managed:
        node.finalized.add_done_callback(
            lambda _: all_finalized(managed) and end(
                max(n.finalized.result() for n in managed)))
    return ended


def run_nodes(logger_name, node_factories, args=None, on_started=None):
    """
    Run the nodes that ``node_factories`` create; return the process exit code.

    Each factory is called with no arguments, in order; then each node is brought up in
    the same order (see the module docstring) and, at the end, taken down in reverse order.
    When torch was imported, the process ends here instead of returning (see above).
    """
    code = _run(logger_name, node_factories, args, on_started)
    if 'torch' in sys.modules:
        get_default_context().destroy()  # the DDS participant leaves the graph cleanly
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _run(logger_name, node_factories, args, on_started):
    try:
        return _run_nodes(logger_name, node_factories, args, on_started)
    except KeyboardInterrupt:  # Ctrl-C that landed while another error was being handled
        return 0


def stopping_by_signal(timeout=1.0) -> bool:
    """Whether rclpy is shutting down after a signal, waiting briefly for its own thread."""
    deadline = time.monotonic() + timeout
    while rclpy.ok():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _run_nodes(logger_name, node_factories, args, on_started):
    faulthandler.enable()  # a crash in native code (torch, DDS) prints every thread's stack
    use_bundled_fastdds_profile()
    interrupted = quiet_interrupts()
    rclpy.init(args=args)
    if interrupted.is_set():  # Ctrl-C before rclpy's handler was there to see it
        rclpy.try_shutdown()
        return 0
    logger = rclpy.logging.get_logger(logger_name)
    nodes, started = [], []
    executor = None
    try:
        for factory in node_factories:
            nodes.append(factory())
        for node in nodes:
            started.append(node)
            bring_up(node)
        executor = SingleThreadedExecutor()
        for node in nodes:
            executor.add_node(node)
        if on_started is not None:
            on_started(logger, nodes)
        ended = end_of_run(nodes)
        spin_until_done(executor, ended)
        if not ended.done():
            return 0
        if all_finalized(nodes):
            spin_for(executor, FINALIZED_LINGER_S)
        return ended.result()
    except STARTUP_ERRORS as error:
        logger.fatal(f'cannot start: {error}')
        return EXIT_CONFIGURATION_ERROR
    except (KeyboardInterrupt, ExternalShutdownException, TransitionInterrupted):
        return 0
    except RuntimeError:  # RCLError, or a Ctrl-C that landed inside rclpy's C++ code
        if not stopping_by_signal():
            raise
        return 0
    finally:
        # Ctrl-C reaches a node twice under ros2 launch (from the terminal, then forwarded):
        # the second must not break the take-down, which is bounded anyway.
        ignore_interrupts()
        if executor is not None:
            executor.shutdown()
        for node in reversed(nodes):
            if node in started:
                take_down(node, logger)
            else:
                node.destroy_node()
        rclpy.try_shutdown()
