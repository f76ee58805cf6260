# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The WebSocket feed server, and the viewer page on the same port; asyncio, no ROS.

Every client has its own sender task and a short queue that drops its oldest frame when
full, so a client that stops reading only loses frames itself; one whose send stays
blocked past ``stall_timeout`` is disconnected. Frames are bytes encoded once (per schema
variant), shared by all clients. What a client gets beyond ``hello`` and ``persons`` it
asks for in its upgrade URL (bridge.feed_options): video pictures go into a one-picture
slot of their own and are sent only when everything before has left, so a slow viewer
loses pictures before it loses persons; the server tells its owner when the first client
wants a kind of extra and when the last one leaves (``on_demand``).

Plain HTTP GETs get the viewer files, ``/healthz``, or 404: only the files loaded at
start-up are ever served, looked up by exact path, so nothing else is reachable.
Other methods get 405, and a request with a duplicated header 400. Every request must name
this bridge in its ``Host`` header, and a WebSocket upgrade from a browser must come from an
allowed ``Origin`` (bridge.access), else 403.

``LoopThread`` runs a service like this one on its own thread and event loop.
"""

import asyncio
import collections
from dataclasses import dataclass
import email.utils
import hmac
import http
import logging
import pathlib
import socket
import struct
import threading
import time
import urllib.parse

from pose_ros.bridge.access import AccessPolicy
from pose_ros.bridge.feed_options import FeedOptions, FeedOptionsError, parse_feed_options
from pose_ros.bridge.json_encoding import encode, SCHEMA_VERSION, video_message
from websockets.asyncio.server import serve, ServerConnection
from websockets.datastructures import Headers, MultipleValuesError
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Response
from websockets.protocol import State

try:  # Linux: the bytes of a socket's send queue the peer has not acknowledged yet
    import fcntl
    import termios
    _SIOCOUTQ = termios.TIOCOUTQ
except (ImportError, AttributeError):  # pragma: no cover - not Linux
    fcntl = None
    _SIOCOUTQ = None

WEB_DIR_NAME = 'web'
HEALTH_PATH = '/healthz'
FEED_PATH = '/'
# Kernel send buffer per client: small enough that a client that stops reading shows up
# as a blocked send within a few frames instead of hiding megabytes of stale data.
SOCKET_SEND_BUFFER = 64 * 1024
LOG_THROTTLE_S = 5.0
ACCESS_LOG_THROTTLE_S = 60.0  # a refused page usually retries forever: one line a minute
ACCESS_LOG_BUDGET = 10        # refusal lines per minute, all origins and hosts together
MAX_THROTTLE_KEYS = 1000
CLOSE_TIMEOUT_S = 1.0   # closing handshake; then the connection is simply dropped
OPEN_TIMEOUT_S = 10.0   # opening handshake, HTTP requests included
PING_TIMEOUT_S = 20.0   # keepalive: a peer that does not answer a ping is gone
MAX_REQUEST_BYTES = 64 * 1024  # HTTP request line and headers; browsers send 1-8 KiB
UNIQUE_HEADERS = ('Upgrade', 'Authorization')   # refused when sent twice, read or not
VIDEO_RETRY_S = 0.02  # while a picture is still on its way, look again this often
# A picture is sent only when at most this much is still waiting to leave for that client
# (the last picture has essentially gone), so persons never queue behind two pictures.
PICTURE_WHEN_UNSENT_BELOW = 16 * 1024
NO_VIDEO = video_message(False, reason='this server offers no video')
CONTENT_TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
}
CONTENT_SECURITY_POLICY = ("default-src 'self'; connect-src 'self' ws: wss:; "
                           "img-src 'self' data:; base-uri 'none'; form-action 'none'")


class PortInUseError(OSError):
    """The configured port is already taken by another process."""


@dataclass
class ServerConfig:
    """Settings of a FeedServer; see docs/websocket.md."""

    host: str = '127.0.0.1'
    port: int = 8765              # 0 picks a free port (see FeedServer.port)
    token: str = ''               # '' = no token needed
    allowed_origins: tuple = ()   # () = no Origin, or this bridge's viewer; ('*',) = any
    allowed_hosts: tuple = ()     # Host names besides loopback and the bound address
    max_clients: int = 16
    queue_size: int = 5           # frames waiting per client before its oldest is dropped
    stall_timeout: float = 5.0    # seconds one send may stay blocked before disconnecting
    max_message_size: int = 4096  # incoming message limit; bigger closes that connection
    ping_interval: float = 20.0
    open_timeout: float = OPEN_TIMEOUT_S  # HTTP request and opening handshake, in seconds


class LogThrottle:
    """
    Let one message per key through every ``period`` seconds, counting the rest.

    With a ``budget``, at most that many messages pass per period whatever their keys, so
    a client that varies the key (an Origin header, say) cannot flood the log either.
    """

    def __init__(self, period=LOG_THROTTLE_S, clock=time.monotonic, budget=None):
        self._period = period
        self._clock = clock
        self._budget = budget
        self._window = (None, 0)   # (start of the budget's period, messages passed in it)
        self._over_budget = 0
        self._last = {}
        self._suppressed = collections.Counter()

    def __call__(self, key):
        """Return None to stay quiet, or the number of messages suppressed since the last."""
        now = self._clock()
        if len(self._last) > MAX_THROTTLE_KEYS:  # keys name hosts: forget the quiet ones
            for stale in [k for k, t in self._last.items() if now - t >= self._period]:
                del self._last[stale]
                self._suppressed.pop(stale, None)
        last = self._last.get(key)
        if last is not None and now - last < self._period:
            self._suppressed[key] += 1
            return None
        if self._budget is not None:
            start, spent = self._window
            if start is None or now - start >= self._period:
                start, spent = now, 0
            if spent >= self._budget:
                self._over_budget += 1
                return None
            self._window = (start, spent + 1)
        self._last[key] = now
        suppressed = self._suppressed.pop(key, 0) + self._over_budget
        self._over_budget = 0
        return suppressed


def find_web_dir() -> pathlib.Path:
    """Return the installed viewer folder: share/pose_ros/web, else the package data."""
    try:
        from ament_index_python.packages import get_package_share_directory
        shared = pathlib.Path(get_package_share_directory('pose_ros')) / WEB_DIR_NAME
        if (shared / 'index.html').is_file():
            return shared
    except (ImportError, LookupError, ValueError):
        pass
    return pathlib.Path(__file__).resolve().parent / WEB_DIR_NAME


def load_web_files(directory) -> dict:
    """Return {'/name': (bytes, content type)} for the files directly in ``directory``."""
    files = {}
    for path in sorted(pathlib.Path(directory).iterdir()):
        content_type = CONTENT_TYPES.get(path.suffix)
        if path.is_file() and content_type:
            files['/' + path.name] = (path.read_bytes(), content_type)
    if '/index.html' in files:
        files['/'] = files['/index.html']
    return files


class _Client:
    """One connected feed client: what it asked for, its queues and counters."""

    def __init__(self, websocket, queue_size, options):
        self.websocket = websocket
        self.options = options
        self.queue = collections.deque(maxlen=queue_size)
        self.video = collections.deque(maxlen=1)  # the newest picture only
        self.wake = asyncio.Event()
        self.sent = 0
        self.dropped = 0
        self.video_sent = 0
        self.video_dropped = 0
        address = websocket.remote_address
        self.host = address[0] if address else 'unknown'
        self.name = f'{address[0]}:{address[1]}' if address else 'client'


class GuardedConnection(ServerConnection):
    """
    A server connection that bounds what one peer can make the server hold in memory.

    * Before the opening handshake completes, a peer may send at most MAX_REQUEST_BYTES
      (the HTTP request); more aborts the connection. websockets alone would buffer up to
      128 header lines of 8 KiB each, for open_timeout seconds, per connection.
    * websockets answers every ping as it arrives; a peer that floods pings and never
      reads would make the server buffer the pongs without limit. While the write buffer
      is above its high-water mark, reading from that peer pauses, so its TCP window
      stops it (and stall_timeout or the keepalive then closes it).
    """

    request_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self.protocol.state is State.CONNECTING:
            self.request_bytes += len(data)
            if self.request_bytes > MAX_REQUEST_BYTES:
                self.transport.abort()
                return
        super().data_received(data)
        if self.paused:  # set by pause_writing(): the write buffer is full
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if not self.recv_messages.paused:  # the message queue may hold reading paused too
            self.transport.resume_reading()


class FeedServer:
    """
    Serve the JSON feed to WebSocket clients and the viewer page over plain HTTP.

    ``hello`` is the encoded ``hello`` message, or {schema: bytes} when several schema
    versions are served. ``video_offer`` is the ``video`` message sent to clients that ask
    for video (None: video is not offered). ``on_demand(kind, wanted)`` is called on the
    loop's thread when the first client asking for ``kind`` ('video', 'diagnostics')
    arrives (True) and when the last one leaves (False).
    """

    def __init__(self, config: ServerConfig, hello, web_files=None, logger=None,
                 video_offer=None, on_demand=None):
        self.config = config
        self.port = None
        self.published = 0
        self._hellos = dict(hello) if isinstance(hello, dict) else {SCHEMA_VERSION: hello}
        offer = video_offer if video_offer is not None else NO_VIDEO
        self._video_enabled = bool(offer['enabled'])
        self._video_status = encode(offer)
        self._on_demand = on_demand
        self._demand = collections.Counter()
        self.wanted_schemas = frozenset()  # read from other threads: replaced, never changed
        self._web_files = web_files if web_files is not None else {}
        self._log = logger or logging.getLogger('pose_ros.bridge.server')
        self._throttle = LogThrottle()
        self._access_throttle = LogThrottle(ACCESS_LOG_THROTTLE_S, budget=ACCESS_LOG_BUDGET)
        self._access = AccessPolicy(config.host, config.allowed_origins, config.allowed_hosts)
        self._clients = set()
        self._stop = None
        # websockets' own logs are replaced by this class's own, throttled ones.
        self._protocol_logger = logging.getLogger('pose_ros.bridge.server.protocol')
        self._protocol_logger.setLevel(logging.CRITICAL + 1)

    @property
    def client_count(self) -> int:
        """Return the number of connected feed clients."""
        return len(self._clients)

    @property
    def schemas(self) -> tuple:
        """Return the schema versions served."""
        return tuple(sorted(self._hellos))

    def queue_lengths(self) -> list:
        """Return how many frames wait in each client's queue (bounded by queue_size)."""
        return [len(client.queue) for client in self._clients]

    def demand(self, kind) -> int:
        """Return how many connected clients want ``kind`` ('video', 'diagnostics')."""
        return self._demand[kind]

    def client_stats(self) -> list:
        """Return each client's options and counters (for tests and benchmarks)."""
        return [{'schema': c.options.schema, 'extras': sorted(c.options.extras),
                 'sent': c.sent, 'dropped': c.dropped, 'video_sent': c.video_sent,
                 'video_dropped': c.video_dropped} for c in self._clients]

    async def run(self, ready=None) -> None:
        """Listen until request_stop(); call ``ready()`` once the port is bound."""
        self._stop = asyncio.Event()
        config = self.config
        try:
            server = await serve(
                self._handle, config.host, config.port, process_request=self._process_request,
                compression=None, max_size=config.max_message_size, max_queue=4,
                ping_interval=config.ping_interval or None, ping_timeout=PING_TIMEOUT_S,
                close_timeout=CLOSE_TIMEOUT_S, open_timeout=config.open_timeout,
                server_header=None, logger=self._protocol_logger,
                create_connection=GuardedConnection)
        except OSError as error:
            if error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUseError(
                    error.errno, f'port {config.port} on {config.host} is already in use '
                    '(another bridge_node, or an old WebSocket server?): stop that process '
                    'or choose another port with port:=<number> (0 picks a free one)'
                ) from error
            raise
        async with server:
            self.port = server.sockets[0].getsockname()[1]
            if ready:
                ready()
            await self._stop.wait()
            if self._clients:
                self._log.info(f'stopping: closing {len(self._clients)} connections')
            server.close()

    def request_stop(self) -> None:
        """Make run() close every connection and return (call on the loop's thread)."""
        if self._stop is not None:
            self._stop.set()

    def publish(self, data) -> None:
        """
        Queue one encoded persons frame for every client (call on the loop's thread).

        ``data`` is the schema-1 bytes, or {schema: bytes} with a variant for each schema
        in ``wanted_schemas``; a client whose variant is missing skips this frame.
        """
        self.published += 1
        variants = data if isinstance(data, dict) else {SCHEMA_VERSION: data}
        for client in self._clients:
            payload = variants.get(client.options.schema)
            if payload is not None:
                self._enqueue(client, payload)

    def publish_extra(self, kind: str, data: bytes) -> None:
        """Queue a JSON message for the clients that asked for ``kind`` (loop's thread)."""
        for client in self._clients:
            if kind in client.options.extras:
                self._enqueue(client, data)

    def publish_video(self, data: bytes) -> None:
        """Offer one binary video frame to every video client; it replaces an unsent one."""
        if not self._video_enabled:
            return
        for client in self._clients:
            if client.options.video:
                if client.video:
                    client.video_dropped += 1
                client.video.append(data)
                client.wake.set()

    def _enqueue(self, client, data):
        if len(client.queue) == client.queue.maxlen:
            client.dropped += 1
            self._warn_throttled(
                f'slow:{client.host}', f'client {client.name} is not keeping up: '
                f'dropped {client.dropped} frames so far')
        client.queue.append(data)
        client.wake.set()

    # HTTP side: everything before (or instead of) the WebSocket upgrade.

    def _process_request(self, connection, request):
        if request.method != 'GET':
            response = _response(http.HTTPStatus.METHOD_NOT_ALLOWED, b'only GET\n',
                                 'text/plain; charset=utf-8')
            response.headers['Allow'] = 'GET'
            return response
        # Two Upgrade or Authorization headers are ambiguous even where this request would not
        # read them (no token, or the token in the query): refused alike.
        duplicated = [name for name in UNIQUE_HEADERS if len(request.headers.get_all(name)) > 1]
        if duplicated:
            return _duplicate_header(duplicated[0])
        try:
            return self._answer(connection, request)
        except MultipleValuesError as error:  # e.g. two Host or Origin headers
            return _duplicate_header(error)

    def _answer(self, connection, request):
        url = urllib.parse.urlsplit(request.path)
        upgrade = request.headers.get('Upgrade', '').lower() == 'websocket'
        host = request.headers.get('Host')
        if host is None:
            return _response(http.HTTPStatus.BAD_REQUEST, b'Host header required\n',
                             'text/plain; charset=utf-8')
        local = connection.local_address[0] if connection.local_address else None
        refusal = self._access.host_refusal(host, local)
        if refusal is not None:
            self._warn_access(f'host:{host}', f'refused a request: {refusal}')
            return _response(http.HTTPStatus.FORBIDDEN, b'host not allowed\n',
                             'text/plain; charset=utf-8')
        if not upgrade:
            if url.path == HEALTH_PATH:
                return _response(http.HTTPStatus.OK, b'ok\n', 'text/plain; charset=utf-8')
            found = self._web_files.get(url.path)
            if found is None:
                return _response(http.HTTPStatus.NOT_FOUND, b'not found\n',
                                 'text/plain; charset=utf-8')
            body, content_type = found
            return _response(http.HTTPStatus.OK, body, content_type)
        if url.path != FEED_PATH:
            return _response(http.HTTPStatus.NOT_FOUND, b'not found\n',
                             'text/plain; charset=utf-8')
        origin = request.headers.get('Origin')
        refusal = self._access.origin_refusal(origin, host, local, self.port)
        if refusal is not None:
            self._warn_access(f'origin:{origin}',
                              f'refused a feed client: {refusal}; {self._access.origin_hint}')
            return _response(http.HTTPStatus.FORBIDDEN, (refusal + '\n').encode(),
                             'text/plain; charset=utf-8')
        refusal = self._refusal(request, url)
        if refusal is not None:
            status, reason = refusal
            self._warn_throttled(f'refused:{status}', f'refused a feed client: {reason}')
            response = _response(status, (reason + '\n').encode(), 'text/plain; charset=utf-8')
            if status == http.HTTPStatus.UNAUTHORIZED:
                response.headers['WWW-Authenticate'] = 'Bearer realm="pose_ros"'
            return response
        try:
            connection.feed_options = parse_feed_options(url.query, self.schemas)
        except FeedOptionsError as error:
            self._warn_throttled('refused:options', f'refused a feed client: {error}')
            return _response(http.HTTPStatus.BAD_REQUEST, f'{error}\n'.encode(),
                             'text/plain; charset=utf-8')
        return None

    def _refusal(self, request, url):
        config = self.config
        if config.token:
            presented = _presented_token(request, url)
            if presented is None:
                return http.HTTPStatus.UNAUTHORIZED, 'token required'
            if not hmac.compare_digest(presented.encode(), config.token.encode()):
                return http.HTTPStatus.FORBIDDEN, 'wrong token'
        if len(self._clients) >= config.max_clients:
            return http.HTTPStatus.SERVICE_UNAVAILABLE, (
                f'too many clients (max_clients={config.max_clients})')
        return None

    # WebSocket side: one handler per accepted connection.

    async def _handle(self, websocket):
        if len(self._clients) >= self.config.max_clients:  # lost a race in the handshake
            await websocket.close(CloseCode.TRY_AGAIN_LATER, 'too many clients')
            return
        limit_send_buffer(websocket)
        options = getattr(websocket, 'feed_options', FeedOptions())
        client = _Client(websocket, self.config.queue_size, options)
        self._clients.add(client)
        self._update_demand(client, +1)
        asked = ''.join(f', {kind}' for kind in sorted(options.extras))
        self._info_throttled(f'connect:{client.host}', f'client {client.name} connected'
                             f' (schema {options.schema}{asked}; {len(self._clients)} connected)')
        sender = asyncio.create_task(self._send_loop(client))
        try:
            async for _ in websocket:  # incoming messages are read and ignored
                pass
        except ConnectionClosed as error:
            if error.sent is not None and error.sent.code in (
                    CloseCode.PROTOCOL_ERROR, CloseCode.MESSAGE_TOO_BIG,
                    CloseCode.INVALID_DATA):
                self._warn_throttled(f'bad-frame:{client.host}',
                                     f'closed client {client.name}: '
                                     f'{error.sent.reason or error.sent.code}')
        finally:
            self._clients.discard(client)
            self._update_demand(client, -1)
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
            video = (f', {client.video_sent} pictures, {client.video_dropped} dropped'
                     if client.options.video else '')
            self._info_throttled(f'disconnect:{client.host}',
                                 f'client {client.name} disconnected after {client.sent} '
                                 f'frames, {client.dropped} dropped{video} '
                                 f'({len(self._clients)} connected)')

    def _update_demand(self, client, change):
        self.wanted_schemas = frozenset(c.options.schema for c in self._clients)
        for kind in client.options.extras:
            if kind == 'video' and not self._video_enabled:
                continue
            before = self._demand[kind]
            self._demand[kind] = before + change
            if (before == 0) != (self._demand[kind] == 0) and self._on_demand is not None:
                try:
                    self._on_demand(kind, self._demand[kind] > 0)
                except Exception as error:  # the owner's bug must not end this connection
                    self._log.error(f'on_demand({kind!r}) failed: {error!r}')

    async def _send_loop(self, client):
        websocket = client.websocket
        try:
            await self._send(websocket, self._hellos[client.options.schema])
            if client.options.video:
                await self._send(websocket, self._video_status)
            while True:
                await client.wake.wait()
                client.wake.clear()
                while client.queue or client.video:
                    if client.queue:
                        await self._send(websocket, client.queue.popleft())
                        client.sent += 1
                    elif unsent_bytes(websocket) <= PICTURE_WHEN_UNSENT_BELOW:
                        await self._send(websocket, client.video.popleft(), text=False)
                        client.video_sent += 1
                    else:  # the last picture is still on its way: persons go first
                        await _wait_for(client.wake, VIDEO_RETRY_S)
                        client.wake.clear()
        except ConnectionClosed:
            pass
        except TimeoutError:
            self._warn_throttled(f'stalled:{client.host}',
                                 f'client {client.name} stopped reading for '
                                 f'{self.config.stall_timeout:g} s: disconnected')
            websocket.transport.abort()
        except Exception as error:  # a bug: end this connection, never the server
            self._log.error(f'sending to client {client.name} failed: {error!r}')
            websocket.transport.abort()

    async def _send(self, websocket, data, text=True):
        async with asyncio.timeout(self.config.stall_timeout):
            await websocket.send(data, text=text)

    def _warn_throttled(self, key, text):
        suppressed = self._throttle(key)
        if suppressed is not None:
            self._log.warning(text + (f' ({suppressed} similar suppressed)' if suppressed else ''))

    def _warn_access(self, key, text):
        suppressed = self._access_throttle(key)
        if suppressed is not None:
            self._log.warning(text + (f' ({suppressed} similar suppressed)' if suppressed else ''))

    def _info_throttled(self, key, text):
        suppressed = self._throttle(key)
        if suppressed is not None:
            self._log.info(text + (f' ({suppressed} similar suppressed)' if suppressed else ''))


