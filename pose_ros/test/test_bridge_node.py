# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
bridge_node end to end: the installed executable, real DDS, real WebSocket clients.

A PersonArray published by an rclpy node in this process reaches the bridge over DDS;
websockets clients (and raw sockets playing hostile ones) check what comes out.
"""

import asyncio
import json
import random
import socket
import threading
import time

from pose_ros.bridge.rate_limiter import RateLimiter
from pose_ros_msgs.msg import PersonArray
import psutil
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import (ARTIFACTS, bridge_port, http_request, NodeProcess, person_array,
                         raw_websocket, spin_until)
from test_ws_client import RecordingServer
from websockets.asyncio.client import connect

TOPIC = '/pose/persons'


@pytest.fixture
def persons_publisher(rclpy_session):
    """Yield a function that returns a publisher matched with the bridge's subscription."""
    node = rclpy_session.create_node('bridge_test_publisher')
    publisher = node.create_publisher(
        PersonArray, TOPIC, QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE))

    def matched(timeout=20.0):
        assert spin_until(node, lambda: publisher.get_subscription_count() > 0, timeout), \
            'bridge_node never subscribed to ' + TOPIC
        return publisher
    yield matched
    node.destroy_node()


def assert_clean_exit(bridge):
    code = bridge.interrupt()
    output = bridge.output()
    assert code == 0, output
    assert 'Traceback' not in output, output
    assert 'Failed to publish' not in output, output  # no logging into a dead /rosout


def assert_matches(sent, got):
    """Check a decoded persons message against the PersonArray, field by field."""
    stamp = sent.header.stamp
    assert got['type'] == 'persons'
    assert got['stamp'] == pytest.approx(stamp.sec + stamp.nanosec * 1e-9, abs=1e-6)
    assert got['frame_id'] == sent.header.frame_id
    assert (got['width'], got['height']) == (sent.image_width, sent.image_height)
    assert len(got['persons']) == len(sent.persons)
    for person, decoded in zip(sent.persons, got['persons']):
        assert decoded['id'] == person.id
        assert decoded['confirmed'] == person.confirmed
        assert decoded['score'] == pytest.approx(person.score, abs=5e-4)
        assert decoded['bbox'] == pytest.approx(list(person.bbox), abs=0.05)
        assert len(decoded['keypoints']) == 17
        for point, (x, y, confidence) in zip(person.keypoints, decoded['keypoints']):
            assert (x, y) == pytest.approx((point.x, point.y), abs=0.05)
            assert confidence == pytest.approx(point.confidence, abs=5e-4)
        assert decoded['velocity'] == pytest.approx([person.velocity_x, person.velocity_y],
                                                    abs=0.05)


@pytest.mark.integration
def test_feed_matches_the_published_person_array_and_needs_token_and_origin(
        persons_publisher):
    params = {'port': 0, 'token': 'sesame', 'allowed_origins': "['http://viewer.test']"}
    with NodeProcess('bridge_node', params=params) as bridge:
        port = bridge_port(bridge)
        origin = 'Origin: http://viewer.test'
        assert raw_websocket(port, headers=[origin])[1] == 401
        assert raw_websocket(port, '/?token=wrong', headers=[origin])[1] == 403
        assert raw_websocket(port, '/?token=sesame', headers=['Origin: http://evil.test'])[1] \
            == 403
        publisher = persons_publisher()
        sent = person_array((3, 42), width=768, height=576, frame_id='camera_optical')

        async def receive():
            async with connect(f'ws://127.0.0.1:{port}/?token=sesame', proxy=None,
                               origin='http://viewer.test') as client:
                hello = json.loads(await client.recv())
                for _ in range(50):  # until the bridge relays one (bounded: 10 s)
                    publisher.publish(sent)
                    try:
                        return hello, json.loads(await asyncio.wait_for(client.recv(), 0.2))
                    except TimeoutError:
                        pass
                raise AssertionError('no persons message within 10 s')
        hello, got = asyncio.run(receive())
        assert hello['type'] == 'hello' and hello['schema'] == 1
        assert len(hello['keypoints']) == 17 and len(hello['skeleton']) == 19
        assert_matches(sent, got)
        still_connected, status = raw_websocket(port, '/?token=sesame', headers=[origin])
        assert status == 101
        assert_clean_exit(bridge)  # closing a connection while shutting down logs cleanly
        still_connected.close()
        assert 'stopping: closing 1 connections' in bridge.output()


