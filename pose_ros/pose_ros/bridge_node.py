# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
bridge_node: relay /pose/persons to WebSocket clients as JSON, with a live browser viewer.

A thin adapter: the subscription callback throttles, encodes each PersonArray once
(json_encoding) and hands the bytes to an asyncio service on its own thread (a FeedServer
in server mode, a FeedPusher in client mode) with ``loop.call_soon_threadsafe``, so
nothing the network does can block the ROS executor.
"""

import ipaddress
import sys
import time

from pose_ros.configuration_error import ConfigurationError
from pose_ros.json_encoding import encode_hello, encode_persons
from pose_ros.managed_node import ManagedNode
from pose_ros.node_runner import run_nodes
from pose_ros.parameters import BRIDGE, declare_parameters
from pose_ros.ws_client import ClientConfig, FeedPusher
from pose_ros.ws_server import (FeedServer, find_web_dir, load_web_files, LoopThread,
                                PortInUseError, ServerConfig)
from pose_ros_msgs.msg import PersonArray
from rclpy.exceptions import ParameterUninitializedException
from rclpy.logging import get_logger
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from websockets.exceptions import InvalidURI

THROTTLE_S = 5.0
STOP_TIMEOUT_S = 5.0


class RateLimiter:
    """Let events through at no more than ``rate`` Hz (0 = all), tolerating some jitter."""

    TOLERANCE = 0.25  # an event may come this fraction of a period early

    def __init__(self, rate):
        self._period = 1.0 / rate if rate > 0 else 0.0
        self._next_due = None

    def allow(self, now: float) -> bool:
        """Return whether an event at time ``now`` (seconds) may pass."""
        if not self._period:
            return True
        if self._next_due is None:
            self._next_due = now + self._period
            return True
        if now < self._next_due - self.TOLERANCE * self._period:
            return False
        # Keep to the schedule despite jitter, but never let a burst through after a pause.
        self._next_due = max(self._next_due + self._period,
                             now + (1.0 - self.TOLERANCE) * self._period)
        return True


class ServiceLog:
    """
    The node's logger, for the WebSocket thread.

    Once Ctrl-C has shut rclpy down, /rosout is gone while that thread still reports the
    connections it closes; those last lines go to the console only.
    """

    def __init__(self, node):
        self._node_logger = node.get_logger()
        self._console = get_logger(node.get_name() + '.ws')
        self._context = node.context

    def debug(self, text):
        self._target().debug(text)

    def info(self, text):
        self._target().info(text)

    def warning(self, text):
        self._target().warning(text)

    def error(self, text):
        self._target().error(text)

    def _target(self):
        return self._node_logger if self._context.ok() else self._console


class BridgeNode(ManagedNode):
    """Subscribe to PersonArray and relay it through a WebSocket server or client."""

    def __init__(self, **kwargs):
        super().__init__('pose_bridge', **kwargs)
        declare_parameters(self, BRIDGE)
        self.mode = self._param('mode')
        self._limiter = RateLimiter(self._param('max_rate'))
        self._loop_thread = None
        self.subscription = None

    # Lifecycle: configure checks the settings, activate listens (or connects) and
    # subscribes, deactivate closes every connection and unsubscribes.
    def _configure(self):
        self._loop_thread = self._new_loop_thread()

    def _activate(self):
        if self._loop_thread is None:  # a loop thread runs once: a new one per activation
            self._loop_thread = self._new_loop_thread()
        self.start()

    def _deactivate(self):
        if self.subscription is not None:
            self.destroy_subscription(self.subscription)
            self.subscription = None
        self.stop()
        self._loop_thread = None

    def _cleanup(self):
        self._loop_thread = None

    def _new_loop_thread(self):
        try:
            return LoopThread(self._make_service())
        except InvalidURI as error:
            raise ConfigurationError(f'{error}; set uri:=ws://host:port/path') from error

    def start(self) -> None:
        """Start the WebSocket side (raise ConfigurationError on failure), then subscribe."""
        try:
            self._loop_thread.start()
        except PortInUseError as error:
            raise ConfigurationError(error.strerror) from error
        except OSError as error:
            raise ConfigurationError(
                f'cannot listen on {self._param("host")}:{self._param("port")}: {error}; '
                'check host:= (an address of this machine) and port:=') from error
        qos = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=5,
                         reliability=ReliabilityPolicy.RELIABLE)
        self.subscription = self.create_subscription(
            PersonArray, 'pose/persons', self._on_persons, qos)
        self._announce()

    def stop(self) -> None:
        """Close every connection and join the WebSocket thread."""
        if self._loop_thread is not None and not self._loop_thread.stop(STOP_TIMEOUT_S):
            self.get_logger().warning(f'WebSocket thread still busy after {STOP_TIMEOUT_S} s')

    @property
    def service(self):
        """Return the FeedServer or FeedPusher that this node feeds."""
        return self._loop_thread.service

    def _on_persons(self, msg: PersonArray) -> None:
        if not self._limiter.allow(time.monotonic()):
            return
        try:
            data = encode_persons(msg)
        except (TypeError, ValueError, AttributeError) as error:
            self.get_logger().error(f'cannot encode PersonArray as JSON: {error}',
                                    throttle_duration_sec=THROTTLE_S)
            return
        self._loop_thread.publish(data)

    def _make_service(self):
        logger = ServiceLog(self)
        if self.mode == 'client':
            config = ClientConfig(
                uri=self._param('uri'), queue_size=self._param('queue_size'),
                stall_timeout=self._param('stall_timeout'),
                max_message_size=self._param('max_message_size'),
                reconnect_min=self._param('reconnect_min'),
                reconnect_max=max(self._param('reconnect_max'), self._param('reconnect_min')))
            return FeedPusher(config, encode_hello(), logger)
        web_dir = find_web_dir()
        web_files = load_web_files(web_dir) if web_dir.is_dir() else {}
        if '/' not in web_files:
            logger.warning(f'viewer files not found in {web_dir}: only the feed is served')
        config = ServerConfig(
            host=self._param('host'), port=self._param('port'), token=self._param('token'),
            allowed_origins=tuple(self._param('allowed_origins')),
            max_clients=self._param('max_clients'), queue_size=self._param('queue_size'),
            stall_timeout=self._param('stall_timeout'),
            max_message_size=self._param('max_message_size'))
        return FeedServer(config, encode_hello(), web_files, logger)

    def _announce(self):
        logger = self.get_logger()
        rate = self._param('max_rate')
        limit = f', at most {rate:g} Hz' if rate > 0 else ''
        if self.mode == 'client':
            logger.info(f'client mode: pushing {self.subscription.topic_name} to '
                        f'{self._param("uri")}{limit}')
            return
        host = self._param('host')
        shown = f'[{host}]' if ':' in host else host
        address = f'{shown}:{self.service.port}'
        access = 'token required (add ?token=...)' if self._param('token') else 'no token'
        logger.info(f'serving {self.subscription.topic_name} on ws://{address}/ and the viewer '
                    f'on http://{address}/ ({access}{limit})')
        if not self._param('token') and not _is_loopback(host):
            logger.warning(f'listening on {host} without a token: anyone who can reach this '
                           'port sees the feed; set token:=<secret> or host:=127.0.0.1')

    def _param(self, name):
        try:
            value = self.get_parameter(name).value
        except ParameterUninitializedException:  # an empty string array
            return []
        return list(value) if name == 'allowed_origins' else value


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(args=None):
    """Run the bridge until Ctrl-C; return 0, or 2 when it cannot start as configured."""
    return run_nodes('pose_bridge', [BridgeNode], args)


if __name__ == '__main__':
    sys.exit(main())
