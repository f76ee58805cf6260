# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
camera_node: a webcam, a video file or an image folder published as sensor_msgs/Image.

The capture itself lives in pose_ros.capture; this node only paces and publishes. A timer
publishes at ``fps``; with ``fps`` 0 a file plays at its own rate and a camera publishes each
frame as it arrives. Exit codes: 0 at the end of a file, on Ctrl-C or SIGTERM; 2 when the
configuration cannot work (a path that does not exist, a bad parameter).
"""

import collections

from pose_ros import capture
from pose_ros.configuration_error import EXIT_CONFIGURATION_ERROR
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros.image_qos import choose_reliability, image_qos_profile
from pose_ros.node_runner import run_nodes
from pose_ros.parameters import declare
from rclpy.exceptions import InvalidHandle, ParameterException
from rclpy.node import Node
from rclpy.task import Future
from rclpy.time import Time
from sensor_msgs.msg import Image
from std_msgs.msg import Header

# An image folder states no rate; with fps 0 it plays at this one (the seed program's target).
FOLDER_FPS = 30.0
THROTTLE_S = 10.0
MAX_FPS = 1000.0
MAX_SIZE = 16384


class CameraNode(Node):
    """Publish frames of one capture source on ~/image_raw."""

    def __init__(self, source=None, **node_kwargs):
        """Create the node; ``source`` (a FrameSource) replaces the ``source`` parameter."""
        super().__init__('camera', **node_kwargs)
        self.finished = Future()
        self._events = collections.deque()
        self._closing = False
        self._worker = None
        self._timer = None
        self._pace = None
        self._event_driven = False
        self._last_stamp_ns = None
        self.published = 0
        try:
            self._configure(source)
        except (capture.ConfigurationError, ParameterException) as error:
            self.destroy_node()
            raise capture.ConfigurationError(str(error)) from error

    def _configure(self, source):
        def read_only(name, default, description, low=None, high=None, dynamic=False):
            # Numbers with a range are dynamic so that fps:=10 (an integer) is accepted too.
            return declare(self, name, default, description, low, high, read_only=True,
                           dynamic_typing=dynamic or isinstance(default, float))

        spec = str(read_only('source', '0', 'camera index or /dev/videoN, video file, '
                             'or image folder or glob', dynamic=True))
        width = read_only('width', 0, 'frame width asked of a camera, or resize of a file; '
                          '0 keeps the native width', 0, MAX_SIZE)
        height = read_only('height', 0, 'frame height asked of a camera, or resize of a '
                           'file; 0 keeps the native height', 0, MAX_SIZE)
        fps = capture.number_in_range('fps', read_only(
            'fps', 0.0, "publish rate in Hz; 0 uses the file's or the camera's own rate",
            0.0, MAX_FPS), 0.0, MAX_FPS)
        loop = read_only('loop', False, 'start a video file or image folder over at its end')
        self._frame_id = read_only('frame_id', 'camera', 'header.frame_id of the images')
        reconnect_interval = capture.number_in_range('reconnect_interval', read_only(
            'reconnect_interval', 1.0, 'seconds between attempts to (re)open a camera',
            0.1, 60.0), 0.1, 60.0)
        reliability = read_only('qos_reliability', 'reliable',
                                'publisher reliability: reliable or best_effort')
        depth = read_only('qos_depth', 1, 'publisher queue depth (keep last)', 1, 100)
        if reliability not in ('reliable', 'best_effort'):
            raise capture.ConfigurationError(
                f'qos_reliability must be reliable or best_effort, got "{reliability}"')

        if source is None:
            source = capture.make_source(spec, width, height, fps, loop)
        self._source = source
        qos = image_qos_profile(choose_reliability(reliability, []), depth)
        self._publisher = self.create_publisher(Image, '~/image_raw', qos)
        self._guard = self.create_guard_condition(self._on_wake)
        self._fps = fps
        # A camera with fps 0 publishes each frame as it arrives; everything else is paced.
        self._event_driven = source.live and fps == 0
        self._worker = capture.CaptureWorker(
            source, reconnect_interval, on_event=self._queue_event,
            on_frame=self._wake if self._event_driven else None,
            clock=lambda: self.get_clock().now().nanoseconds)
        if fps > 0:
            self._start_timer(fps)
        self._worker.start()

    def _start_timer(self, fps):
        self._pace = capture.PaceMonitor(fps)
        self._fps = fps
        self._timer = self.create_timer(1.0 / fps, self._on_tick)

    # Called from the capture thread: queue and wake the executor, nothing else.
    def _queue_event(self, event):
        self._events.append(event)
        self._wake()

    def _wake(self):
        if self._closing:
            return
        try:
            self._guard.trigger()
        except InvalidHandle:  # the node is being destroyed
            pass

    # Executor callbacks.
    def _on_wake(self):
        while self._events:
            self._handle_event(self._events.popleft())
        if self._event_driven and not self.finished.done():
            frame = self._worker.take()
            if frame is not None:
                self._publish(frame)
        self._finish_if_done()

    def _on_tick(self):
        frame = self._worker.take()
        if frame is None:
            self._finish_if_done()
        else:
            self._publish(frame)
        slow_fps = self._pace.tick(frame is not None, self.get_clock().now().nanoseconds / 1e9)
        if slow_fps is not None:
            self.get_logger().warning(
                f'{self._source.description} delivers about {slow_fps:.1f} fps, fewer than '
                f'the asked {self._pace.asked_fps:g}; publishing the frames it has')

    def _handle_event(self, event):
        logger = self.get_logger()
        if event.kind == capture.OPENED and self._timer is None and not self._source.live:
            fps = self._source.native_fps
            if fps is None:
                fps = FOLDER_FPS
                logger.info(f'{self._source.description} states no frame rate; '
                            f'publishing at {fps:g} Hz')
            self._start_timer(fps)
        if event.kind in (capture.LOST, capture.RECONNECTED) and self._pace:
            self._pace.reset()
        # One call site per kind, so that throttling one never hides another.
        if event.kind == capture.OPEN_FAILED and event.level == 'error':
            logger.error(event.message, throttle_duration_sec=THROTTLE_S)
        elif event.kind == capture.FAILED:
            logger.error(event.message)
        elif event.kind == capture.LOST:
            logger.warning(event.message, throttle_duration_sec=THROTTLE_S)
        elif event.kind == capture.SKIPPED:
            logger.warning(event.message, throttle_duration_sec=THROTTLE_S)
        elif event.level == 'debug':
            logger.debug(event.message)
        else:
            logger.info(event.message)

    def _publish(self, frame):
        # A recorded frame is "captured" when its turn comes; a live one when it was read.
        now_ns = self.get_clock().now().nanoseconds
        stamp_ns = capture.rising_stamp(
            frame.stamp_ns if self._source.live else now_ns, self._last_stamp_ns)
        self._last_stamp_ns = stamp_ns
        header = Header(stamp=Time(nanoseconds=stamp_ns).to_msg(), frame_id=self._frame_id)
        self._publisher.publish(bgr_to_image_msg(frame.image, header))
        if self.published == 0:
            height, width = frame.image.shape[:2]
            rate = f'{self._fps:g} Hz' if self._fps else 'the camera rate'
            self.get_logger().info(f'publishing {width}x{height} bgr8 on '
                                   f'{self._publisher.topic_name} at {rate}')
        self.published += 1

    def _finish_if_done(self):
        if self.finished.done() or not self._worker.finished:
            return
        if self._timer is not None:
            self._timer.cancel()
        failed = self._worker.outcome == capture.FAILED
        if not failed:
            self.get_logger().info(f'published {self.published} frames; stopping')
        self.finished.set_result(EXIT_CONFIGURATION_ERROR if failed else 0)

    def destroy_node(self):
        """Stop the capture thread, then destroy the node."""
        self._closing = True
        if self._worker is not None:
            self._worker.stop()
        return super().destroy_node()


def main(args=None):
    """Run the camera node until its source ends, it fails, or Ctrl-C; return the exit code."""
    return run_nodes('camera', [CameraNode], args)


if __name__ == '__main__':
    raise SystemExit(main())