async def first_persons(url, publisher, sent, origin=None):
    """Connect to ``url``; return (hello, first persons), publishing ``sent`` until then."""
    async with connect(url, proxy=None, origin=origin) as client:
        hello = json.loads(await client.recv())
        for _ in range(50):  # until the bridge relays one (bounded: 10 s)
            publisher.publish(sent)
            try:
                return hello, json.loads(await asyncio.wait_for(client.recv(), 0.2))
            except TimeoutError:
                pass
        raise AssertionError('no persons message within 10 s')


@pytest.mark.integration
def test_defaults_refuse_other_web_pages_and_rebound_names(persons_publisher):
    with NodeProcess('bridge_node', params={'port': 0}) as bridge:
        port = bridge_port(bridge)
        publisher = persons_publisher()
        # A page on another site, in a browser on this machine.
        assert raw_websocket(port, headers=['Origin: http://evil.example'])[1] == 403
        # DNS rebinding: evil.example now resolves to 127.0.0.1; its page is same-origin.
        rebound = f'evil.example:{port}'
        assert raw_websocket(port, headers=[f'Origin: http://{rebound}'], host=rebound)[1] \
            == 403
        assert http_request(port, '/', host=rebound)[0] == 403
        # A Python client (no Origin) and the viewer's own origins get the feed.
        sent = person_array((7,))
        for origin in (None, f'http://127.0.0.1:{port}', f'http://localhost:{port}'):
            hello, got = asyncio.run(first_persons(f'ws://127.0.0.1:{port}/', publisher, sent,
                                                   origin))
            assert hello['type'] == 'hello', origin
            assert_matches(sent, got)
        assert_clean_exit(bridge)
        output = bridge.output()
    assert output.count("origin 'http://evil.example' not allowed") == 1, output
    assert 'allowed_origins' in output and 'allowed_hosts' in output, output


@pytest.mark.integration
def test_client_that_never_reads_does_not_starve_a_healthy_one(persons_publisher):
    # The stalled client fills its buffers in about a second, then is dropped 2.5 s later:
    # long enough that a bridge letting it delay the others would fail the checks below.
    params = {'port': 0, 'stall_timeout': 2.5}
    with NodeProcess('bridge_node', params=params) as bridge:
        port = bridge_port(bridge)
        publisher = persons_publisher()
        stalled, status = raw_websocket(port, receive_buffer=4096)
        assert status == 101
        arrivals, ready, done = {}, threading.Event(), threading.Event()

        async def healthy_client():
            async with connect(f'ws://127.0.0.1:{port}/', proxy=None) as client:
                await client.recv()
                ready.set()
                while not done.is_set():
                    try:
                        message = json.loads(await asyncio.wait_for(client.recv(), 0.2))
                    except TimeoutError:
                        continue
                    arrivals[message['stamp']] = time.time()
        reader = threading.Thread(target=asyncio.run, args=(healthy_client(),))
        reader.start()
        assert ready.wait(10)
        rate, seconds = 30.0, 5.0
        stamps, rss = [], []
        process = psutil.Process(bridge.process.pid)
        started = time.monotonic()
        for index in range(int(rate * seconds)):
            time.sleep(max(0.0, started + index / rate - time.monotonic()))
            msg = person_array(tuple(range(1, 11)), width=1920, height=1080)
            stamps.append(msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9)
            publisher.publish(msg)
            if index % 15 == 0:
                rss.append(process.memory_info().rss)
        time.sleep(0.5)
        done.set()
        reader.join(5)
        stalled.close()
        latencies = sorted(arrivals[s] - s for s in stamps if s in arrivals)
        received = len(latencies) / len(stamps)
        p95 = latencies[int(0.95 * len(latencies)) - 1] if latencies else float('inf')
        growth = rss[-1] - rss[1]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / 'slow_client.json').write_text(json.dumps({
            'published': len(stamps), 'received_fraction': round(received, 4),
            'p95_latency_ms': round(p95 * 1000, 2), 'max_latency_ms': round(
                latencies[-1] * 1000, 2) if latencies else None,
            'rss_mib': [round(r / 2**20, 1) for r in rss]}, indent=1))
        assert received >= 0.8, f'healthy client got {received:.0%} of the frames'
        assert p95 < 0.1, f'p95 latency {p95 * 1000:.0f} ms'
        assert growth < 8 * 2**20, f'bridge RSS grew by {growth / 2**20:.1f} MiB'
        assert 'stopped reading' in bridge.output(), bridge.output()
        assert_clean_exit(bridge)


