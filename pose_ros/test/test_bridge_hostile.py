# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Hostile clients against the installed bridge_node, while a healthy client keeps watching.

One bridge_node (default settings, port 0) serves the whole module; an rclpy publisher
sends a camera image and its PersonArray at 30 Hz and a healthy WebSocket client records
every frame. Each attack (500 connections, garbage and oversized frames, ping and header
floods, path traversal, slowloris, foreign origins and rebound names, bad feed options,
video viewers that never read) runs against it; afterwards the healthy client must have kept
receiving frames during the attack, /healthz and the viewer must still be served, and
the bridge's file descriptors and memory must be back where they were. A few checks of
the security defaults use a FeedServer in this process, where that is more direct.
All traffic stays on 127.0.0.1.
"""

import asyncio
import base64
import contextlib
import json
import os
import pathlib
import random
import selectors
import shutil
import socket
import struct
import threading
import time
import urllib.parse

from hypothesis import given, HealthCheck, settings, strategies as st
import numpy as np
from pose_ros.bridge import server as bridge_server
from pose_ros.bridge.access import is_loopback
from pose_ros.bridge.json_encoding import encode_hello
from pose_ros.bridge.server import (CONTENT_SECURITY_POLICY, FeedServer, find_web_dir,
                                    load_web_files, LoopThread, ServerConfig)
from pose_ros.bridge.video_encoding import unpack_video_frame
from pose_ros.bridge_node import BridgeNode
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros_msgs.msg import PersonArray
import psutil
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import (ARTIFACTS, bridge_port, NodeProcess, person_array, raw_websocket,
                         spin_until, split_server_frames)
from sensor_msgs.msg import Image
from test_ws_client import RecordingLog
from websockets.asyncio.client import connect

PUBLISH_HZ = 30.0
MAX_CLIENTS = 16            # bridge_node's default
MAX_MESSAGE_SIZE = 4096     # bridge_node's default
STALL_TIMEOUT = 5.0         # bridge_node's default
OPEN_TIMEOUT = bridge_server.OPEN_TIMEOUT_S
WEB_FILES = load_web_files(find_web_dir())
# Healthy client, during an attack: at least this share of the frames, no longer gap.
MIN_SHARE_DURING_ATTACK = 0.5
MAX_GAP_S = 1.0
MIN_WINDOW_S = 1.5          # an attack over sooner is watched this long anyway
FD_SLACK = 2                # fds the bridge may hold beyond its baseline afterwards
RSS_SLACK = 24 * 2**20


# The module's bridge, publisher and healthy client

class Publisher:
    """Publish an image and its two-person PersonArray at PUBLISH_HZ on a thread."""

    def __init__(self, node):
        self.publisher = node.create_publisher(
            PersonArray, '/pose/persons',
            QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))
        self.images = node.create_publisher(
            Image, '/camera/image_raw', QoSProfile(depth=1,
                                                   reliability=ReliabilityPolicy.RELIABLE))
        # Noise compresses badly: 30-50 kB pictures, enough to fill a socket quickly.
        self.picture = np.random.default_rng(1).integers(0, 255, (240, 320, 3), np.uint8)
        self.node = node
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        assert spin_until(self.node, lambda: self.publisher.get_subscription_count() > 0, 20), \
            'bridge_node never subscribed to /pose/persons'
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        started = time.monotonic()
        for index in range(int(PUBLISH_HZ * 600)):  # bounded: ten minutes at most
            if self._stop.wait(max(0.0, started + index / PUBLISH_HZ - time.monotonic())):
                return
            persons = person_array((1, 42))
            if self.images.get_subscription_count():  # only while a viewer watches video
                self.images.publish(bgr_to_image_msg(self.picture, persons.header))
            self.publisher.publish(persons)


class HealthyClient:
    """A well-behaved feed client on a thread of its own, recording when frames arrive."""

    def __init__(self, port):
        self.port = port
        self.arrivals = []
        self.error = None
        self._ready = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self):
        self._thread.start()
        assert self._ready.wait(10), f'healthy client could not connect: {self.error!r}'
        assert self.wait_for_frames(5, 5.0), 'healthy client got no frames before the attack'
        return self

    def stop(self):
        self._done.set()
        self._thread.join(5)

    def frames_since(self, since):
        return [t for t in list(self.arrivals) if t >= since]

    def wait_for_frames(self, count, timeout, since=None):
        since = time.monotonic() if since is None else since
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.frames_since(since)) >= count:
                return True
            time.sleep(0.05)
        return False

    def check_flow(self, started, ended):
        """Assert frames kept arriving between ``started`` and ``ended``; return the stats."""
        assert self.error is None, f'healthy client failed: {self.error!r}'
        times = [started] + [t for t in list(self.arrivals) if started <= t <= ended] + [ended]
        seconds = max(ended - started, 1e-6)
        received = len(times) - 2
        gap = max(b - a for a, b in zip(times, times[1:]))
        stats = {'seconds': round(seconds, 2), 'frames': received,
                 'rate_hz': round(received / seconds, 1), 'max_gap_s': round(gap, 3)}
        assert received >= MIN_SHARE_DURING_ATTACK * PUBLISH_HZ * seconds - 1, stats
        assert gap < MAX_GAP_S, stats
        return stats

    def _main(self):
        try:
            asyncio.run(self._receive())
        except Exception as error:  # reported by check_flow
            self.error = error
        finally:
            self._ready.set()

    async def _receive(self):
        async with connect(f'ws://127.0.0.1:{self.port}/', proxy=None) as client:
            assert json.loads(await client.recv())['type'] == 'hello'
            self._ready.set()
            while not self._done.is_set():
                try:
                    message = await asyncio.wait_for(client.recv(), 0.2)
                except TimeoutError:
                    continue
                if json.loads(message)['type'] == 'persons':
                    self.arrivals.append(time.monotonic())


class Bridge:
    """The running bridge_node: its port and process, for measuring."""

    def __init__(self, node_process):
        self.node = node_process
        self.port = bridge_port(node_process)
        self.process = psutil.Process(node_process.process.pid)

    def fds(self):
        return self.process.num_fds()

    def rss(self):
        return self.process.memory_info().rss

    def wait_until_disconnected(self, client_port, timeout):
        """Wait until the bridge has no connection from ``client_port``; return whether."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(c.raddr and c.raddr.port == client_port
                       for c in self.process.net_connections('tcp')):
                return True
            time.sleep(0.1)
        return False

    def wait_for_fds(self, limit, timeout):
        """Wait until the bridge holds at most ``limit`` fds; return the last count."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.fds() > limit:
            time.sleep(0.1)
        return self.fds()


def warm_up_video(port):
    """Watch video once, so the encoder's one-off imports are not counted against an attack."""
    sock, status = raw_websocket(port, '/?video=1')
    assert status == 101
    data, deadline = b'', time.monotonic() + 20.0
    while time.monotonic() < deadline:
        frames, _ = split_server_frames(data)
        if any(opcode == 0x2 for opcode, _ in frames):
            break
        data += sock.recv(65536)
    sock.close()
    assert any(opcode == 0x2 for opcode, _ in split_server_frames(data)[0]), 'no picture came'