async def _wait_for(event, timeout):
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        pass


def _presented_token(request, url):
    for value in urllib.parse.parse_qs(url.query).get('token', []):
        return value
    scheme, _, credentials = request.headers.get('Authorization', '').partition(' ')
    if scheme.lower() == 'bearer' and credentials.strip():
        return credentials.strip()
    return None


def unsent_bytes(websocket) -> int:
    """
    Return the bytes written to a connection that have not left yet.

    That is asyncio's write buffer plus, on Linux, the kernel's send queue (SIOCOUTQ);
    elsewhere the kernel's part is unknown and counts as empty.
    """
    transport = websocket.transport
    unsent = transport.get_write_buffer_size()
    sock = transport.get_extra_info('socket')
    if sock is not None and _SIOCOUTQ is not None:
        try:
            unsent += struct.unpack('i', fcntl.ioctl(sock.fileno(), _SIOCOUTQ, b'\0' * 4))[0]
        except OSError:
            pass
    return unsent


def limit_send_buffer(websocket):
    """Cap the kernel send buffer of a connection, so a stalled peer shows up quickly."""
    sock = websocket.transport.get_extra_info('socket')
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_SEND_BUFFER)
        except OSError:
            pass


def _response(status, body: bytes, content_type: str) -> Response:
    headers = Headers([
        ('Date', email.utils.formatdate(usegmt=True)),
        ('Connection', 'close'),
        ('Content-Length', str(len(body))),
        ('Content-Type', content_type),
        ('Cache-Control', 'no-store'),
        ('X-Content-Type-Options', 'nosniff'),
        ('Content-Security-Policy', CONTENT_SECURITY_POLICY),
    ])
    return Response(status.value, status.phrase, headers, body)


