# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
FeedServer without ROS: feed, viewer files, access control and hostile clients.

The server runs on its own thread (LoopThread), as in bridge_node, and real websockets
clients or raw sockets talk to it over loopback.
"""

import asyncio
import contextlib
import json
import os
import socket
import struct
import threading
import time

from pose_ros.bridge.json_encoding import encode, encode_hello, video_message
from pose_ros.bridge.server import (FeedServer, find_web_dir, load_web_files, LogThrottle,
                                    LoopThread, PortInUseError, ServerConfig)
import pytest
from ros_helpers import http_request, raw_websocket, split_server_frames
from test_ws_client import RecordingLog
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


@contextlib.contextmanager
def feed_server(**settings):
    """Run a FeedServer with the installed viewer files on a free loopback port."""
    config = ServerConfig(**{'port': 0, 'stall_timeout': 2.0, **settings})
    server = FeedServer(config, encode_hello(), load_web_files(find_web_dir()))
    thread = LoopThread(server)
    thread.start()
    try:
        yield server, thread
    finally:
        assert thread.stop(5.0), 'server thread did not stop'


def run(coroutine, timeout=10.0):
    """Run ``coroutine`` to completion in a fresh loop, failing after ``timeout`` s."""
    async def bounded():
        async with asyncio.timeout(timeout):
            return await coroutine
    return asyncio.run(bounded())


def frame(index, padding=0):
    """Return one encoded persons-like frame carrying its index and send time."""
    return encode({'type': 'persons', 'index': index, 'sent': time.time(),
                   'padding': 'x' * padding})


def feed_url(server, query=''):
    return f'ws://127.0.0.1:{server.port}/{query}'


async def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def read_frames(sock, timeout=3.0):
    """Read unmasked server frames until close or EOF; return [(opcode, payload)]."""
    sock.settimeout(timeout)
    data = b''
    frames = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            complete, data = split_server_frames(data)
            frames += complete
            if frames and frames[-1][0] == 0x8:
                break
    except (socket.timeout, ConnectionResetError):
        pass
    return frames


def masked_frame(opcode, payload):
    """Return a client frame (FIN set, masked) with the given opcode and payload."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


def test_clients_get_hello_then_every_frame_in_order():
    with feed_server(queue_size=32) as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as a, \
                    connect(feed_url(server), proxy=None) as b:
                hellos = [json.loads(await a.recv()), json.loads(await b.recv())]
                assert await wait_for(lambda: server.client_count == 2)
                for index in range(20):
                    thread.publish(frame(index))
                received = [[json.loads(await c.recv())['index'] for _ in range(20)]
                            for c in (a, b)]
                return hellos, received
        hellos, received = run(scenario())
    assert [h['type'] for h in hellos] == ['hello', 'hello']
    assert hellos[0]['schema'] == 1 and len(hellos[0]['keypoints']) == 17
    assert received == [list(range(20)), list(range(20))]


def test_incoming_messages_are_ignored_and_the_feed_goes_on():
    with feed_server() as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as client:
                await client.recv()
                for _ in range(50):
                    await client.send('{"type": "subscribe"}')
                thread.publish(frame(1))
                return json.loads(await client.recv())['index']
        assert run(scenario()) == 1


def test_viewer_files_and_health_are_served_on_the_same_port():
    with feed_server() as (server, _):
        status, head, body = http_request(server.port, '/')
        assert status == 200 and 'text/html' in head and b'viewer.js' in body
        assert 'Content-Security-Policy' in head
        assert http_request(server.port, '/index.html')[2] == body
        status, head, body = http_request(server.port, '/viewer.js')
        assert status == 200 and 'text/javascript' in head and b'poseViewer' in body
        assert http_request(server.port, '/viewer.css')[0] == 200
        assert http_request(server.port, '/healthz')[:3:2] == (200, b'ok\n')


