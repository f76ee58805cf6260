# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
node_runner: exit codes, clean-up order, and a spin loop that keeps nothing per turn.

run_nodes owns rclpy's default context, so it runs in a child process of its own here;
spin_until_done runs in this process on a separate context.
"""

import subprocess
import sys
import textwrap

from pose_ros.node_runner import spin_until_done
import pytest
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.task import Future

RUNNER_SCRIPT = textwrap.dedent("""
    import sys
    from pose_ros.configuration_error import ConfigurationError
    from pose_ros.node_runner import run_nodes
    from rclpy.node import Node
    from rclpy.task import Future


    class Recorded(Node):
        def __init__(self, name):
            super().__init__(name)
            print('created', name, flush=True)

        def start(self):
            print('started', self.get_name(), flush=True)

        def stop(self):
            print('stopped', self.get_name(), flush=True)

        def destroy_node(self):
            print('destroyed', self.get_name(), flush=True)
            super().destroy_node()


    class FinishesWith7(Recorded):
        def __init__(self):
            super().__init__('finishing')
            self.finished = Future()
            self.ticks = 0
            self.create_timer(0.01, self._tick)

        def _tick(self):
            self.ticks += 1
            if self.ticks == 5:
                self.finished.set_result(7)


    def cannot_start():
        raise ConfigurationError('model "nope.pt" not found; set model:=yolo11n-pose.pt')


    factories = {
        'finish': [lambda: Recorded('first'), FinishesWith7],
        'config_error': [lambda: Recorded('first'), cannot_start],
    }[sys.argv[1]]
    sys.exit(run_nodes('runner_test', factories, sys.argv))
""")


def run_script(case):
    return subprocess.run([sys.executable, '-c', RUNNER_SCRIPT, case], capture_output=True,
                          text=True, timeout=60)


def lines_of(text, *prefixes):
    return [line for line in text.splitlines() if line.startswith(prefixes)]


def test_the_finished_future_ends_the_run_and_gives_the_exit_code():
    result = run_script('finish')
    assert result.returncode == 7, result.stderr
    # Every node is created (its parameters checked) before any is started.
    assert lines_of(result.stdout, 'created', 'started', 'stopped', 'destroyed') == [
        'created first', 'created finishing', 'started first', 'started finishing',
        'stopped finishing', 'destroyed finishing', 'stopped first', 'destroyed first']
    assert 'Traceback' not in result.stderr


def test_a_configuration_error_gives_one_fatal_line_exit_2_and_cleans_up():
    result = run_script('config_error')
    assert result.returncode == 2, result.stderr
    fatal = [line for line in result.stderr.splitlines() if 'cannot start' in line]
    assert len(fatal) == 1 and 'set model:=yolo11n-pose.pt' in fatal[0], result.stderr
    # The first node was never started (the second could not be created): not stopped.
    assert lines_of(result.stdout, 'started', 'stopped', 'destroyed') == ['destroyed first']
    assert 'Traceback' not in result.stderr


class CountingFuture(Future):
    """A Future that counts the done-callbacks added to it."""

    def __init__(self):
        super().__init__()
        self.callbacks_added = 0

    def add_done_callback(self, callback):
        self.callbacks_added += 1
        super().add_done_callback(callback)


@pytest.fixture
def own_context():
    context = Context()
    rclpy.init(context=context)
    yield context
    rclpy.try_shutdown(context=context)


def test_spin_until_done_adds_nothing_to_the_future_however_long_it_spins(own_context):
    node = Node('spin_test', context=own_context)
    executor = SingleThreadedExecutor(context=own_context)
    executor.add_node(node)
    finished = CountingFuture()
    ticks = []

    def tick():
        ticks.append(1)
        if len(ticks) == 300:
            finished.set_result(0)

    node.create_timer(0.001, tick)
    spin_until_done(executor, finished)
    assert finished.done() and len(ticks) == 300
    assert finished.callbacks_added == 0
    executor.shutdown()
    node.destroy_node()


def test_spin_until_done_returns_when_rclpy_shuts_down(own_context):
    node = Node('shutdown_test', context=own_context)
    executor = SingleThreadedExecutor(context=own_context)
    executor.add_node(node)
    timer = node.create_timer(0.05, lambda: (timer.cancel(), own_context.shutdown()))
    spin_until_done(executor, Future())  # never done: only the shutdown can end it
    assert not own_context.ok()
    node.destroy_node()