@pytest.fixture(scope='module')
def bridge(rclpy_session):
    """Yield the module's bridge_node, fed at PUBLISH_HZ by an rclpy publisher."""
    node = rclpy_session.create_node('hostile_test_publisher')
    with NodeProcess('bridge_node', params={'port': 0}) as process:
        running = Bridge(process)
        publisher = Publisher(node)
        publisher.start()
        warm_up_video(running.port)
        try:
            yield running
        finally:
            publisher.stop()
            node.destroy_node()
        assert process.process.poll() is None, 'bridge_node died:\n' + process.output()[-3000:]
        code = process.interrupt()
        output = process.output()
    assert code == 0, output[-3000:]
    assert 'Traceback' not in output, output[-5000:]


class Attack:
    """What a test measures around one attack: the healthy client, fds and memory."""

    def __init__(self, bridge):
        self.bridge = bridge
        self.healthy = HealthyClient(bridge.port).start()
        self.fds_before = bridge.fds()
        self.rss_before = bridge.rss()
        self.started = time.monotonic()
        self.ended = None
        self.stats = {}

    def end(self):
        """Mark the end of the attack and check the healthy client's frames during it."""
        time.sleep(max(0.0, self.started + MIN_WINDOW_S - time.monotonic()))
        self.ended = time.monotonic()
        self.stats['during'] = self.healthy.check_flow(self.started, self.ended)
        return self.stats['during']

    def check_recovered(self, fd_timeout=5.0):
        """Assert the bridge still serves everything and released what the attack held."""
        if self.ended is None:
            self.end()
        after = time.monotonic()
        assert self.healthy.wait_for_frames(10, 3.0, since=after), 'feed stopped after attack'
        self.stats['after'] = self.healthy.check_flow(after, time.monotonic())
        assert_serves_health_and_viewer(self.bridge.port)
        fds = self.bridge.wait_for_fds(self.fds_before + FD_SLACK, fd_timeout)
        self.stats['fds'] = (self.fds_before, fds)
        assert fds <= self.fds_before + FD_SLACK, f'fds {self.fds_before} -> {fds}'
        growth = self.bridge.rss() - self.rss_before
        self.stats['rss_growth_mib'] = round(growth / 2**20, 1)
        assert growth < RSS_SLACK, f'bridge RSS grew by {growth / 2**20:.1f} MiB'
        assert self.bridge.node.process.poll() is None, 'bridge_node died'
        return self.stats

    def close(self):
        self.healthy.stop()


@pytest.fixture
def attack(bridge, request):
    """Yield an Attack (healthy client connected, bridge measured); keep what it measured."""
    measured = Attack(bridge)
    try:
        yield measured
    finally:
        measured.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report = ARTIFACTS / 'hostile_bridge.json'
        results = json.loads(report.read_text()) if report.is_file() else {}
        results[request.node.name] = measured.stats
        report.write_text(json.dumps(results, indent=1))


# Raw HTTP and WebSocket helpers

def upgrade_request(port, path='/', headers=()):
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f'GET {path} HTTP/1.1', f'Host: 127.0.0.1:{port}', 'Upgrade: websocket',
             'Connection: Upgrade', f'Sec-WebSocket-Key: {key}', 'Sec-WebSocket-Version: 13',
             *headers, '', '']
    return '\r\n'.join(lines).encode()