@pytest.mark.parametrize('path', [
    '/../package.xml', '/%2e%2e/package.xml', '/%2E%2E%2Fpackage.xml', '/..%2fpackage.xml',
    '/../../../../etc/passwd', '//etc/passwd', '/web/index.html', '/viewer.js/../../setup.py',
    '/./index.html', '/%2e/index.html', '/json_encoding.py', '/server.py',
    '/bridge/web/index.html', '/bridge/server.py', '/nothing'])
def test_only_the_viewer_files_are_reachable(path):
    with feed_server() as (server, _):
        status, _, body = http_request(server.port, path)
        assert status == 404, body
        assert b'<' not in body and b'import' not in body


def test_feed_lives_at_the_root_only():
    with feed_server() as (server, _):
        sock, status = raw_websocket(server.port, '/viewer.js')
        sock.close()
        assert status == 404


def test_token_is_required_before_the_upgrade():
    with feed_server(token='s3cret') as (server, thread):
        async def attempt(query='', headers=None):
            try:
                async with connect(feed_url(server, query), proxy=None,
                                   additional_headers=headers) as client:
                    return json.loads(await client.recv())['type']
            except InvalidStatus as error:
                return error.response.status_code
        assert run(attempt()) == 401
        assert run(attempt('?token=wrong')) == 403
        assert run(attempt(headers={'Authorization': 'Bearer wrong'})) == 403
        assert run(attempt('?token=s3cret')) == 'hello'
        assert run(attempt(headers={'Authorization': 'Bearer s3cret'})) == 'hello'
        status, head, _ = http_request(server.port, '/')
        assert status == 200  # the page carries no data; it passes ?token= to the feed
        _, status = raw_websocket(server.port, '/')
        assert status == 401


def upgrade_status(port, origin=None, host=None):
    """Return the status of a WebSocket upgrade, and what came after the head (no frame)."""
    headers = [f'Origin: {origin}'] if origin is not None else []
    sock, status = raw_websocket(port, '/', headers=headers, host=host)
    sock.settimeout(0.5 if status != 101 else 2.0)
    try:
        after = sock.recv(65536)
    except (socket.timeout, ConnectionResetError):
        after = b''
    sock.close()
    return status, after


def test_allowed_origins_are_enforced():
    with feed_server(allowed_origins=('http://good.example',)) as (server, _):
        _, status = raw_websocket(server.port, '/', headers=['Origin: http://evil.example'])
        assert status == 403
        _, status = raw_websocket(server.port, '/')
        assert status == 403
        sock, status = raw_websocket(server.port, '/', headers=['Origin: http://good.example'])
        sock.close()
        assert status == 101
        # The list replaces the default: the viewer's own origin is no longer enough.
        assert upgrade_status(server.port, f'http://127.0.0.1:{server.port}')[0] == 403


# (origin, accepted) under the defaults; {port} is the bridge's port.
DEFAULT_ORIGINS = [
    (None, True),                              # not a browser: Python, Node, curl
    ('http://127.0.0.1:{port}', True),         # the viewer, under each loopback name
    ('http://localhost:{port}', True),
    ('http://[::1]:{port}', True),
    ('http://LOCALHOST:{port}', True),         # origins are case-insensitive
    ('http://evil.example', False),            # any other web page
    ('https://evil.example:{port}', False),
    ('http://localhost:3000', False),          # another local server (a dev server)
    ('http://127.0.0.1:{other}', False),
    ('http://127.0.0.1', False),
    ('http://localhost:{port}.evil.example', False),
    ('http://127.0.0.1:{port}@evil.example', False),
    ('null', False),                           # a sandboxed page or a file:// page
    ('file://', False),
    ('', False),
    ('garbage', False),
]


@pytest.mark.parametrize('origin, accepted', DEFAULT_ORIGINS,
                         ids=[str(origin) for origin, _ in DEFAULT_ORIGINS])
