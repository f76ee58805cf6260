# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Test helpers: spin until a condition holds, and run installed nodes as processes."""

import importlib.util
import os
import pathlib
import signal
import struct
import subprocess
import sys
import tempfile
import time

from ament_index_python.packages import get_package_prefix
from lifecycle_msgs.srv import ChangeState, GetState
import rclpy

# A folder per suite (its venv): CI runs the Jazzy and Kilted suites at once in one clone.
ARTIFACTS = pathlib.Path(__file__).resolve().parent / 'artifacts' \
    / pathlib.Path(sys.prefix).resolve().name
REPO = pathlib.Path(__file__).resolve().parents[2]


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


def bridge_port(process, timeout=20.0):
    """Return the port a bridge_node process announced it serves on, or fail with its log."""
    import re
    assert process.wait_for_output('serving /pose/persons on ws://', timeout), process.output()
    return int(re.search(r'serving /pose/persons on ws://[^ ]*:(\d+)/', process.output())[1])


def http_request(port, path, headers=(), timeout=5.0, host=None):
    """Send one raw GET with ``path`` sent verbatim; return (status, head, body)."""
    import socket
    host = f'127.0.0.1:{port}' if host is None else host
    lines = [f'GET {path} HTTP/1.1', f'Host: {host}', *headers, '', '']
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as sock:
        sock.sendall('\r\n'.join(lines).encode())
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b''.join(chunks).partition(b'\r\n\r\n')
    return int(head.split()[1]), head.decode('latin-1'), body


def raw_websocket(port, path='/', headers=(), receive_buffer=None, timeout=5.0, host=None):
    """
    Open a WebSocket by hand (e.g. a client that never reads); return (socket, status).

    ``host`` replaces the ``Host`` header (default 127.0.0.1:port), e.g. to play a page
    whose name was rebound to 127.0.0.1.
    """
    import base64
    import socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(timeout)
    sock.connect(('127.0.0.1', port))
    key = base64.b64encode(os.urandom(16)).decode()
    host = f'127.0.0.1:{port}' if host is None else host
    lines = [f'GET {path} HTTP/1.1', f'Host: {host}', 'Upgrade: websocket',
             'Connection: Upgrade', f'Sec-WebSocket-Key: {key}', 'Sec-WebSocket-Version: 13',
             *headers, '', '']
    sock.sendall('\r\n'.join(lines).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        byte = sock.recv(1)  # one byte at a time: leave the frames after the head unread
        if not byte:
            break
        head += byte
    return sock, int(head.split()[1])


def split_server_frames(data):
    """Split whole unmasked server frames off ``data``; return ([(opcode, payload)], rest)."""
    frames = []
    while len(data) >= 2:
        length, offset = data[1] & 0x7F, 2
        if length == 126:
            length, offset = struct.unpack('!H', data[2:4])[0], 4
        elif length == 127:
            length, offset = struct.unpack('!Q', data[2:10])[0], 10
        if len(data) < offset + length:
            break
        frames.append((data[0] & 0x0F, data[offset:offset + length]))
        data = data[offset + length:]
    return frames, data


def load_repo_tool(relative_path):
    """Import a script of the repository (e.g. tools/netns_demo.py) as a module."""
    path = REPO / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def person_array(track_ids=(1, 42), width=640, height=480, stamp=None, frame_id='camera'):
    """Return a PersonArray with a standing figure per track id, side by side, all visible."""
    from pose_ros_msgs.msg import Keypoint, Person, PersonArray
    msg = PersonArray()
    stamp = time.time() if stamp is None else stamp
    msg.header.stamp.sec = int(stamp)
    msg.header.stamp.nanosec = int(round((stamp - int(stamp)) * 1e9)) % 1_000_000_000
    msg.header.frame_id = frame_id
    msg.image_width, msg.image_height = width, height
    # x, y of the COCO-17 points of a figure 1 unit wide and 2 high, head at the top.
    figure = [(0.5, 0.1), (0.45, 0.07), (0.55, 0.07), (0.4, 0.09), (0.6, 0.09),
              (0.3, 0.3), (0.7, 0.3), (0.2, 0.55), (0.8, 0.55), (0.15, 0.8), (0.85, 0.8),
              (0.35, 1.0), (0.65, 1.0), (0.35, 1.45), (0.65, 1.45), (0.35, 1.9), (0.65, 1.9)]
    slot = width / max(len(track_ids), 1)
    size = min(slot * 0.8, height * 0.4)
    for index, track_id in enumerate(track_ids):
        left, top = slot * index + (slot - size) / 2, (height - 2 * size) / 2
        person = Person(id=track_id, confirmed=index % 2 == 0, score=0.875)
        person.bbox = [left, top, left + size, top + 2 * size]
        person.keypoints = [Keypoint(x=left + fx * size, y=top + fy * size,
                                     confidence=0.9 - 0.01 * number)
                            for number, (fx, fy) in enumerate(figure)]
        person.velocity_x, person.velocity_y = 12.5 * track_id, -3.25
        msg.persons.append(person)
    return msg


class Lifecycle:
    """Client of one managed node's lifecycle services, as a lifecycle manager uses them."""

    def __init__(self, node, name):
        self.node = node
        self.name = name
        self._change = node.create_client(ChangeState, f'/{name}/change_state')
        self._get = node.create_client(GetState, f'/{name}/get_state')
        self.answered = False  # whether the last change() got the node's reply

    # DDS can lose a service reply (or request) now and then, mostly just after discovery
    # (ros2/rclcpp#2760); a lifecycle manager asks again, and so do these tests.
    GOAL = {'configure': 'inactive', 'activate': 'active', 'deactivate': 'inactive',
            'cleanup': 'unconfigured', 'shutdown': 'finalized'}

    def _call(self, client, request, timeout):
        """Return the reply, or None if none came within ``timeout`` seconds."""
        assert spin_until(self.node, client.service_is_ready, timeout=20), \
            f'no lifecycle service on /{self.name}'
        future = client.call_async(request)
        if spin_until(self.node, future.done, timeout=timeout):
            return future.result()
        client.remove_pending_request(future)
        return None

    def state(self, attempts=5, timeout=10):
        """Return the node's state label; a query is idempotent, so it is asked again."""
        for _ in range(attempts):
            reply = self._call(self._get, GetState.Request(), timeout / attempts)
            if reply is not None:
                return reply.current_state.label
        raise AssertionError(f'/{self.name} did not answer get_state {attempts} times '
                             f'in {timeout} s')

    def change(self, transition, timeout=10):
        """
        Return whether ``transition`` succeeded; a lost reply is checked with get_state.

        Without a reply, the node's state tells: the transition's goal state means it
        succeeded, any other that it did not (it failed, or the request itself was lost,
        which a test expecting success sees as a failure, with the node's output). A node
        that has left the graph after ``shutdown`` counts as finalized; every caller then
        checks that its process ended with code 0.
        """
        request = ChangeState.Request()
        request.transition.label = transition
        reply = self._call(self._change, request, timeout)
        self.answered = reply is not None
        if reply is not None:
            return reply.success
        if transition == 'shutdown' and not spin_until(self.node, self._get.service_is_ready,
                                                       timeout=2):
            print(f'/{self.name} did not answer change_state(shutdown) in {timeout} s and '
                  f'has left the graph')
            return True
        state = self.state()
        print(f'/{self.name} did not answer change_state({transition}) in {timeout} s; '
              f'its state is {state}')
        return state == self.GOAL.get(transition)
