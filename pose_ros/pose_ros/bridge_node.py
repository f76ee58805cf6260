# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
bridge_node: relay /pose/persons to WebSocket clients as JSON, with a live browser viewer.

A thin adapter over the ``pose_ros.bridge`` subpackage: the subscription callback
throttles, encodes each PersonArray once (bridge.json_encoding) and hands the bytes to an
asyncio service on its own thread (a FeedServer in server mode, a FeedPusher in client
mode) with ``loop.call_soon_threadsafe``, so nothing the network does can block the ROS
executor.

The camera images and /diagnostics are subscribed to only while a connected viewer asks
for video or diagnostics: the server reports that demand from its thread through a guard
condition, and the executor (un)subscribes. The images pose_node answered become JPEG
video frames (bridge.frame_picker, bridge.video_encoding), encoded once for all viewers.
"""

import sys
import time

from diagnostic_msgs.msg import DiagnosticArray
from pose_ros.bridge.access import ANY, is_loopback
from pose_ros.bridge.client import ClientConfig, FeedPusher
from pose_ros.bridge.frame_picker import FramePicker
from pose_ros.bridge.json_encoding import (diagnostics_message, encode, encode_hello,
                                           encode_hello_v2, encode_persons, encode_persons_v2,
                                           SCHEMA_VERSION, SCHEMA_VERSION_2, video_message)
from pose_ros.bridge.rate_limiter import RateLimiter
from pose_ros.bridge.server import (FeedServer, find_web_dir, load_web_files, LoopThread,
                                    PortInUseError, ServerConfig)
from pose_ros.configuration_error import ConfigurationError
from pose_ros.image_qos import choose_reliability, image_qos_profile, reliability_name
from pose_ros.managed_node import ManagedNode
from pose_ros.node_runner import run_nodes
from pose_ros.parameters import BRIDGE, declare_parameters
from pose_ros_msgs.msg import PersonArray
from rclpy.exceptions import ParameterUninitializedException
from rclpy.logging import get_logger
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image
from websockets.exceptions import InvalidURI

THROTTLE_S = 5.0
STOP_TIMEOUT_S = 5.0
DIAGNOSTICS_TOPIC = '/diagnostics'
POSE_STATUS_SUFFIX = ': pose estimation'  # pose_node names its DiagnosticStatus so
PUBLISHER_POLL_S = 0.5  # while a viewer wants video and the image topic has no publisher


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
        self.video_subscription = None
        self.diagnostics_subscription = None
        self._wanted = {'video': False, 'diagnostics': False}  # set on the network thread
        self._demand_changed = self.create_guard_condition(self._follow_demand)
        self._publisher_timer = None
        self._waiting_logged = False
        self._picker = None
        self._encoder = None

    # Lifecycle: configure checks the settings, activate listens (or connects) and
    # subscribes, deactivate closes every connection and unsubscribes.
    def _configure(self):
        self._loop_thread = self._new_loop_thread()

    def _activate(self):
        if self._loop_thread is None:  # a loop thread runs once: a new one per activation
            self._loop_thread = self._new_loop_thread()
        self.start()

    def _deactivate(self):
        self._wanted = {'video': False, 'diagnostics': False}
        self._follow_demand()
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
        """Close every connection and join the WebSocket and video threads."""
        if self._loop_thread is not None and not self._loop_thread.stop(STOP_TIMEOUT_S):
            self.get_logger().warning(f'WebSocket thread still busy after {STOP_TIMEOUT_S} s')
        if self._encoder is not None:
            self._encoder.close()
            self._encoder = None

    @property
    def service(self):
        """Return the FeedServer or FeedPusher that this node feeds."""
        return self._loop_thread.service

    def _on_persons(self, msg: PersonArray) -> None:
        now = time.monotonic()
        if not self._limiter.allow(now):
            return
        try:
            data = self._encode_persons(msg)
        except (TypeError, ValueError, AttributeError) as error:
            self.get_logger().error(f'cannot encode PersonArray as JSON: {error}',
                                    throttle_duration_sec=THROTTLE_S)
            return
        self._loop_thread.publish(data)
        if self.video_subscription is not None:
            self._encode(self._picker.add_persons(_key(msg.header.stamp), now))

    def _encode_persons(self, msg):
        """Return the frame to publish: bytes of one schema, or {schema: bytes}."""
        if self.mode == 'client':
            schema = self._param('schema')
            return encode_persons_v2(msg) if schema == SCHEMA_VERSION_2 else encode_persons(msg)
        data = encode_persons(msg)   # version 1, always: its clients get the same bytes
        if SCHEMA_VERSION_2 in self.service.wanted_schemas:
            data = {SCHEMA_VERSION: data, SCHEMA_VERSION_2: encode_persons_v2(msg)}
        return data

    # Video and diagnostics, on demand.

    def _on_demand(self, kind, wanted):
        """Note a change of demand (called on the network thread); the executor follows."""
        self._wanted[kind] = wanted
        try:
            self._demand_changed.trigger()
        except Exception:  # noqa: BLE001 - the node is being destroyed
            pass

    def _follow_demand(self):
        if self._wanted['video'] and self.video_subscription is None:
            self._subscribe_video()
        elif not self._wanted['video'] and (self.video_subscription is not None
                                            or self._publisher_timer is not None):
            self._unsubscribe_video()
        if self._wanted['diagnostics'] and self.diagnostics_subscription is None:
            self.diagnostics_subscription = self.create_subscription(
                DiagnosticArray, DIAGNOSTICS_TOPIC, self._on_diagnostics, 10)
        elif not self._wanted['diagnostics'] and self.diagnostics_subscription is not None:
            self.destroy_subscription(self.diagnostics_subscription)
            self.diagnostics_subscription = None

    def _video_topic(self):
        suffix = '/compressed' if self._param('video_compressed') else ''
        return self.resolve_topic_name(self._param('video_topic') + suffix)

    def _subscribe_video(self):
        if not self._wanted['video'] or self.video_subscription is not None:
            return
        topic = self._video_topic()
        offered = [info.qos_profile.reliability
                   for info in self.get_publishers_info_by_topic(topic)]
        reliability = choose_reliability('auto', offered)
        if reliability is None:  # match the publisher's QoS once there is one
            if not self._waiting_logged:
                self.get_logger().info(f'a viewer wants video: waiting for a publisher on '
                                       f'{topic}')
                self._waiting_logged = True
            if self._publisher_timer is None:
                self._publisher_timer = self.create_timer(PUBLISHER_POLL_S,
                                                          self._subscribe_video)
            return
        self._stop_waiting()
        if self._encoder is None:
            # OpenCV is loaded with the first viewer that wants video, not at start-up.
            from pose_ros.bridge.video_encoding import VideoEncoder
            self._encoder = VideoEncoder(self._param('video_quality'), self._publish_video,
                                         self._video_error)
        self._picker = FramePicker(self._param('video_max_rate'))
        msg_type = CompressedImage if self._param('video_compressed') else Image
        self.video_subscription = self.create_subscription(
            msg_type, topic, self._on_image, image_qos_profile(reliability))
        self.get_logger().info(f'a viewer wants video: subscribed to {topic} '
                               f'({msg_type.__name__}, {reliability_name(reliability)})')

    def _unsubscribe_video(self):
        self._stop_waiting()
        if self.video_subscription is not None:
            self.destroy_subscription(self.video_subscription)
            self.video_subscription = None
            self._picker.clear()
            self.get_logger().info(f'no viewer wants video: unsubscribed from '
                                   f'{self._video_topic()}')

    def _stop_waiting(self):
        self._waiting_logged = False
        if self._publisher_timer is not None:
            self.destroy_timer(self._publisher_timer)
            self._publisher_timer = None

    def _on_image(self, msg) -> None:
        if self.video_subscription is None:
            return
        self._encode(self._picker.add_image(_key(msg.header.stamp), msg, len(msg.data),
                                            time.monotonic()))

    def _encode(self, image):
        if image is not None:
            self._encoder.submit(image)

    def _publish_video(self, data):  # on the encoder's thread
        self._loop_thread.run_soon(self.service.publish_video, data)

    def _video_error(self, text):  # on the encoder's thread
        self.get_logger().error(text, throttle_duration_sec=THROTTLE_S)

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if not status.name.endswith(POSE_STATUS_SUFFIX):
                continue
            try:
                data = encode(diagnostics_message(status, msg.header.stamp))
            except (TypeError, ValueError, AttributeError) as error:
                self.get_logger().error(f'cannot encode diagnostics as JSON: {error}',
                                        throttle_duration_sec=THROTTLE_S)
                continue
            self._loop_thread.run_soon(self.service.publish_extra, 'diagnostics', data)

    def _make_service(self):
        logger = ServiceLog(self)
        if self.mode == 'client':
            config = ClientConfig(
                uri=self._param('uri'), queue_size=self._param('queue_size'),
                stall_timeout=self._param('stall_timeout'),
                max_message_size=self._param('max_message_size'),
                reconnect_min=self._param('reconnect_min'),
                reconnect_max=max(self._param('reconnect_max'), self._param('reconnect_min')))
            hello = encode_hello_v2() if self._param('schema') == SCHEMA_VERSION_2 \
                else encode_hello()
            return FeedPusher(config, hello, logger)
        web_dir = find_web_dir()
        web_files = load_web_files(web_dir) if web_dir.is_dir() else {}
        if '/' not in web_files:
            logger.warning(f'viewer files not found in {web_dir}: only the feed is served')
        config = ServerConfig(
            host=self._param('host'), port=self._param('port'), token=self._param('token'),
            allowed_origins=tuple(self._param('allowed_origins')),
            allowed_hosts=tuple(self._param('allowed_hosts')),
            max_clients=self._param('max_clients'), queue_size=self._param('queue_size'),
            stall_timeout=self._param('stall_timeout'),
            max_message_size=self._param('max_message_size'))
        if self._param('video'):
            offer = video_message(True, topic=self._video_topic(),
                                  compressed=self._param('video_compressed'),
                                  quality=self._param('video_quality'),
                                  max_rate=self._param('video_max_rate'))
        else:
            offer = video_message(False, reason='video is disabled on this bridge (parameter '
                                  'video: false); the skeletons are drawn without pictures')
        try:
            hellos = {SCHEMA_VERSION: encode_hello(), SCHEMA_VERSION_2: encode_hello_v2()}
            return FeedServer(config, hellos, web_files, logger, video_offer=offer,
                              on_demand=self._on_demand)
        except ValueError as error:  # a bad allowed_origins or allowed_hosts entry
            raise ConfigurationError(str(error)) from error

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
        if self._param('video'):
            logger.info(f'video for viewers that ask: {self._video_topic()}, subscribed only '
                        f'while one watches (JPEG quality {self._param("video_quality")}, at '
                        f'most {self._param("video_max_rate"):g} Hz)')
        if not self._param('token') and not is_loopback(host):
            logger.warning(f'listening on {host} without a token: anyone who can reach this '
                           'port sees the feed; set token:=<secret> or host:=127.0.0.1')
        if ANY in self._param('allowed_origins'):
            logger.warning("allowed_origins contains '*': any web page open in a browser that "
                           'can reach this port can read the feed; list the origins of your '
                           'frontends instead')
        if ANY in self._param('allowed_hosts'):
            logger.warning("allowed_hosts contains '*': the Host header is not checked, so "
                           'a web page can reach the feed through DNS rebinding; list the '
                           'names of this machine instead')

    def _param(self, name):
        try:
            value = self.get_parameter(name).value
        except ParameterUninitializedException:  # an empty string array
            return []
        return list(value) if name in ('allowed_origins', 'allowed_hosts') else value


def _key(stamp):
    return stamp.sec, stamp.nanosec


def main(args=None):
    """Run the bridge until Ctrl-C; return 0, or 2 when it cannot start as configured."""
    return run_nodes('pose_bridge', [BridgeNode], args)


if __name__ == '__main__':
    sys.exit(main())