def test_default_origins_are_no_origin_and_the_viewers_own(origin, accepted):
    with feed_server() as (server, _):
        if origin is not None:
            origin = origin.format(port=server.port, other=server.port + 1)
        status, after = upgrade_status(server.port, origin)
    if accepted:
        assert status == 101 and b'"type":"hello"' in after, (status, after)
    else:
        assert status == 403, status
        assert b'hello' not in after and b'persons' not in after


def test_a_foreign_origin_is_refused_and_logged_once_naming_the_parameter():
    log = RecordingLog()
    config = ServerConfig(port=0)
    server = FeedServer(config, encode_hello(), load_web_files(find_web_dir()), log)
    thread = LoopThread(server)
    thread.start()
    try:
        for _ in range(5):
            assert upgrade_status(server.port, 'http://evil.example')[0] == 403
        for index in range(30):  # 30 different origins: at most 10 lines a minute in all
            assert upgrade_status(server.port, f'http://evil{index}.example')[0] == 403
    finally:
        assert thread.stop(5.0)
    lines = [text for level, text in log.records if 'refused' in text]
    assert sum("'http://evil.example'" in text for text in lines) == 1, lines
    assert 'allowed_origins' in lines[0] and all(level == 'warning' for level, text in
                                                 log.records if 'refused' in text)
    assert len(lines) == 10, lines


def test_the_viewer_behind_a_tunnel_on_another_port_is_its_own_origin():
    # ssh -L 9000:127.0.0.1:8765: the page and its WebSocket both say 127.0.0.1:9000.
    with feed_server() as (server, _):
        assert upgrade_status(server.port, 'http://127.0.0.1:9000', host='127.0.0.1:9000')[0] \
            == 101
        assert upgrade_status(server.port, 'http://localhost:9000', host='127.0.0.1:9000')[0] \
            == 403


def test_star_accepts_any_origin_and_self_stands_for_the_viewer():
    with feed_server(allowed_origins=('*',)) as (server, _):
        assert upgrade_status(server.port, 'http://evil.example')[0] == 101
        assert upgrade_status(server.port)[0] == 101
    with feed_server(allowed_origins=('self', 'http://localhost:3000/')) as (server, _):
        assert upgrade_status(server.port, 'http://localhost:3000')[0] == 101
        assert upgrade_status(server.port, f'http://localhost:{server.port}')[0] == 101
        assert upgrade_status(server.port, 'http://localhost:3001')[0] == 403
        assert upgrade_status(server.port)[0] == 403


# (Host header, accepted) on a loopback bridge; {port} is its port.
HOSTS = [
    ('127.0.0.1:{port}', True), ('localhost:{port}', True), ('[::1]:{port}', True),
    ('127.0.0.1', True), ('LocalHost:{port}', True), ('127.0.0.2:{port}', True),
    ('evil.example:{port}', False), ('evil.example', False), ('localhost.evil.example', False),
    ('192.168.1.5:{port}', False), ('0.0.0.0:{port}', False), ('', False),
    ('127.0.0.1:{port}@evil.example', False), ('[::1', False), ('127.0.0.1:99999', False),
    ('a' * 5000, False),
]


@pytest.mark.parametrize('host, accepted', HOSTS, ids=[host[:30] for host, _ in HOSTS])
def test_host_must_name_the_bridge_for_pages_and_the_feed(host, accepted):
    with feed_server() as (server, _):
        host = host.format(port=server.port)
        statuses = [http_request(server.port, path, host=host)[0]
                    for path in ('/', '/viewer.js', '/healthz', '/nothing')]
        # A rebound page sends its own name as Host and as Origin: both must be refused.
        status, after = upgrade_status(server.port, f'http://{host}', host=host)
    if accepted:
        assert statuses == [200, 200, 200, 404] and status == 101, (statuses, status)
    else:
        assert statuses == [403] * 4 and status == 403, (statuses, status)
        assert b'hello' not in after