def _duplicate_header(name) -> Response:
    return _response(http.HTTPStatus.BAD_REQUEST, f'duplicate header {name}\n'.encode(),
                     'text/plain; charset=utf-8')


class LoopThread:
    """
    Run an asyncio service on a thread of its own, and feed it frames from other threads.

    The service has ``async run(ready)``, which calls ``ready()`` once it is up, and
    ``publish(data)`` and ``request_stop()``, which are called on the loop's thread.
    """

    def __init__(self, service, name='pose-bridge-loop'):
        self.service = service
        self.error = None
        self._loop = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def start(self, timeout=10.0) -> None:
        """Start the thread; raise what the service raised while starting up."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f'{self._thread.name} did not start within {timeout} s')
        if self.error is not None:
            self._thread.join(timeout)
            raise self.error

    def publish(self, data) -> None:
        """Hand ``data`` to the service's ``publish`` on its loop; never blocks."""
        self.run_soon(self.service.publish, data)

    def run_soon(self, function, *args) -> None:
        """Call ``function(*args)`` on the loop's thread soon; never blocks."""
        loop = self._loop
        if loop is not None and self._thread.is_alive():
            try:
                loop.call_soon_threadsafe(function, *args)
            except RuntimeError:  # the loop closed meanwhile
                pass

    def call(self, function, timeout=5.0):
        """Run ``function()`` on the loop's thread and return its result (for stats)."""
        return asyncio.run_coroutine_threadsafe(_call(function), self._loop).result(timeout)

    def stop(self, timeout=5.0) -> bool:
        """Stop the service and join the thread; return whether it ended in time."""
        loop = self._loop
        if loop is not None and self._thread.is_alive():
            try:
                loop.call_soon_threadsafe(self.service.request_stop)
            except RuntimeError:
                pass
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _main(self):
        try:
            asyncio.run(self._run())
        except Exception as error:
            self.error = error
        finally:
            self._ready.set()

    async def _run(self):
        self._loop = asyncio.get_running_loop()
        await self.service.run(self._ready.set)


async def _call(function):
    return function()
