# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Client mode: push the JSON feed to a remote WebSocket server, reconnecting forever.

Frames published while disconnected are dropped (and counted), never queued, so a server
that comes back gets live frames and not a backlog. While connected, a short queue drops
its oldest frame when the server reads too slowly, and a send blocked past
``stall_timeout`` drops the connection. Reconnection waits grow exponentially with
jitter. Each state change is logged once. Runs on a LoopThread (see bridge.server), no ROS.
"""

import asyncio
import collections
from dataclasses import dataclass
import logging
import random

from pose_ros.bridge.server import (CLOSE_TIMEOUT_S, limit_send_buffer, OPEN_TIMEOUT_S,
                                    PING_TIMEOUT_S)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.uri import parse_uri

CONNECTING = 'connecting'
CONNECTED = 'connected'
DISCONNECTED = 'disconnected'


@dataclass
class ClientConfig:
    """Settings of a FeedPusher; see docs/websocket.md."""

    uri: str = 'ws://localhost:8765'
    queue_size: int = 5
    stall_timeout: float = 5.0
    max_message_size: int = 4096
    reconnect_min: float = 0.5
    reconnect_max: float = 10.0
    ping_interval: float = 20.0


class Backoff:
    """Exponential reconnection delays with jitter: each in [d/2, d], d doubling to a cap."""

    def __init__(self, minimum, maximum, rng=None):
        self._minimum = minimum
        self._maximum = maximum
        self._rng = rng or random.Random()
        self.attempts = 0

    def next_delay(self) -> float:
        """Return the wait before the next attempt, and count the attempt."""
        ceiling = min(self._maximum, self._minimum * 2 ** min(self.attempts, 30))
        self.attempts += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        """Start again from the shortest delay (after a successful connection)."""
        self.attempts = 0


class FeedPusher:
    """Connect out to ``config.uri`` and send the hello, then every published frame."""

    def __init__(self, config: ClientConfig, hello: bytes, logger=None, rng=None):
        parse_uri(config.uri)  # raises websockets.exceptions.InvalidURI at once
        self.config = config
        self.state = CONNECTING
        self.connections = 0
        self.sent = 0
        self.dropped_disconnected = 0
        self.dropped_slow = 0
        self._hello = hello
        self._log = logger or logging.getLogger('pose_ros.bridge.client')
        self._backoff = Backoff(config.reconnect_min, config.reconnect_max, rng)
        self._queue = collections.deque(maxlen=config.queue_size)
        self._slow_logged = False
        self._wake = None
        self._stop = None
        self._protocol_logger = logging.getLogger('pose_ros.bridge.client.protocol')
        self._protocol_logger.setLevel(logging.CRITICAL + 1)

    @property
    def retries(self) -> int:
        """Return the failed attempts since the last successful connection."""
        return self._backoff.attempts

    async def run(self, ready=None) -> None:
        """Connect, push, reconnect until request_stop(); ``ready()`` is called at once."""
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        if ready:
            ready()
        self._log.info(f'client mode: connecting to {self.config.uri}')
        while not self._stop.is_set():
            reason = await self._connect_and_push()
            if self._stop.is_set():
                break
            delay = self._backoff.next_delay()
            self._set_disconnected(reason, delay)
            try:
                async with asyncio.timeout(delay):
                    await self._stop.wait()
            except TimeoutError:
                pass

    def request_stop(self) -> None:
        """Make run() close the connection and return (call on the loop's thread)."""
        if self._stop is not None:
            self._stop.set()
            self._wake.set()

    def publish(self, data: bytes) -> None:
        """Queue one encoded frame if connected, else drop it (call on the loop's thread)."""
        if self.state != CONNECTED:
            self.dropped_disconnected += 1
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped_slow += 1
            if not self._slow_logged:
                self._slow_logged = True
                self._log.warning(f'{self.config.uri} reads too slowly: dropping the oldest '
                                  'frames')
        self._queue.append(data)
        self._wake.set()

    async def _connect_and_push(self):
        """Run one connection; return why it ended, as text for the log."""
        config = self.config
        try:
            async with connect(
                    config.uri, compression=None, proxy=None, max_size=config.max_message_size,
                    max_queue=4, open_timeout=OPEN_TIMEOUT_S,
                    ping_interval=config.ping_interval or None, ping_timeout=PING_TIMEOUT_S,
                    close_timeout=CLOSE_TIMEOUT_S,
                    logger=self._protocol_logger) as websocket:
                limit_send_buffer(websocket)
                self._set_connected()
                return await self._push(websocket)
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as error:
            return _describe(error)
        except Exception as error:  # never let one odd failure end client mode
            return f'unexpected {_describe(error)!r}'
        finally:
            self._queue.clear()

    async def _push(self, websocket):
        sender = asyncio.create_task(self._send_loop(websocket))
        reader = asyncio.create_task(_ignore_incoming(websocket))
        stop = asyncio.create_task(self._stop.wait())
        done, pending = await asyncio.wait({sender, reader, stop},
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if sender in done and isinstance(sender.exception(), TimeoutError):
            websocket.transport.abort()
            return f'server stopped reading for {self.config.stall_timeout:g} s'
        for task in (sender, reader):
            if task in done and task.exception() is not None:
                return _describe(task.exception())
        if reader in done:
            return _describe_close(websocket)
        return 'stopping'

    async def _send_loop(self, websocket):
        await self._send(websocket, self._hello)
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                await self._send(websocket, self._queue.popleft())
                self.sent += 1

    async def _send(self, websocket, data):
        async with asyncio.timeout(self.config.stall_timeout):
            await websocket.send(data, text=True)

    def _set_connected(self):
        self.connections += 1
        if self._backoff.attempts:
            self._log.info(f'connected to {self.config.uri} after {self._backoff.attempts} '
                           f'retries; {self.dropped_disconnected} frames dropped while '
                           'disconnected so far')
        else:
            self._log.info(f'connected to {self.config.uri}')
        self._backoff.reset()
        self._queue.clear()
        self._slow_logged = False
        self.state = CONNECTED

    def _set_disconnected(self, reason, delay):
        previous, self.state = self.state, DISCONNECTED
        if previous == CONNECTED:
            self._log.warning(f'lost connection to {self.config.uri} ({reason}); '
                              f'reconnecting with backoff up to {self.config.reconnect_max:g} s,'
                              ' dropping frames meanwhile')
        elif previous == CONNECTING:
            self._log.warning(f'cannot connect to {self.config.uri} ({reason}); retrying with '
                              f'backoff up to {self.config.reconnect_max:g} s, dropping frames '
                              'meanwhile')
        else:
            self._log.debug(f'still cannot connect to {self.config.uri} ({reason}); '
                            f'next try in {delay:.1f} s')


async def _ignore_incoming(websocket):
    async for _ in websocket:
        pass


def _describe(error):
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:200] + '...'


def _describe_close(websocket):
    code = websocket.close_code
    reason = websocket.close_reason
    if code is None:
        return 'connection closed'
    return f'closed by server with code {code}' + (f': {reason}' if reason else '')