def test_a_request_without_host_gets_400_and_allowed_hosts_adds_names():
    with feed_server(allowed_hosts=('robot.local',)) as (server, _):
        with socket.create_connection(('127.0.0.1', server.port), timeout=5) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\n\r\n')
            assert sock.recv(1024).startswith(b'HTTP/1.1 400')
        port = server.port
        assert http_request(port, '/', host=f'robot.local:{port}')[0] == 200
        assert upgrade_status(port, f'http://robot.local:{port}', host=f'robot.local:{port}')[0] \
            == 101
        assert http_request(port, '/', host=f'other.local:{port}')[0] == 403
    with feed_server(allowed_hosts=('*',)) as (server, _):
        assert http_request(server.port, '/', host='anything.example')[0] == 200


@pytest.mark.parametrize('settings, says', [
    ({'allowed_origins': ('http://localhost:3000/app',)}, 'allowed_origins'),
    ({'allowed_origins': ('localhost:3000',)}, 'allowed_origins'),
    ({'allowed_hosts': ('robot.local:8765',)}, 'allowed_hosts'),
    ({'allowed_hosts': ('http://robot.local',)}, 'allowed_hosts'),
])
def test_bad_access_settings_are_refused_at_once(settings, says):
    with pytest.raises(ValueError) as error:
        FeedServer(ServerConfig(**settings), encode_hello())
    assert says in str(error.value)


def test_max_clients_is_enforced_and_frees_up():
    with feed_server(max_clients=2) as (server, _):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as first, \
                    connect(feed_url(server), proxy=None) as second:
                await first.recv()
                await second.recv()
                with pytest.raises(InvalidStatus) as refused:
                    async with connect(feed_url(server), proxy=None):
                        pass
                assert refused.value.response.status_code == 503
            assert await wait_for(lambda: server.client_count == 0)
            async with connect(feed_url(server), proxy=None) as third:
                return json.loads(await third.recv())['type']
        assert run(scenario()) == 'hello'


@pytest.mark.parametrize('bad_frame, close_code', [
    (b'\x81\x05hello', 1002),                          # unmasked client frame
    (masked_frame(0x3, b'??'), 1002),                  # reserved opcode
    (masked_frame(0x1, b'\xff\xfe'), 1007),            # text that is not UTF-8
], ids=['unmasked', 'reserved-opcode', 'invalid-utf8'])
def test_malformed_frame_closes_only_that_connection(bad_frame, close_code):
    with feed_server() as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as healthy:
                await healthy.recv()
                hostile, status = raw_websocket(server.port)
                assert status == 101
                hostile.sendall(bad_frame)
                frames = await asyncio.to_thread(read_frames, hostile)
                hostile.close()
                assert await wait_for(lambda: server.client_count == 1)  # hostile one gone
                thread.publish(frame(7))
                return frames, json.loads(await healthy.recv())['index']
        frames, index = run(scenario())
    assert frames[-1][0] == 0x8, frames
    assert struct.unpack('!H', frames[-1][1][:2])[0] == close_code
    assert index == 7


def test_oversized_message_closes_only_that_connection():
    with feed_server(max_message_size=1024) as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as healthy, \
                    connect(feed_url(server), proxy=None) as hostile:
                await healthy.recv()
                await hostile.recv()
                await hostile.send('x' * 2000)
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(hostile.recv(), 3)
                thread.publish(frame(9))
                return closed.value.rcvd.code, json.loads(await healthy.recv())['index']
        assert run(scenario()) == (1009, 9)