def exchange(port, request: bytes, timeout=5.0):
    """Send raw bytes; return (status or None if closed without answer, head, body)."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b''
        with contextlib.suppress(ConnectionResetError, socket.timeout):
            while chunk := sock.recv(65536):
                data += chunk
    if not data:
        return None, '', b''
    head, _, body = data.partition(b'\r\n\r\n')
    return int(head.split()[1]), head.decode('latin-1'), body


def get(port, path, method='GET', headers=()):
    lines = [f'{method} {path} HTTP/1.1', f'Host: 127.0.0.1:{port}', *headers, '', '']
    return exchange(port, '\r\n'.join(lines).encode('latin-1'))


def assert_serves_health_and_viewer(port):
    status, _, body = get(port, '/healthz')
    assert (status, body) == (200, b'ok\n')
    status, _, body = get(port, '/')
    assert status == 200 and body == WEB_FILES['/'][0]


def ws_frame(opcode, payload=b'', fin=True, masked=True, rsv=0, length=None):
    """Return one client frame; ``length`` overrides the announced payload length."""
    length = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    mask_bit = 0x80 if masked else 0
    if length < 126:
        head += bytes([mask_bit | length])
    elif length < 65536:
        head += bytes([mask_bit | 126]) + struct.pack('!H', length)
    else:
        head += bytes([mask_bit | 127]) + struct.pack('!Q', length)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_until_closed(sock, timeout):
    """Read until the server ends the connection; return (what came, 'eof'|'reset'|'open')."""
    data = b''
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                return data, 'eof'
            data += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        return data, 'reset'
    return data, 'open'


def wait_all_closed(sockets, timeout, started=None):
    """Watch ``sockets`` together; return {socket: (how, seconds from ``started`` to close)}."""
    started = time.monotonic() if started is None else started
    outcome = {sock: ('open', None) for sock in sockets}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while selector.get_map() and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                try:
                    if key.fileobj.recv(65536):
                        continue  # an answer; the end of the connection comes next
                    how = 'eof'
                except ConnectionResetError:
                    how = 'reset'
                except BlockingIOError:
                    continue
                outcome[key.fileobj] = (how, time.monotonic() - started)
                selector.unregister(key.fileobj)
    return outcome


def close_code(data):
    """Return the code of the close frame among unmasked server frames, else None."""
    frames, _ = split_server_frames(data)
    for opcode, payload in frames:
        if opcode == 0x8:
            return struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else 1005
    return None


def open_feed(port):
    sock, status = raw_websocket(port)
    assert status == 101
    return sock


# 500 connections at once

def test_500_concurrent_connections_get_15_feeds_and_503s_and_release_fds(attack, bridge):
    connections = 500
    accepted = MAX_CLIENTS - 1  # the healthy client holds one slot

    async def flood():
        opened = await asyncio.gather(*[asyncio.open_connection('127.0.0.1', bridge.port)
                                        for _ in range(connections)])
        for _, writer in opened:
            writer.write(upgrade_request(bridge.port))
        heads = await asyncio.gather(*[reader.readuntil(b'\r\n\r\n')
                                       for reader, _ in opened])
        statuses = [int(head.split()[1]) for head in heads]
        hellos = 0
        for (reader, _), status in zip(opened, statuses):
            if status == 101:  # a real feed: the hello frame follows
                frame_head = await reader.readexactly(4)
                body = await reader.readexactly(struct.unpack('!H', frame_head[2:])[0])
                hellos += json.loads(body)['type'] == 'hello'
        peak_fds = bridge.fds()
        refused_bodies = {await reader.read() for (reader, _), status in
                          zip(opened, statuses) if status != 101}
        for _, writer in opened:
            writer.close()
        return statuses, hellos, peak_fds, refused_bodies

    statuses, hellos, peak_fds, refused_bodies = asyncio.run(asyncio.wait_for(flood(), 20))
    attack.stats['peak_fds'] = peak_fds
    attack.end()
    assert statuses.count(101) == accepted and hellos == accepted
    assert statuses.count(503) == connections - accepted, sorted(set(statuses))
    assert refused_bodies == {f'too many clients (max_clients={MAX_CLIENTS})\n'.encode()}
    attack.check_recovered()
    sock = open_feed(bridge.port)  # the slots are free again
    sock.close()


# Garbage, malformed and oversized frames

def garbage_before_upgrade(port):
    sock = socket.create_connection(('127.0.0.1', port))
    sock.sendall(random.Random(1).randbytes(4096) + b'\r\n\r\n')
    return sock


def garbage_line_without_end(port):
    sock = socket.create_connection(('127.0.0.1', port))
    sock.sendall(bytes(random.Random(2).choice(b'abc \t%\x00\xff') for _ in range(16384)))
    return sock


def upgraded_then(*frames):
    def attack(port):
        sock = open_feed(port)
        for data in frames:
            sock.sendall(data)
        return sock
    return attack


def ten_megabyte_message(port):
    sock = open_feed(port)
    size = 10 * 2**20
    sock.sendall(ws_frame(0x1, b'x' * 65536, length=size)[:65536 + 14])
    return sock


def ten_megabytes_in_fragments(port):
    sock = open_feed(port)
    chunk = ws_frame(0x0, b'y' * 65536, fin=False)
    with contextlib.suppress(ConnectionResetError, BrokenPipeError):
        sock.sendall(ws_frame(0x1, b'y' * 1024, fin=False))
        for _ in range(160):
            sock.sendall(chunk)
    return sock


HTTP_ERROR = 'an HTTP 4xx, or nothing'
FRAME_ATTACKS = {
    # name: (attack, the close codes expected, or HTTP_ERROR before the upgrade)
    'garbage-before-upgrade': (garbage_before_upgrade, HTTP_ERROR),
    'garbage-line-16k': (garbage_line_without_end, HTTP_ERROR),
    'garbage-after-upgrade': (upgraded_then(random.Random(3).randbytes(8192)),
                              {1002, 1007, 1009}),
    'unmasked': (upgraded_then(ws_frame(0x1, b'hello', masked=False)), {1002}),
    'reserved-opcode': (upgraded_then(ws_frame(0x3, b'??')), {1002}),
    'rsv-bits': (upgraded_then(ws_frame(0x1, b'hi', rsv=0b100)), {1002}),
    'invalid-utf8': (upgraded_then(ws_frame(0x1, b'\xff\xfe\xfd')), {1007}),
    'long-control-frame': (upgraded_then(ws_frame(0x9, b'p' * 126)), {1002}),
    'fragmented-ping': (upgraded_then(ws_frame(0x9, b'p', fin=False)), {1002}),
    'orphan-continuation': (upgraded_then(ws_frame(0x0, b'c')), {1002}),
    'bad-close-code': (upgraded_then(ws_frame(0x8, struct.pack('!H', 999))), {1002}),
    'message-over-max-size': (upgraded_then(ws_frame(0x2, b'z' * (MAX_MESSAGE_SIZE + 1))),
                              {1009}),
    '10MB-message': (ten_megabyte_message, {1009}),
    '10MB-in-fragments': (ten_megabytes_in_fragments, {1009}),
    'fragment-flood': (upgraded_then(ws_frame(0x1, b'a', fin=False),
                                     ws_frame(0x0, b'', fin=False) * 20000,
                                     ws_frame(0x0, b'b')), {1009}),
}


@pytest.mark.parametrize('name', list(FRAME_ATTACKS))
def test_bad_frames_close_only_that_connection(attack, bridge, name):
    hostile, codes = FRAME_ATTACKS[name]
    started = time.monotonic()
    sock = hostile(bridge.port)
    data, how = read_until_closed(sock, timeout=5.0)
    took = time.monotonic() - started
    sock.close()
    if codes == HTTP_ERROR:
        answer = data.split(b'\r\n', 1)[0].decode('latin-1')
        assert answer == '' or answer.startswith('HTTP/1.1 4'), answer
    else:
        answer = close_code(data)  # raw_websocket read the 101 head already
        assert answer in codes, f'{name}: closed with {answer}, expected one of {codes}'
    attack.stats['closed'] = {'answer': answer, 'how': how, 'seconds': round(took, 2)}
    attack.end()
    assert how != 'open', f'{name}: connection still open after 5 s'
    attack.check_recovered()


def test_ping_flood_from_a_client_that_never_reads_is_bounded(attack, bridge):
    # websockets answers each ping with a pong; unread pongs used to pile up in the
    # bridge's memory (250 MiB in 8 s). Now reading pauses and the peer's sends block.
    sock, status = raw_websocket(bridge.port, receive_buffer=4096)
    assert status == 101
    sock.setblocking(False)
    burst = ws_frame(0x9, b'p' * 125) * 512
    pending, sent = b'', 0
    deadline = time.monotonic() + 4.0
    while time.monotonic() < deadline:
        pending = pending or burst
        try:
            count = sock.send(pending)
        except BlockingIOError:
            time.sleep(0.01)
            continue
        except (ConnectionResetError, BrokenPipeError):
            break
        pending, sent = pending[count:], sent + count
    attack.stats['ping_flood_sent_mib'] = round(sent / 2**20, 1)
    growth = bridge.rss() - attack.rss_before
    assert growth < RSS_SLACK, f'bridge RSS grew by {growth / 2**20:.1f} MiB during the flood'
    # The feed to it is stuck too, so stall_timeout ends it (without our reading anything).
    closed = bridge.wait_until_disconnected(sock.getsockname()[1], STALL_TIMEOUT + 3.0)
    sock.close()
    attack.end()
    assert closed, 'the flooding client was never disconnected'
    attack.check_recovered()


def test_oversized_http_headers_are_cut_off_without_holding_memory(attack, bridge):
    header = b'X-Padding: ' + b'a' * 8000 + b'\r\n'
    request = b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n' + header * 127
    sockets = []
    for _ in range(100):  # 100 x 1 MiB of headers, never finished
        sock = socket.create_connection(('127.0.0.1', bridge.port), timeout=5)
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            sock.sendall(request)
        sockets.append(sock)
    outcomes = [how for how, _ in wait_all_closed(sockets, 3.0).values()]
    growth = bridge.rss() - attack.rss_before
    for sock in sockets:
        sock.close()
    attack.stats['closed'] = {how: outcomes.count(how) for how in set(outcomes)}
    attack.end()
    assert 'open' not in outcomes, attack.stats['closed']
    assert growth < RSS_SLACK, f'bridge RSS grew by {growth / 2**20:.1f} MiB'
    big = [f'X-Big-{index}: ' + 'v' * 6000 for index in range(6)]  # 36 KiB of headers
    assert get(bridge.port, '/healthz', headers=big)[0] == 200  # big, but within limits
    attack.check_recovered()


# HTTP: only the viewer files

OUTSIDE_FILES = [pathlib.Path('/etc/passwd'), pathlib.Path(bridge_server.__file__),
                 find_web_dir().parent / 'package.xml']
HOSTILE_REQUESTS = [
    # (method, path, extra header lines, expected status; None = closed without answer)
    ('GET', '/../package.xml', [], 404),
    ('GET', '/../../../../../../etc/passwd', [], 404),
    ('GET', '/%2e%2e/package.xml', [], 404),
    ('GET', '/%2E%2E%2Fpackage.xml', [], 404),
    ('GET', '/..%2f..%2f..%2fetc%2fpasswd', [], 404),
    ('GET', '/%252e%252e/package.xml', [], 404),
    ('GET', '/%252e%252e%252fetc%252fpasswd', [], 404),
    ('GET', '/..\\..\\package.xml', [], 404),
    ('GET', '/%5c..%5cpackage.xml', [], 404),
    ('GET', '\\..\\package.xml', [], 404),
    ('GET', '//etc/passwd', [], 404),
    ('GET', '/etc/passwd', [], 404),
    ('GET', 'file:///etc/passwd', [], 404),
    ('GET', '/index.html%00.py', [], 404),
    ('GET', '/index.html\x00', [], 404),
    ('GET', '/%00', [], 404),
    ('GET', '/viewer.js/..', [], 404),
    ('GET', '/./viewer.js', [], 404),
    ('GET', '/web/index.html', [], 404),
    ('GET', '/server.py', [], 404),
    ('GET', '/bridge/server.py', [], 404),
    ('GET', '/bridge/web/index.html', [], 404),
    ('GET', '/' + 'a' * 4000, [], 404),
    ('GET', '/' + '../' * 3000, [], 414),
    ('GET', '/\u00e9', [], None),  # not ASCII: no valid HTTP request
    ('POST', '/', [], 405),
    ('PUT', '/viewer.js', [], 405),
    ('DELETE', '/healthz', [], 405),
    ('HEAD', '/', [], 405),
    ('OPTIONS', '*', [], 405),
    ('TRACE', '/', [], 405),
    ('get', '/', [], 405),
    ('POST', '/', ['Content-Length: 5'], None),  # bodies are refused outright
    ('GET', '/', ['Upgrade: websocket', 'Upgrade: websocket'], 400),
    ('GET', '/', ['Transfer-Encoding: chunked'], None),
]


def test_hostile_http_requests_never_reach_a_file_outside_the_viewer(attack, bridge):
    secrets = [path.read_bytes()[:64] for path in OUTSIDE_FILES if path.is_file()]
    assert len(secrets) == len(OUTSIDE_FILES)
    observed = []
    for method, path, headers, expected in HOSTILE_REQUESTS:
        lines = [f'{method} {path} HTTP/1.1', 'Host: 127.0.0.1', *headers, '', '']
        status, head, body = exchange(bridge.port, '\r\n'.join(lines).encode('utf-8'))
        observed.append((method, path[:40], status))
        assert status == expected, (method, path[:80], headers, status, body[:200])
        assert not any(secret in body for secret in secrets), (method, path[:80])
        if status is not None and status not in (414, 431):  # those come from websockets
            assert 'X-Content-Type-Options: nosniff' in head
            assert f'Content-Security-Policy: {CONTENT_SECURITY_POLICY}' in head
            assert 'Server:' not in head  # no version banner
        if status == 405:
            assert 'Allow: GET' in head
    attack.stats['requests'] = len(observed)
    attack.check_recovered()


NAMES = ['index.html', 'viewer.js', 'viewer.css', 'healthz', 'package.xml', 'etc/passwd',
         'server.py', 'bridge/server.py', 'web/index.html', 'bridge/web/viewer.js', '']
DIRECTORIES = ['..', '.', '%2e', '%2E%2E', '%252e', '%252e%252e', 'web', 'bridge', '', '~',
               'x%00']
SEPARATORS = ['/', '\\', '%2f', '%2F', '%5c', '%252f']
ENDINGS = ['', '?token=x', '#x', '%00', '/', '/.', ';x', '%3f', '?../../etc/passwd']


@st.composite
def hostile_paths(draw):
    """Return a request path: a file name behind hostile directories, maybe encoded."""
    name = draw(st.sampled_from(NAMES))
    if name and draw(st.booleans()):  # percent-encode one letter, e.g. /%69ndex.html
        index = draw(st.integers(0, len(name) - 1))
        name = name[:index] + f'%{ord(name[index]):02x}' + name[index + 1:]
    path = ''
    for directory in draw(st.lists(st.sampled_from(DIRECTORIES), max_size=3)):
        path += directory + draw(st.sampled_from(SEPARATORS))
    return '/' + path + name + draw(st.sampled_from(ENDINGS))


@pytest.fixture(scope='module')
def in_process_server():
    """Yield the port of a FeedServer in this process, with the installed viewer files."""
    server = FeedServer(ServerConfig(port=0), encode_hello(), WEB_FILES)
    thread = LoopThread(server)
    thread.start()
    yield server.port
    assert thread.stop(5.0)


@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(path=hostile_paths())
def test_any_path_serves_a_viewer_file_only_when_it_names_one_exactly(in_process_server, path):
    status, _, body = get(in_process_server, path)
    looked_up = urllib.parse.urlsplit(path).path
    if looked_up == '/healthz':
        assert (status, body) == (200, b'ok\n')
    elif looked_up in WEB_FILES:
        assert (status, body) == (200, WEB_FILES[looked_up][0])
    else:
        assert status == 404 and body == b'not found\n', (path, status)


# Host and Origin: other web pages and DNS rebinding

# (Host header or None for none, extra header lines, WebSocket upgrade?, expected status)
HOSTILE_ACCESS = [
    ('evil.example:{port}', [], False, 403),
    ('evil.example:{port}', ['Origin: http://evil.example:{port}'], True, 403),
    ('127.0.0.1.evil.example:{port}', [], True, 403),
    ('localhost:{port}@evil.example', [], True, 403),
    ('evil.example:{port}', ['Origin: http://127.0.0.1:{port}'], True, 403),
    ('h' * 8000, [], False, 403),
    (None, [], False, 400),
    (None, [], True, 400),
    ('127.0.0.1:{port}', ['Host: evil.example'], False, 400),
    ('127.0.0.1:{port}', ['Origin: http://evil.example'], True, 403),
    ('127.0.0.1:{port}', ['Origin: http://localhost:{port}.evil.example'], True, 403),
    ('127.0.0.1:{port}', ['Origin: null'], True, 403),
    ('127.0.0.1:{port}', ['Origin: http://' + 'o' * 7000], True, 403),
    ('127.0.0.1:{port}', ['Origin: http://127.0.0.1:{port}', 'Origin: http://evil.example'],
     True, 400),
    ('127.0.0.1:{port}', ['Origin: http://localhost:{port}'], True, 101),
    ('localhost:{port}', [], True, 101),
]


def test_other_web_pages_and_rebound_names_get_no_frame(attack, bridge):
    port = bridge.port
    for host, extra, upgrade, expected in HOSTILE_ACCESS:
        lines = ['GET / HTTP/1.1'] + ([] if host is None else [f'Host: {host}'])
        if upgrade:
            key = base64.b64encode(os.urandom(16)).decode()
            lines += ['Upgrade: websocket', 'Connection: Upgrade', f'Sec-WebSocket-Key: {key}',
                      'Sec-WebSocket-Version: 13']
        request = '\r\n'.join(lines + extra + ['', '']).format(port=port).encode()
        with socket.create_connection(('127.0.0.1', port), timeout=5) as sock:
            sock.sendall(request)
            data, _ = read_until_closed(sock, 1.0 if expected == 101 else 5.0)
        head, _, rest = data.partition(b'\r\n\r\n')
        status = int(head.split()[1])
        assert status == expected, (host and host[:60], extra, status, data[:300])
        assert (b'"type":"hello"' in rest) == (status == 101), (host and host[:60], extra)
    attack.check_recovered()


def test_a_flood_of_foreign_origins_is_refused_and_logged_within_a_budget(attack, bridge):
    before = bridge.node.output().count('refused a feed client')

    async def flood(count):
        async def one(index):
            reader, writer = await asyncio.open_connection('127.0.0.1', bridge.port)
            writer.write(upgrade_request(bridge.port, headers=[
                f'Origin: http://attacker-{index}.example']))
            head = await reader.readuntil(b'\r\n\r\n')
            writer.close()
            return int(head.split()[1])
        return await asyncio.gather(*[one(index) for index in range(count)])
    statuses = asyncio.run(asyncio.wait_for(flood(300), 30))
    attack.end()
    assert statuses == [403] * 300
    time.sleep(0.5)  # let the last log lines reach the file
    logged = bridge.node.output().count('refused a feed client') - before
    attack.stats['lines_logged'] = logged
    assert 1 <= logged <= bridge_server.ACCESS_LOG_BUDGET, logged
    attack.check_recovered()


# Feed options, video and diagnostics

# (request path of a WebSocket upgrade, expected status)
HOSTILE_OPTIONS = [
    ('/?video=maybe', 400), ('/?video=1&video=1', 400), ('/?video=1&video=0', 400),
    ('/?schema=0', 400), ('/?schema=-1', 400), ('/?schema=1.0', 400), ('/?schema=%00', 400),
    ('/?schema=' + '9' * 5000, 400), ('/?schema=%EF%BC%91', 400), ('/?video=%ff%fe', 400),
    ('/?video=1%00', 400), ('/?diagnostics=' + 'x' * 3000, 400),
    ('/?' + '&'.join(f'f{i}=1' for i in range(100)), 400),
    ('/?video=1/../../etc/passwd', 400),
    ('/video', 404), ('/video?video=1', 404), ('/camera/image_raw', 404), ('/%2e%2e/video', 404),
    ('/?video=1&token=', 101), ('/?schema=99&video=0&diagnostics=0&x=%ff', 101),
]


def test_bad_feed_options_get_400_and_video_has_no_path_of_its_own(attack, bridge):
    answers = []
    for path, expected in HOSTILE_OPTIONS:
        sock = socket.create_connection(('127.0.0.1', bridge.port), timeout=5)
        sock.sendall(upgrade_request(bridge.port, path))
        data, _ = read_until_closed(sock, 1.0 if expected == 101 else 5.0)
        sock.close()
        head, _, rest = data.partition(b'\r\n\r\n')
        status = int(head.split()[1])
        answers.append((path[:40], status))
        assert status == expected, (path[:80], status, data[:300])
        assert (b'"type":"hello"' in rest) == (status == 101), path[:80]
    for path in ('/video', '/video.jpg', '/snapshot.png', '/camera/image_raw', '/frame.jpg',
                 '/?video=1'):  # plain GETs: only the viewer files (the page at /)
        status, _, body = get(bridge.port, path)
        assert (status, body) == ((200, WEB_FILES['/'][0]) if path.startswith('/?')
                                  else (404, b'not found\n')), path
    attack.stats['answers'] = answers
    attack.check_recovered()


def test_video_viewers_count_against_max_clients_and_let_go_of_the_images(attack, bridge):
    accepted = MAX_CLIENTS - 1  # the healthy client holds one slot

    async def viewers(count):
        opened = await asyncio.gather(*[asyncio.open_connection('127.0.0.1', bridge.port)
                                        for _ in range(count)])
        for _, writer in opened:
            writer.write(upgrade_request(bridge.port, '/?video=1&diagnostics=1'))
        heads = await asyncio.gather(*[reader.readuntil(b'\r\n\r\n') for reader, _ in opened])
        statuses = [int(head.split()[1]) for head in heads]
        firsts = []
        for (reader, _), status in zip(opened, statuses):
            if status != 101:
                continue
            messages = []
            while len(messages) < 3:  # hello, the video message, then a picture or persons
                frame_head = await reader.readexactly(2)
                length = frame_head[1] & 0x7F
                if length == 126:
                    length = struct.unpack('!H', await reader.readexactly(2))[0]
                elif length == 127:
                    length = struct.unpack('!Q', await reader.readexactly(8))[0]
                messages.append((frame_head[0] & 0x0F, await reader.readexactly(length)))
            firsts.append(messages)
        for _, writer in opened:
            writer.close()
        return statuses, firsts

    statuses, firsts = asyncio.run(asyncio.wait_for(viewers(40), 30))
    attack.end()
    assert statuses.count(101) == accepted and statuses.count(503) == 40 - accepted
    for messages in firsts:
        assert json.loads(messages[0][1])['type'] == 'hello'
        assert json.loads(messages[1][1])['type'] == 'video'
    assert bridge.node.wait_for_output('a viewer wants video: subscribed to', 10)
    assert bridge.node.wait_for_output('no viewer wants video: unsubscribed', 10)
    attack.check_recovered()


def test_a_video_viewer_that_never_reads_is_dropped_with_memory_bounded(attack, bridge):
    sock, status = raw_websocket(bridge.port, '/?video=1', receive_buffer=4096)
    assert status == 101
    sock.sendall(ws_frame(0x1, b'{"type": "video", "enabled": false}'))  # ignored
    sock.sendall(ws_frame(0x2, os.urandom(100)))  # ignored
    time.sleep(2.0)  # pictures pile up at its door meanwhile
    growth = bridge.rss() - attack.rss_before
    closed = bridge.wait_until_disconnected(sock.getsockname()[1], STALL_TIMEOUT + 3.0)
    data, _ = read_until_closed(sock, 2.0)
    sock.close()
    attack.end()
    attack.stats['rss_growth_while_stalled_mib'] = round(growth / 2**20, 1)
    assert closed, 'the video viewer that never reads was not disconnected'
    assert growth < RSS_SLACK, f'bridge RSS grew by {growth / 2**20:.1f} MiB'
    frames, _ = split_server_frames(data)
    pictures = [unpack_video_frame(payload) for opcode, payload in frames if opcode == 0x2]
    assert all(header['type'] == 'video_frame' for header, _ in pictures)
    attack.check_recovered()


# Slowloris: half-open connections

def test_slowloris_connections_time_out_while_everyone_else_is_served(attack, bridge):
    silent = [socket.create_connection(('127.0.0.1', bridge.port)) for _ in range(40)]
    dripping = [socket.create_connection(('127.0.0.1', bridge.port)) for _ in range(30)]
    unfinished = [socket.create_connection(('127.0.0.1', bridge.port)) for _ in range(20)]
    tls = [socket.create_connection(('127.0.0.1', bridge.port)) for _ in range(10)]
    started = time.monotonic()
    for sock in unfinished:  # everything but the blank line that ends the request
        sock.sendall(upgrade_request(bridge.port)[:-2])
    for sock in tls:  # a TLS ClientHello to the plain-text port
        sock.sendall(b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + bytes(range(32, 96)))
    request = upgrade_request(bridge.port)
    stop_dripping = threading.Event()

    def drip():  # one byte per socket every 0.2 s, for as long as the server allows
        for index in range(len(request)):
            for sock in dripping:
                with contextlib.suppress(OSError):
                    sock.send(request[index:index + 1])
            if stop_dripping.wait(0.2):
                return
    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    attackers = silent + dripping + unfinished + tls
    attack.stats['fds_during'] = bridge.fds()

    # Meanwhile the viewer, /healthz and new feed clients are served at once.
    serve_times = []
    for _ in range(3):
        begun = time.monotonic()
        assert_serves_health_and_viewer(bridge.port)
        sock = open_feed(bridge.port)
        sock.close()
        serve_times.append(time.monotonic() - begun)
        time.sleep(1.0)
    attack.stats['serve_s_max'] = round(max(serve_times), 3)
    assert max(serve_times) < 1.0, serve_times

    closed_after = wait_all_closed(attackers, started + OPEN_TIMEOUT + 4.0 - time.monotonic(),
                                   started)
    stop_dripping.set()
    dripper.join(5)
    for sock in attackers:
        sock.close()
    attack.end()
    still_open = sum(how == 'open' for how, _ in closed_after.values())
    closed = sorted(seconds for how, seconds in closed_after.values() if how != 'open')
    attack.stats['closed_after_s'] = [round(closed[0], 2), round(closed[-1], 2)] if closed \
        else None
    assert not still_open, f'{still_open} half-open connections never timed out'
    assert closed[0] > OPEN_TIMEOUT - 1.0, f'one closed after {closed[0]:.1f} s, too early'
    attack.check_recovered()


# Security defaults, checked directly

def test_loopback_is_the_default_address(bridge):
    listening = [c for c in bridge.process.net_connections('tcp')
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == bridge.port]
    assert [c.laddr.ip for c in listening] == ['127.0.0.1']


def announce(**settings):
    """Run BridgeNode._announce on a stand-in node (nothing binds); return what it logged."""
    log = RecordingLog()
    params = {'host': '127.0.0.1', 'token': '', 'max_rate': 0.0, 'allowed_origins': [],
              'allowed_hosts': [], 'video': False, **settings}
    node = type('StandIn', (), {
        'mode': 'server', 'subscription': type('S', (), {'topic_name': '/pose/persons'}),
        'service': type('F', (), {'port': 8765}), 'get_logger': lambda self: log,
        '_param': lambda self, name: params[name]})()
    BridgeNode._announce(node)
    return log


@pytest.mark.parametrize('host, token, warns', [
    ('127.0.0.1', '', False), ('localhost', '', False), ('::1', '', False),
    ('127.0.0.2', '', False), ('0.0.0.0', '', True), ('::', '', True),
    ('192.0.2.7', '', True), ('my-robot.local', '', True), ('0.0.0.0', 'secret', False),
])
def test_listening_beyond_loopback_without_a_token_warns(host, token, warns):
    log = announce(host=host, token=token)
    assert log.count('warning', 'without a token') == int(warns), log.records
    assert is_loopback(host) == (host in ('127.0.0.1', 'localhost', '::1', '127.0.0.2'))


@pytest.mark.parametrize('settings, warning', [
    ({}, None),
    ({'allowed_origins': ['http://localhost:3000']}, None),
    ({'allowed_origins': ['*']}, "allowed_origins contains '*'"),
    ({'allowed_hosts': ['robot.local']}, None),
    ({'allowed_hosts': ['*']}, "allowed_hosts contains '*'"),
])
def test_accepting_any_origin_or_host_warns_at_start(settings, warning):
    warnings = [text for level, text in announce(**settings).records if level == 'warning']
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warning in warnings[0], warnings


@contextlib.contextmanager
def feed_server(**settings):
    config = ServerConfig(**{'port': 0, **settings})
    server = FeedServer(config, encode_hello(), WEB_FILES)
    thread = LoopThread(server)
    thread.start()
    try:
        yield server, thread
    finally:
        assert thread.stop(5.0)


def test_token_is_compared_in_constant_time(monkeypatch):
    compared = []
    original = bridge_server.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)
    monkeypatch.setattr(bridge_server.hmac, 'compare_digest', spy)
    with feed_server(token='s3cret') as (server, _):
        refused, status = raw_websocket(server.port, '/?token=guess')
        refused.close()
        assert status == 403
        sock, status = raw_websocket(server.port, headers=['Authorization: Bearer s3cret'])
        sock.close()
        assert status == 101
        twice = ['Authorization: Bearer s3cret', 'Authorization: Bearer other']
        refused, status = raw_websocket(server.port, headers=twice)
        refused.close()
        assert status == 400  # ambiguous: refused, and not a 500
    assert compared == [(b'guess', b's3cret'), (b's3cret', b's3cret')]


@pytest.mark.parametrize('token, path', [('', '/'), ('s3cret', '/?token=s3cret')],
                         ids=['no-token', 'token-in-the-query'])
def test_a_duplicated_authorization_header_is_refused_however_the_token_is_given(token, path):
    # Two Authorization headers are ambiguous whether or not the server reads them: refuse.
    twice = ['Authorization: Bearer s3cret', 'Authorization: Bearer other']
    with feed_server(token=token) as (server, _):
        refused, status = raw_websocket(server.port, path, headers=twice)
        refused.close()
        assert status == 400
        sock, status = raw_websocket(server.port, path, headers=twice[:1])
        sock.close()
        assert status == 101


def test_viewer_files_are_served_from_memory_loaded_at_start(tmp_path):
    web = tmp_path / 'web'
    shutil.copytree(find_web_dir(), web)
    original = (web / 'viewer.js').read_bytes()
    server = FeedServer(ServerConfig(port=0), encode_hello(), load_web_files(web))
    thread = LoopThread(server)
    thread.start()
    try:
        (web / 'viewer.js').write_text('changed on disk')
        (web / 'secret.html').write_text('added after start')
        (web / 'index.html').unlink()
        assert get(server.port, '/viewer.js')[::2] == (200, original)
        assert get(server.port, '/secret.html')[0] == 404
        assert get(server.port, '/')[0] == 200
    finally:
        assert thread.stop(5.0)


def test_open_timeout_is_configurable_and_drip_feeding_does_not_extend_it():
    with feed_server(open_timeout=1.0) as (server, _):
        sock = socket.create_connection(('127.0.0.1', server.port))
        started = time.monotonic()
        request = upgrade_request(server.port)
        how = 'open'
        for index in range(len(request)):  # one byte every 0.1 s: 20 s for the request
            try:
                sock.send(request[index:index + 1])
                sock.settimeout(0.1)
                if sock.recv(1) == b'':
                    how = 'eof'
                    break
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                how = 'reset'
                break
        took = time.monotonic() - started
        sock.close()
    assert how != 'open' and 0.9 < took < 2.5, (how, took)


def test_client_that_never_answers_pings_is_closed(monkeypatch):
    monkeypatch.setattr(bridge_server, 'PING_TIMEOUT_S', 0.5)
    with feed_server(ping_interval=0.5) as (server, _):
        sock, status = raw_websocket(server.port)  # reads, never answers a ping
        assert status == 101
        started = time.monotonic()
        data, how = read_until_closed(sock, 5.0)
        took = time.monotonic() - started
        sock.close()
    code = close_code(data)
    assert code == 1011 and how != 'open' and took < 3.0, (code, how, took)


@pytest.mark.integration
def test_max_rate_limits_what_every_client_receives(rclpy_session):
    node = rclpy_session.create_node('max_rate_test_publisher')
    with NodeProcess('bridge_node', params={'port': 0, 'max_rate': 5.0}) as process:
        port = bridge_port(process)
        publisher = Publisher(node)
        publisher.start()
        try:
            async def count_frames(seconds):
                async with connect(f'ws://127.0.0.1:{port}/', proxy=None) as client:
                    await client.recv()
                    await client.recv()  # the first persons frame starts the clock
                    received, deadline = 0, time.monotonic() + seconds
                    while (left := deadline - time.monotonic()) > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(client.recv(), left)
                            received += 1
                    return received
            received = asyncio.run(count_frames(3.0))
        finally:
            publisher.stop()
            node.destroy_node()
        assert process.interrupt() == 0
    assert 12 <= received <= 17, f'{received} frames in 3 s at max_rate 5 Hz (30 Hz sent)'
