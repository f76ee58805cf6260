# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Test helpers: spin until a condition holds, and run installed nodes as processes."""

import os
import pathlib
import signal
import subprocess
import tempfile
import time

from ament_index_python.packages import get_package_prefix
import rclpy

ARTIFACTS = pathlib.Path(__file__).resolve().parent / 'artifacts'


def spin_until(nodes, predicate, timeout=10.0, step=0.05):
    """Spin ``nodes`` until ``predicate()`` is true; return whether it became true in time."""
    if not isinstance(nodes, (list, tuple)):
        nodes = [nodes]
    executor = rclpy.executors.SingleThreadedExecutor()
    for node in nodes:
        executor.add_node(node)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if predicate():
                return True
            executor.spin_once(timeout_sec=step)
        return bool(predicate())
    finally:
        for node in nodes:
            executor.remove_node(node)
        executor.shutdown()


def executable(name):
    """Return the path of an installed pose_ros executable, as ``ros2 run`` finds it."""
    return os.path.join(get_package_prefix('pose_ros'), 'lib', 'pose_ros', name)


class NodeProcess:
    """An installed node run as a child process, with its output kept in a log file."""

    def __init__(self, name, ros_args=(), params=None, args=(), env=None):
        command = [executable(name), *args, '--ros-args']
        for key, value in (params or {}).items():
            command += ['-p', f'{key}:={value}']
        command += list(ros_args)
        self.command = command
        self.log = tempfile.NamedTemporaryFile(prefix=f'{name}-', suffix='.log', delete=False)
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            start_new_session=True)

    def output(self):
        """Return everything the process printed so far."""
        return pathlib.Path(self.log.name).read_text(errors='replace')

    def wait_for_output(self, text, timeout=30.0):
        """Wait until ``text`` appears in the output or the process exits; return whether seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if self.process.poll() is not None:
                return text in self.output()
            time.sleep(0.1)
        return False

    def interrupt(self, timeout=15.0):
        """Send SIGINT (Ctrl-C) and return the exit code, killing it if it does not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f'{self.command[0]} ignored SIGINT for {timeout} s:\n'
                                 + self.output()[-3000:])

    def wait(self, timeout=30.0):
        """Wait for the process to exit by itself and return its exit code."""
        return self.process.wait(timeout)

    def kill(self):
        """Kill the process group, for clean-up after a failed test."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        self.log.close()