def test_client_that_never_reads_neither_delays_others_nor_grows_queues():
    settings = {'stall_timeout': 0.5, 'queue_size': 4}
    with feed_server(**settings) as (server, thread):
        async def scenario():
            stalled, status = raw_websocket(server.port, receive_buffer=4096)
            assert status == 101
            latencies, queue_peaks = [], []
            async with connect(feed_url(server), proxy=None, max_size=None) as healthy:
                await healthy.recv()
                assert await wait_for(lambda: server.client_count == 2)

                async def read_all():
                    while True:
                        message = json.loads(await healthy.recv())
                        latencies.append(time.time() - message['sent'])
                        if message['index'] == 99:
                            return
                reader = asyncio.create_task(read_all())
                for index in range(100):  # 100 frames of 20 kB at 50 Hz
                    thread.publish(frame(index, padding=20000))
                    queue_peaks.append(max(thread.call(server.queue_lengths), default=0))
                    await asyncio.sleep(0.02)
                await asyncio.wait_for(reader, 5)
                stalled_gone = await wait_for(lambda: server.client_count == 1, 3)
            stalled.close()
            return latencies, queue_peaks, stalled_gone
        latencies, queue_peaks, stalled_gone = run(scenario(), timeout=20)
    assert len(latencies) >= 95, len(latencies)
    assert sorted(latencies)[int(0.95 * len(latencies))] < 0.1
    assert max(queue_peaks) <= settings['queue_size']
    assert stalled_gone, 'the client that never reads was not disconnected'


def test_port_in_use_fails_fast_naming_the_port():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = FeedServer(ServerConfig(port=port), encode_hello())
        started = time.monotonic()
        with pytest.raises(PortInUseError) as failure:
            LoopThread(server).start()
    assert time.monotonic() - started < 3
    assert f'port {port}' in str(failure.value) and 'port:=' in str(failure.value)


def test_stopping_closes_clients_with_going_away():
    with feed_server() as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as client:
                await client.recv()
                started = time.monotonic()
                await asyncio.to_thread(thread.stop, 5.0)
                with pytest.raises(ConnectionClosed) as closed:
                    await client.recv()
                return closed.value.rcvd.code, time.monotonic() - started
        code, took = run(scenario())
    assert code == 1001 and took < 3


def test_log_throttle_counts_what_it_suppresses():
    now = [0.0]
    throttle = LogThrottle(period=5.0, clock=lambda: now[0])
    assert throttle('a') == 0
    assert throttle('a') is None and throttle('a') is None
    assert throttle('b') == 0
    now[0] = 5.0
    assert throttle('a') == 2


def test_log_throttle_budget_bounds_lines_whatever_the_keys():
    now = [0.0]
    throttle = LogThrottle(period=60.0, clock=lambda: now[0], budget=3)
    passed = [throttle(f'origin:{index}') for index in range(100)]
    assert passed[:3] == [0, 0, 0] and passed[3:] == [None] * 97
    now[0] = 60.0
    assert throttle('origin:new') == 97  # the next line says how many were held back


# Options in the upgrade URL: video, diagnostics, schema

VIDEO_OFFER = video_message(True, topic='/camera/image_raw', compressed=False, quality=75,
                            max_rate=10.0)


@contextlib.contextmanager
def feed_server_with(hello=None, **kwargs):
    """Run a FeedServer with extra constructor arguments (video_offer, on_demand...)."""
    server = FeedServer(ServerConfig(port=0, stall_timeout=2.0), hello or encode_hello(),
                        load_web_files(find_web_dir()), **kwargs)
    thread = LoopThread(server)
    thread.start()
    try:
        yield server, thread
    finally:
        assert thread.stop(5.0), 'server thread did not stop'


