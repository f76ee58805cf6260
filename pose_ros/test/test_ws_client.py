# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Client mode without ROS: FeedPusher against real websockets servers that come and go.

The test servers run on a thread of their own; the pusher runs on a LoopThread, as in
bridge_node, and frames are published from the test's thread.
"""

import asyncio
import json
import random
import socket
import threading
import time

from pose_ros.bridge.client import Backoff, ClientConfig, CONNECTED, FeedPusher
from pose_ros.bridge.json_encoding import encode, encode_hello
from pose_ros.bridge.server import LoopThread
from websockets.asyncio.server import serve


class RecordingLog:
    """A logger that keeps (level, text) pairs, for checking what was logged and how often."""

    def __init__(self):
        self.records = []

    def debug(self, text):
        self.records.append(('debug', text))

    def info(self, text):
        self.records.append(('info', text))

    def warning(self, text):
        self.records.append(('warning', text))

    def error(self, text):
        self.records.append(('error', text))

    def count(self, level, words):
        return sum(1 for lv, text in self.records if lv == level and words in text)


class RecordingServer:
    """A websockets server on its own thread that records what it receives, per session."""

    def __init__(self, port=0, read=True, receive_buffer=None):
        self.port = port
        self.sessions = []
        self._read = read
        self._receive_buffer = receive_buffer
        self._loop = None
        self._stop = None
        self._thread = None

    def start(self):
        ready = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(ready),),
                                        daemon=True)
        self._thread.start()
        assert ready.wait(5), 'test server did not start'
        return self

    def stop(self):
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)
        assert not self._thread.is_alive()

    def messages(self, session=-1):
        return list(self.sessions[session]) if self.sessions else []

    async def _serve(self, ready):
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self._receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._receive_buffer)
        sock.bind(('127.0.0.1', self.port))
        self.port = sock.getsockname()[1]
        async with serve(self._handle, sock=sock, max_size=None, max_queue=1,
                         close_timeout=0.5) as server:
            ready.set()
            await self._stop.wait()
            server.close()

    async def _handle(self, websocket):
        session = []
        self.sessions.append(session)
        if not self._read:
            await self._stop.wait()
            return
        async for message in websocket:
            session.append(json.loads(message))


def start_pusher(port, log, **settings):
    config = ClientConfig(uri=f'ws://127.0.0.1:{port}', **{
        'reconnect_min': 0.1, 'reconnect_max': 0.4, 'stall_timeout': 1.0, **settings})
    pusher = FeedPusher(config, encode_hello(), log, rng=random.Random(1))
    thread = LoopThread(pusher)
    thread.start()
    return pusher, thread


def publish_until(thread, counter, predicate, timeout=5.0, period=0.02, padding=0):
    """Publish numbered frames every ``period`` s until ``predicate()``; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        thread.publish(encode({'type': 'persons', 'index': counter[0], 'pad': 'x' * padding}))
        counter[0] += 1
        time.sleep(period)
    return predicate()


def indices(messages):
    return [m['index'] for m in messages if m['type'] == 'persons']


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_pushes_hello_then_frames_and_resumes_after_the_server_restarts():
    log = RecordingLog()
    server = RecordingServer().start()
    # A long queue, so that frames kept while disconnected would show up after reconnecting.
    pusher, thread = start_pusher(server.port, log, queue_size=1000)
    counter = [0]
    try:
        assert publish_until(thread, counter, lambda: len(indices(server.messages())) >= 10)
        first = server.messages(0)
        assert first[0]['type'] == 'hello' and first[0]['schema'] == 1
        assert indices(first) == sorted(indices(first))

        server.stop()
        assert publish_until(thread, counter, lambda: pusher.state != CONNECTED)
        publish_until(thread, counter, lambda: False, timeout=0.6)  # frames nobody can take
        assert pusher.dropped_disconnected > 0

        restart_index = counter[0]
        server = RecordingServer(port=server.port).start()
        assert publish_until(thread, counter, lambda: len(server.sessions) == 1 and len(
            indices(server.messages(0))) >= 10)
        second = server.messages(0)
        assert second[0]['type'] == 'hello'
        # Nothing published while disconnected was kept for later: no backlog.
        assert min(indices(second)) >= restart_index
        assert pusher.connections == 2
    finally:
        thread.stop()
        server.stop()
    assert log.count('warning', 'lost connection') == 1
    assert log.count('info', 'connected to') == 2
    assert log.count('warning', 'cannot connect') == 0


def test_absent_server_is_logged_once_and_retried_with_backoff():
    log = RecordingLog()
    port = free_port()
    pusher, thread = start_pusher(port, log, reconnect_min=0.05, reconnect_max=0.2)
    counter = [0]
    try:
        publish_until(thread, counter, lambda: False, timeout=1.0)
        attempts = thread.call(lambda: pusher.retries)
        assert pusher.dropped_disconnected == counter[0]
        server = RecordingServer(port=port).start()
        try:
            assert publish_until(thread, counter, lambda: indices(server.messages()))
        finally:
            server.stop()
    finally:
        thread.stop()
    assert 4 <= attempts <= 20, attempts  # about 1 s of waits between 25 and 200 ms
    assert log.count('warning', 'cannot connect') == 1
    assert log.count('info', 'after') == 1  # "connected to ... after N retries"


def test_server_that_stops_reading_is_dropped_and_reconnected():
    log = RecordingLog()
    server = RecordingServer(read=False, receive_buffer=4096).start()
    pusher, thread = start_pusher(server.port, log, stall_timeout=0.5)
    counter = [0]
    try:
        assert publish_until(thread, counter, lambda: pusher.connections >= 2, timeout=8,
                             padding=20000)
    finally:
        thread.stop()
        server.stop()
    assert log.count('warning', 'stopped reading') >= 1


def test_backoff_doubles_with_jitter_up_to_the_cap_and_resets():
    backoff = Backoff(0.5, 4.0, random.Random(3))
    delays = [backoff.next_delay() for _ in range(8)]
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings)), delays
    assert len(set(delays)) == len(delays)  # jittered, so clients do not retry in step
    backoff.reset()
    assert backoff.next_delay() <= 0.5