@pytest.mark.integration
def test_port_in_use_fails_fast_naming_the_port_and_the_fix():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        with NodeProcess('bridge_node', params={'port': port}) as bridge:
            assert bridge.wait(20) == 2
            output = bridge.output()
    assert f'port {port} on 127.0.0.1 is already in use' in output
    assert 'port:=' in output and 'Traceback' not in output


@pytest.mark.integration
@pytest.mark.parametrize('params, says', [
    ({'mode': 'bogus'}, 'mode:=bogus is invalid: expected one of server, client'),
    ({'mode': 'client', 'uri': 'http://localhost:8765'}, 'uri:='),
    ({'port': 70000}, 'port'),
    ({'max_clients': 'many'}, 'max_clients'),
    ({'allowed_origins': "['http://localhost:3000/app']"}, 'allowed_origins'),
    ({'allowed_hosts': "['robot.local:8765']"}, 'allowed_hosts'),
], ids=['mode', 'uri', 'port-range', 'type', 'origin', 'host'])
def test_bad_parameters_stop_the_node_with_a_clear_message(params, says):
    with NodeProcess('bridge_node', params=params) as bridge:
        assert bridge.wait(20) == 2
        output = bridge.output()
    assert 'cannot start' in output and says in output, output
    assert 'Traceback' not in output, output


@pytest.mark.integration
def test_client_mode_pushes_and_resumes_after_the_server_restarts(persons_publisher):
    server = RecordingServer().start()
    params = {'mode': 'client', 'uri': f'ws://127.0.0.1:{server.port}',
              'reconnect_min': 0.1, 'reconnect_max': 0.5}
    with NodeProcess('bridge_node', params=params) as bridge:
        try:
            publisher = persons_publisher()
            sent = person_array((5,))

            def publish_until(predicate, timeout=10.0):
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and not predicate():
                    publisher.publish(sent)
                    time.sleep(0.05)
                return predicate()

            def persons(session=-1):
                return [m for m in server.messages(session) if m['type'] == 'persons']
            assert publish_until(lambda: len(persons()) >= 3)
            assert server.messages(0)[0]['type'] == 'hello'
            assert_matches(sent, persons()[0])

            server.stop()
            assert bridge.wait_for_output('lost connection', 10), bridge.output()
            publish_until(lambda: False, timeout=0.5)
            server = RecordingServer(port=server.port).start()
            assert publish_until(lambda: len(server.sessions) == 1 and len(persons(0)) >= 3)
            assert server.messages(0)[0]['type'] == 'hello'
            assert_matches(sent, persons(0)[-1])
            assert_clean_exit(bridge)
        finally:
            server.stop()
        output = bridge.output()
    assert output.count('lost connection') == 1, output
    assert output.count('connected to ws://') == 2, output


def test_rate_limiter_keeps_to_the_rate_without_bursts():
    limiter = RateLimiter(10.0)
    passed = [t / 30 for t in range(90) if limiter.allow(t / 30)]  # 30 Hz for 3 s
    assert len(passed) == 30
    jittered = RateLimiter(30.0)
    rng = random.Random(5)
    times = [i / 30 + rng.uniform(-0.005, 0.005) for i in range(90)]  # 30 Hz, +-5 ms jitter
    assert sum(jittered.allow(t) for t in times) >= 85
    after_pause = RateLimiter(10.0)
    assert after_pause.allow(0.0) and after_pause.allow(5.0)
    assert not after_pause.allow(5.01) and not after_pause.allow(5.04)
    assert RateLimiter(0.0).allow(0.0) and RateLimiter(0.0).allow(0.0)