@pytest.mark.parametrize('query, expected', [
    ('', 101), ('?video=1', 101), ('?video=0&diagnostics=true', 101), ('?schema=1', 101),
    ('?schema=7', 101), ('?unknown=1&x', 101), ('?video', 101),
    ('?video=maybe', 400), ('?video=1&video=0', 400), ('?schema=0', 400),
    ('?schema=abc', 400), ('?schema=%D9%A1', 400), ('?schema=99999999999999999999', 400),
    ('?schema=1&schema=1', 400), ('?' + '&'.join(f'f{i}=1' for i in range(20)), 400),
    ('?video=%ff', 400), ('?diagnostics=' + 'x' * 3000, 400), ('?other=%ff', 101),
])
def test_feed_options_in_the_url_are_checked_before_the_upgrade(query, expected):
    with feed_server_with(video_offer=VIDEO_OFFER) as (server, _):
        sock, status = raw_websocket(server.port, '/' + query)
        sock.settimeout(2.0)
        body = sock.recv(4096)
        sock.close()
    assert status == expected, (query, status, body)
    if expected == 400:
        assert b'hello' not in body and len(body) < 300


def test_json_only_clients_get_exactly_the_version_1_feed_while_others_get_extras():
    persons = frame(1)
    diagnostics = encode({'type': 'diagnostics', 'values': {'fps': 9.8}})
    picture = b'\x00\x00\x00\x02{}' + b'\xff\xd8jpeg'
    with feed_server_with(video_offer=VIDEO_OFFER) as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as plain, \
                    connect(feed_url(server, '?video=1&diagnostics=1'), proxy=None) as full:
                assert await wait_for(lambda: server.client_count == 2)
                thread.publish(persons)
                thread.run_soon(server.publish_extra, 'diagnostics', diagnostics)
                thread.run_soon(server.publish_video, picture)
                thread.publish(persons)
                got_full = [await full.recv() for _ in range(6)]
                got_plain = [await plain.recv() for _ in range(3)]
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(plain.recv(), 0.5)
                return got_plain, got_full
        got_plain, got_full = run(scenario())
    assert got_plain == [encode_hello().decode(), persons.decode(), persons.decode()]
    assert json.loads(got_full[1]) == VIDEO_OFFER
    assert got_full[0] == encode_hello().decode()
    assert sorted(map(repr, got_full[2:])) == sorted(map(repr, [
        persons.decode(), diagnostics.decode(), picture, persons.decode()]))


def test_demand_is_reported_when_the_first_viewer_comes_and_the_last_goes():
    calls = []
    with feed_server_with(video_offer=VIDEO_OFFER,
                          on_demand=lambda kind, wanted: calls.append((kind, wanted))) as (
            server, _):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as plain:
                await plain.recv()
                assert calls == []
                async with connect(feed_url(server, '?video=1'), proxy=None) as one, \
                        connect(feed_url(server, '?video=1&diagnostics=1'), proxy=None) as two:
                    await one.recv()
                    await two.recv()
                    assert await wait_for(lambda: server.demand('video') == 2)
                    snapshot = list(calls)
                assert await wait_for(lambda: server.demand('video') == 0)
                return snapshot
        during = run(scenario())
    assert sorted(during) == [('diagnostics', True), ('video', True)]
    assert sorted(calls) == [('diagnostics', False), ('diagnostics', True), ('video', False),
                             ('video', True)]


def test_a_client_asking_for_video_where_there_is_none_is_told_why():
    calls = []
    disabled = video_message(False, reason='video is disabled on this bridge (parameter '
                             'video: false)')
    with feed_server_with(video_offer=disabled,
                          on_demand=lambda kind, wanted: calls.append(kind)) as (server, thread):
        async def scenario():
            async with connect(feed_url(server, '?video=1'), proxy=None) as client:
                hello, status = json.loads(await client.recv()), json.loads(await client.recv())
                thread.run_soon(server.publish_video, b'\x00\x00\x00\x02{}picture')
                thread.publish(frame(3))
                return hello, status, json.loads(await client.recv())
        hello, status, after = run(scenario())
    assert hello['type'] == 'hello' and status == disabled and after['index'] == 3
    assert calls == []  # nothing to subscribe to


