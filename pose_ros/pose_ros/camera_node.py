# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
camera_node: a webcam, a video file or an image folder published as sensor_msgs/Image.

The capture itself lives in pose_ros.capture; this node only paces and publishes. A timer
publishes at ``fps``; with ``fps`` 0 a file plays at its own rate and a camera publishes each
frame as it arrives. Exit codes: 0 at the end of a file (without ``loop``), on Ctrl-C or
SIGTERM; 2 when the configuration cannot work (a path that does not exist, a bad parameter).

With ``camera_info_url`` set (a calibration file as camera_calibration writes it), each
image is accompanied by a sensor_msgs/CameraInfo on ~/camera_info with the same header;
without one, nothing is published there rather than an invented calibration.

Lifecycle: configure checks the source (a file or folder must exist), reads the calibration
file and creates the publishers, opening nothing; activate opens the source and publishes;
deactivate stops the capture thread and releases the camera or file; activated again, a file
starts over.
"""

import collections

from pose_ros import capture
from pose_ros.configuration_error import ConfigurationError, EXIT_CONFIGURATION_ERROR
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros.image_qos import choose_reliability, image_qos_profile
from pose_ros.managed_node import ManagedNode
from pose_ros.node_runner import run_nodes
from pose_ros.parameters import CAMERA, declare_parameters
from rclpy.exceptions import InvalidHandle
from rclpy.task import Future
from rclpy.time import Time
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

# An image folder states no rate; with fps 0 it plays at this one (the seed program's target).
FOLDER_FPS = 30.0
THROTTLE_S = 10.0
BUSY_SOURCE_WAIT_S = 2.0   # activate waits this long for a read that outlived deactivate


class CameraNode(ManagedNode):
    """Publish frames of one capture source on ~/image_raw."""

    def __init__(self, source=None, **node_kwargs):
        """Create the node; ``source`` (a FrameSource) replaces the ``source`` parameter."""
        super().__init__('camera', **node_kwargs)
        self.finished = Future()
        self._given_source = source
        self._source = None
        self._publisher = None
        self._info_publisher = None
        self._camera_info = None
        self._frame_id = 'camera'
        self._events = collections.deque()
        self._closing = False
        self._worker = None
        self._guard = None
        self._timer = None
        self._pace = None
        self._fps = 0.0
        self._event_driven = False
        self._last_stamp_ns = None
        self.published = 0
        self._busy_worker = None    # a worker whose read outlived a deactivate
        try:
            declare_parameters(self, CAMERA)
        except ConfigurationError:
            self.destroy_node()
            raise

    def _param(self, name):
        return self.get_parameter(name).value

    # -- lifecycle ------------------------------------------------------------------------
    def _configure(self):
        p = self._param
        self._frame_id = p('frame_id')
        self._source = self._given_source or capture.make_source(
            p('source'), p('width'), p('height'), p('fps'), p('loop'))
        qos = image_qos_profile(choose_reliability(p('qos_reliability'), []), p('qos_depth'))
        if p('camera_info_url'):
            from pose_ros.calibration_file import load_camera_info
            self._camera_info = load_camera_info(p('camera_info_url'), self._frame_id)
            self._info_publisher = self.create_lifecycle_publisher(
                CameraInfo, '~/camera_info', qos)
        self._publisher = self.create_lifecycle_publisher(Image, '~/image_raw', qos)

    def _activate(self):
        busy = self._busy_worker
        if busy is not None and busy.source is self._source:
            if not busy.stop(BUSY_SOURCE_WAIT_S):
                raise ConfigurationError(
                    f'{self._source.description} is still in a read or open that began '
                    'before the last deactivate (a device or stream that hangs): activate '
                    'again once it returns')
        self._busy_worker = None
        self._closing = False
        self._events.clear()
        self._guard = self.create_guard_condition(self._on_wake)
        fps = self._param('fps')
        self._fps = fps
        # A camera with fps 0 publishes each frame as it arrives; everything else is paced.
        self._event_driven = self._source.live and fps == 0
        self._worker = capture.CaptureWorker(
            self._source, self._param('reconnect_interval'), on_event=self._queue_event,
            on_frame=self._wake if self._event_driven else None,
            clock=lambda: self.get_clock().now().nanoseconds)
        if fps > 0:
            self._start_timer(fps)
        self._worker.start()

    def _deactivate(self):
        self._closing = True
        if self._timer is not None:
            self.destroy_timer(self._timer)
            self._timer = None
        if self._worker is not None:
            if self._worker.stop():
                self.log_transition(f'inactive: {self._source.description} released')
            else:   # a read that hangs: the thread closes the source once it returns
                self._busy_worker = self._worker
                self.get_logger().warning(
                    f'inactive, but a read or open of {self._source.description} is still '
                    'under way; the source is released when it returns')
            self._worker = None
        if self._guard is not None:
            self.destroy_guard_condition(self._guard)
            self._guard = None
        self._events.clear()

    def _cleanup(self):
        for name in ('_publisher', '_info_publisher'):
            if getattr(self, name) is not None:
                self.destroy_lifecycle_publisher(getattr(self, name))
                setattr(self, name, None)
        self._camera_info = None
        self._source = None

    def _start_timer(self, fps):
        self._pace = capture.PaceMonitor(fps)
        self._fps = fps
        self._timer = self.create_timer(1.0 / fps, self._on_tick)

    # Called from the capture thread: queue and wake the executor, nothing else.
    def _queue_event(self, event):
        self._events.append(event)
        self._wake()

    def _wake(self):
        guard = self._guard
        if self._closing or guard is None:
            return
        try:
            guard.trigger()
        except InvalidHandle:  # the node is being destroyed
            pass

    # Executor callbacks.
    def _on_wake(self):
        if self._worker is None:  # deactivated since the wake-up
            return
        while self._events:
            self._handle_event(self._events.popleft())
        if self._event_driven and not self.finished.done():
            frame = self._worker.take()
            if frame is not None:
                self._publish(frame)
        self._finish_if_done()

    def _on_tick(self):
        if self._worker is None:
            return
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
        height, width = frame.image.shape[:2]
        if self._camera_info is not None:
            self._publish_camera_info(header, width, height)
        if self.published == 0:
            rate = f'{self._fps:g} Hz' if self._fps else 'the camera rate'
            self.get_logger().info(f'publishing {width}x{height} bgr8 on '
                                   f'{self._publisher.topic_name} at {rate}')
        self.published += 1

    def _publish_camera_info(self, header, width, height):
        info = self._camera_info
        if (info.width, info.height) != (width, height):
            self.get_logger().error(
                f'camera_info_url is a calibration of {info.width}x{info.height} images but '
                f'the frames are {width}x{height}: no camera_info is published (calibrate at '
                'this size, or set width and height to the calibrated size)',
                throttle_duration_sec=THROTTLE_S)
            return
        info.header = header
        self._info_publisher.publish(info)

    def _finish_if_done(self):
        if self.finished.done() or self._worker is None or not self._worker.finished:
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