def test_each_client_gets_the_schema_variant_it_can_read():
    hellos = {1: encode({'type': 'hello', 'schema': 1}), 2: encode({'type': 'hello', 'schema': 2})}
    variants = {1: encode({'type': 'persons', 'v': 1}), 2: encode({'type': 'persons', 'v': 2})}
    with feed_server_with(hello=hellos) as (server, thread):
        async def scenario():
            async with connect(feed_url(server), proxy=None) as old, \
                    connect(feed_url(server, '?schema=2'), proxy=None) as new, \
                    connect(feed_url(server, '?schema=9'), proxy=None) as newer:
                assert await wait_for(lambda: server.client_count == 3)
                wanted = server.wanted_schemas
                thread.publish(variants)
                return wanted, [[json.loads(await c.recv()) for _ in range(2)]
                                for c in (old, new, newer)]
        wanted, received = run(scenario())
    assert wanted == {1, 2}
    assert received == [[{'type': 'hello', 'schema': 1}, {'type': 'persons', 'v': 1}],
                        [{'type': 'hello', 'schema': 2}, {'type': 'persons', 'v': 2}],
                        [{'type': 'hello', 'schema': 2}, {'type': 'persons', 'v': 2}]]


def test_a_slow_viewer_loses_pictures_before_persons():
    # 30 Hz of persons (1 kB) and pictures (60 kB, 1.8 MB/s) to a viewer that reads only
    # 300 kB/s: it must get (nearly) every persons frame and drop most pictures.
    rate, seconds, picture_size = 30, 4.0, 60_000
    with feed_server_with(video_offer=VIDEO_OFFER) as (server, thread):
        sock, status = raw_websocket(server.port, '/?video=1', receive_buffer=16384)
        assert status == 101
        received = {'persons': 0, 'pictures': 0}
        done = threading.Event()

        def slow_reader():
            data = b''
            sock.settimeout(0.5)
            while not done.is_set() or data:
                try:
                    chunk = sock.recv(7500)  # 7.5 kB every 25 ms: 300 kB/s
                except socket.timeout:
                    if done.is_set():
                        break
                    continue
                if not chunk:
                    break
                data += chunk
                frames, data = split_server_frames(data)
                for opcode, payload in frames:
                    if opcode == 0x2:
                        received['pictures'] += 1
                    elif b'"index"' in payload:
                        received['persons'] += 1
                time.sleep(0.025)
        reader = threading.Thread(target=slow_reader, daemon=True)
        reader.start()
        count = int(rate * seconds)
        started = time.monotonic()
        for index in range(count):
            time.sleep(max(0.0, started + index / rate - time.monotonic()))
            thread.publish(frame(index, padding=1000))
            thread.run_soon(server.publish_video, os.urandom(picture_size))
        time.sleep(1.0)
        stats = thread.call(server.client_stats)
        done.set()
        reader.join(10)
        sock.close()
    assert received['persons'] >= 0.95 * count, (received, stats)
    assert received['pictures'] <= 0.5 * count, (received, stats)
    assert stats[0]['video_dropped'] >= 0.5 * count and stats[0]['dropped'] <= 0.05 * count


def test_video_clients_pass_the_same_gate_as_the_feed():
    server = FeedServer(ServerConfig(port=0, token='s3cret', max_clients=1), encode_hello(),
                        video_offer=VIDEO_OFFER)
    thread = LoopThread(server)
    thread.start()
    try:
        port = server.port
        assert raw_websocket(port, '/?video=1')[1] == 401
        assert raw_websocket(port, '/?video=1&token=wrong')[1] == 403
        assert raw_websocket(port, '/?video=1&token=s3cret',
                             headers=['Origin: http://evil.example'])[1] == 403
        assert raw_websocket(port, '/?video=1&token=s3cret', host=f'evil.example:{port}')[1] \
            == 403
        first, status = raw_websocket(port, '/?video=1&token=s3cret')
        assert status == 101
        assert raw_websocket(port, '/?video=1&token=s3cret')[1] == 503  # max_clients=1
        first.close()
    finally:
        assert thread.stop(5.0)
