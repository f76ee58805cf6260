# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
pose_node: images in, PersonArray and a debug image out; a managed (lifecycle) node.

The node is an adapter: images go into a one-slot mailbox (the latest frame wins, stale
frames are dropped and counted), and a worker thread runs PoseProcessor on the newest one,
so inference never blocks the executor and latency never builds up.

With ``depth_topic`` set, a depth image aligned to the colour image and the colour camera's
camera_info are subscribed to as well; the worker pairs each frame with the depth image of
the nearest stamp (within ``depth_slop``) and the 3D stage (pose_ros.depth) gives every
person metric keypoints, a position and a velocity, and ~/markers for RViz while someone
subscribes. Whatever goes wrong with depth, persons keep flowing in 2D.

Lifecycle: the constructor checks every parameter (parameters.POSE) and imports nothing
heavy (no OpenCV, torch or Ultralytics). configure builds the tracker, loads and warms up the
model and creates the publishers; activate subscribes to the images and starts the worker;
deactivate drops the subscriptions and stops the worker (no image is received, converted or
inferred); cleanup frees the model.
"""

import ctypes
import gc
import sys
import threading
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from pose_ros import inference_backend, model_loading
from pose_ros.configuration_error import ConfigurationError
from pose_ros.image_qos import choose_reliability, image_qos_profile, reliability_name
from pose_ros.latest_frame import LatestSlot
from pose_ros.managed_node import ManagedNode
from pose_ros.node_runner import run_nodes
from pose_ros.parameters import check_changes, declare_parameters, POSE
from pose_ros.person_messages import build_person_array
from pose_ros.status_line import people, StatusLine
from pose_ros_msgs.msg import PersonArray
from rcl_interfaces.msg import SetParametersResult
import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image
from visualization_msgs.msg import MarkerArray

THROTTLE_S = 5.0
WORKER_JOIN_S = 10.0  # the longest a deactivate waits for the frame under inference
DEPTH_GRACE_S = 2.0   # after activation, depth may take this long before its absence is an error
NO_CLOCK_YET = ('; but the clock reads 0 (use_sim_time before the first /clock message), so '
                'they are skipped until it runs')
DEPTH_QOS_DEPTH = 5   # depth images queued: pairing needs the ones around each colour stamp


class PoseNode(ManagedNode):
    """YOLO11-pose on the camera stream, with tracking, debug image and diagnostics."""

    def __init__(self, **kwargs):
        super().__init__('pose', **kwargs)
        declare_parameters(self, POSE)
        self.estimator = None
        self.processor = None
        self.events = None
        self.persons_pub = None
        self.debug_pub = None
        self.diagnostics_pub = None
        self.image_sub = None
        self.depth = None           # pose_ros.depth.depth_stage.DepthStage when depth_topic is set
        self.depth_sub = None
        self.camera_info_sub = None
        self.markers_pub = None
        self.markers = None
        self._depth_since = 0.0
        self._depth_problem = None
        self.slot = LatestSlot()
        self.processed = 0
        self.drawn = 0
        self.bad_frames = 0
        self.status = StatusLine()
        self._worker = None
        self._subscribe_timer = None
        self._diagnostics_timer = None
        self._waiting_logged = False
        self.add_on_set_parameters_callback(self._on_set_parameters)

    def _param(self, name):
        return self.get_parameter(name).value

    # -- lifecycle ------------------------------------------------------------------------
    def _configure(self):
        tracker = self._create_tracker()  # before the model: a bad setting fails at once
        self.stop_if_shut_down()
        self._load_model()
        from pose_ros.pose_processing import PoseProcessor
        from pose_ros.tracking.track_events import TrackEvents
        self.processor = PoseProcessor(self.estimator, tracker, self._param('keypoint_conf'),
                                       conf=self._param('conf'))
        self.events = TrackEvents(lost_after=self._param('track_max_age'))
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.persons_pub = self.create_lifecycle_publisher(PersonArray, '~/persons', reliable)
        self.debug_pub = self.create_lifecycle_publisher(
            Image, '~/debug_image', QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        if self._param('depth_topic'):
            self._configure_depth()
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._diagnostics_timer = self.create_timer(1.0, self._publish_diagnostics)

    def _activate(self):
        previous, self.slot = self.slot, LatestSlot()
        self.slot.dropped, self.slot.received = previous.dropped, previous.received
        self.status.restart(self.slot.dropped)
        self._worker = threading.Thread(target=self._work, name='pose_worker', daemon=True)
        self._worker.start()
        self._waiting_logged = False
        self._depth_since = time.monotonic()
        self._subscribe_timer = self.create_timer(0.5, self._try_subscribe)
        self._try_subscribe()

    def _deactivate(self):
        if self._subscribe_timer is not None:
            self.destroy_timer(self._subscribe_timer)
            self._subscribe_timer = None
        for name in ('image_sub', 'depth_sub', 'camera_info_sub'):
            if getattr(self, name) is not None:
                self.destroy_subscription(getattr(self, name))
                setattr(self, name, None)
        self.slot.close()
        if self._worker is not None:
            self._worker.join(timeout=WORKER_JOIN_S)
            self._worker = None
        if self.depth is not None:
            self.depth.reset()
        self.log_transition('inactive: image subscription dropped, no inference')

    def _cleanup(self):
        if self._diagnostics_timer is not None:
            self.destroy_timer(self._diagnostics_timer)
            self._diagnostics_timer = None
        for name in ('persons_pub', 'debug_pub', 'markers_pub'):
            if getattr(self, name) is not None:
                self.destroy_lifecycle_publisher(getattr(self, name))
                setattr(self, name, None)
        if self.diagnostics_pub is not None:
            self.destroy_publisher(self.diagnostics_pub)
            self.diagnostics_pub = None
        loaded = self.estimator is not None
        device = self.estimator.device if loaded else 'cpu'
        self.processor = self.estimator = self.events = None
        self.depth = self.markers = None
        gc.collect()
        if device.startswith('cuda'):
            import torch
            torch.cuda.empty_cache()
        release_free_memory()
        if loaded:
            self.log_transition('unconfigured: model freed')

    # -- set-up ---------------------------------------------------------------------------
    def _create_tracker(self):
        from pose_ros.tracking import create_tracker, TrackerConfig
        config = TrackerConfig(
            name=self._param('tracker'), frame_rate=self._param('frame_rate'),
            max_age=self._param('track_max_age'), min_hits=self._param('track_min_hits'),
            history=self._param('history'), smoothing=self._param('smoothing'),
            smoothing_min_cutoff=self._param('smoothing_min_cutoff'),
            smoothing_beta=self._param('smoothing_beta'),
            smoothing_d_cutoff=self._param('smoothing_d_cutoff'),
            keypoint_threshold=self._param('track_keypoint_threshold'),
            match_threshold=self._param('track_match_threshold'),
            appearance_weight=self._param('track_appearance_weight'),
            occluded_max_age=self._param('track_occluded_max_age'))
        try:
            return create_tracker(config)
        except ValueError as error:
            raise ConfigurationError(str(error)) from error

    def _load_model(self):
        from ament_index_python.packages import get_package_share_directory

        from pose_ros.pose_estimator import PoseEstimator

        share = get_package_share_directory('pose_ros')
        weights = model_loading.resolve_model_path(self._param('model'), share)
        device = model_loading.select_device(self._param('device'))
        logger = self.get_logger()
        choice = inference_backend.choose_model(weights, self._param('backend'), device,
                                                log=logger.info, warn=logger.warning)
        model_path = choice.path
        self.stop_if_shut_down()
        half = self._param('half')
        if half and not device.startswith('cuda'):
            self.get_logger().info('half:=true is ignored on the CPU; running FP32')
        self.estimator = PoseEstimator(
            model_path, device=device, half=half, imgsz=self._param('imgsz'),
            conf=self._detection_conf(self._param('conf')), iou=self._param('iou'),
            max_det=self._param('max_det'),
            square_input=self._param('square_input'))
        self.stop_if_shut_down()
        warmup_s = self.estimator.warmup()
        self.stop_if_shut_down()
        self.get_logger().info(
            f'model {model_path} on {device} ({self.estimator.precision}, {choice.backend}: '
            f'{choice.reason}), warm-up {warmup_s:.2f} s')

    def _configure_depth(self):
        from pose_ros.depth.depth_stage import DepthStage
        from pose_ros.depth.markers import SkeletonMarkers
        self.depth = DepthStage(self.resolve_topic_name(self._param('depth_topic')),
                                self.resolve_topic_name(self._param('camera_info_topic')),
                                self._param('depth_slop'), history=self._param('history'))
        self.markers = SkeletonMarkers()
        self.markers_pub = self.create_lifecycle_publisher(
            MarkerArray, '~/markers', QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE))
        self.get_logger().info(
            f'3D on: depth from {self.depth.depth_topic}, camera_info from '
            f'{self.depth.camera_info_topic}, depth_slop {self.depth.slop:g} s')

    def _detection_conf(self, conf):
        """Return the score the model detects at: conf, or track_low_conf when lower."""
        return min(float(conf), float(self._param('track_low_conf')))

    def _try_subscribe(self):
        self._try_subscribe_image()
        if self.depth is not None:
            self._try_subscribe_depth()
        done = self.image_sub is not None and (
            self.depth is None or (self.depth_sub is not None
                                   and self.camera_info_sub is not None))
        if done and self._subscribe_timer is not None:
            self.destroy_timer(self._subscribe_timer)
            self._subscribe_timer = None

    def _try_subscribe_depth(self):
        """Subscribe to depth and camera_info once each has a publisher (QoS matched)."""
        from sensor_msgs.msg import CameraInfo
        for attribute, msg_type, topic, callback, depth in (
                ('depth_sub', Image, self.depth.depth_topic, self._on_depth, DEPTH_QOS_DEPTH),
                ('camera_info_sub', CameraInfo, self.depth.camera_info_topic,
                 self.depth.set_camera_info, 1)):
            if getattr(self, attribute) is not None:
                continue
            offered = [info.qos_profile.reliability
                       for info in self.get_publishers_info_by_topic(topic)]
            reliability = choose_reliability(self._param('image_qos'), offered)
            if reliability is None:
                continue
            setattr(self, attribute, self.create_subscription(
                msg_type, topic, callback, image_qos_profile(reliability, depth)))
            self.get_logger().info(f'subscribed to {topic} ({msg_type.__name__}, '
                                   f'{reliability_name(reliability)})')

    def _try_subscribe_image(self):
        if self.image_sub is not None:
            return
        compressed = self._param('compressed')
        topic = self._param('image_topic') + ('/compressed' if compressed else '')
        topic = self.resolve_topic_name(topic)
        offered = [info.qos_profile.reliability
                   for info in self.get_publishers_info_by_topic(topic)]
        reliability = choose_reliability(self._param('image_qos'), offered)
        if reliability is None:
            if not self._waiting_logged:
                self.get_logger().info(f'waiting for a publisher on {topic} (image_qos auto)')
                self._waiting_logged = True
            return
        msg_type = CompressedImage if compressed else Image
        self.image_sub = self.create_subscription(
            msg_type, topic, self._on_image, image_qos_profile(reliability))
        self.get_logger().info(
            f'subscribed to {topic} ({msg_type.__name__}, {reliability_name(reliability)}, '
            f'depth 1)')

    # -- runtime --------------------------------------------------------------------------
    def _on_image(self, msg):
        self.slot.put((msg, self._now()))

    def _on_depth(self, msg):
        stamp = header_seconds(msg.header)
        if stamp == 0.0:   # an unstamped driver: pair by arrival time
            stamp = self._now()
            self.get_logger().warning(
                f'depth images on {self.depth.depth_topic} carry no stamp (0): they are '
                'paired by arrival time instead; set header.stamp in the depth driver'
                + (NO_CLOCK_YET if stamp == 0.0 else ''), throttle_duration_sec=THROTTLE_S)
            if stamp == 0.0:
                return
        self.depth.add_depth(msg, stamp)

    def _now(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    def _on_set_parameters(self, parameters):
        refusal = check_changes(POSE, parameters)
        if refusal is not None:
            return SetParametersResult(successful=False, reason=refusal)
        for parameter in parameters:
            if self.estimator is not None and parameter.name == 'conf':
                self.processor.conf = float(parameter.value)
                self.estimator.conf = self._detection_conf(parameter.value)
            elif self.estimator is not None and parameter.name == 'iou':
                self.estimator.iou = float(parameter.value)
            elif self.estimator is not None and parameter.name == 'max_det':
                self.estimator.max_det = int(parameter.value)
            elif self.processor is not None and parameter.name == 'keypoint_conf':
                self.processor.keypoint_conf = float(parameter.value)
        return SetParametersResult(successful=True)

    def _work(self):
        from pose_ros.image_conversion import ImageConversionError  # OpenCV: not at start-up
        slot = self.slot
        while not slot.closed:
            taken = slot.take(timeout=0.5)
            if taken is None:
                continue
            try:
                self._process(*taken)
            except ImageConversionError as error:
                self.bad_frames += 1
                self.get_logger().error(f'skipping image: {error}',
                                        throttle_duration_sec=THROTTLE_S)
            except Exception as error:  # noqa: BLE001 - a bad frame must not kill the node
                if not rclpy.ok(context=self.context):
                    return
                self.bad_frames += 1
                self.get_logger().error(f'frame failed: {type(error).__name__}: {error}',
                                        throttle_duration_sec=THROTTLE_S)

    def _process(self, msg, arrival):
        from pose_ros.image_conversion import (bgr_to_image_msg, compressed_msg_to_bgr,
                                               image_msg_to_bgr)
        timer = self.processor.timer
        with timer.stage('conversion'):
            if isinstance(msg, CompressedImage):
                bgr = compressed_msg_to_bgr(msg)
            else:
                bgr = image_msg_to_bgr(msg)
        stamp = header_seconds(msg.header)
        if stamp == 0.0:   # an unstamped driver: tracks would never age
            stamp = arrival
            topic = self.image_sub.topic_name if self.image_sub is not None else 'the image topic'
            self.get_logger().warning(
                f'images on {topic} carry no stamp (0): tracking, velocities and depth pairing '
                'use their arrival time instead; set header.stamp in the camera driver'
                + (NO_CLOCK_YET if stamp == 0.0 else ''), throttle_duration_sec=THROTTLE_S)
            if stamp == 0.0:
                return
        result = self.processor.process(bgr, stamp)
        height, width = bgr.shape[:2]
        if self.depth is not None:
            with timer.stage('3d'):
                problem = self.depth.lift(result.persons, stamp, width, height,
                                          self.processor.keypoint_conf)
            self._report_depth(problem)
        with timer.stage('message'):
            persons_msg = build_person_array(msg.header, width, height, result.persons)
        with timer.stage('publish'):
            self.persons_pub.publish(persons_msg)
        if self.debug_pub.get_subscription_count() > 0:
            debug = self.processor.render(bgr, result)
            self.debug_pub.publish(bgr_to_image_msg(debug, msg.header))
            self.drawn += 1
        if self.markers_pub is not None:
            if self.markers_pub.get_subscription_count() > 0:
                with timer.stage('markers'):
                    self.markers_pub.publish(self.markers.build(msg.header, result.persons))
            else:
                self.markers.forget()
        self.processed += 1
        self._log_frame(result)

    def _report_depth(self, problem):
        """Log what kept a frame from 3D; one call site per kind, each throttled on its own."""
        from pose_ros.depth import depth_stage as kinds
        logger = self.get_logger()
        previous, self._depth_problem = self._depth_problem, problem
        if problem is None:
            if previous is not None and previous.kind != kinds.NO_DEPTH:
                logger.info('3D is back: depth and camera_info pair with the images again')
            return
        if problem.kind == kinds.NO_DEPTH and \
                time.monotonic() - self._depth_since < DEPTH_GRACE_S:
            logger.debug(problem.message)  # depth may simply start a little after colour
        elif problem.kind == kinds.NO_DEPTH:
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)
        elif problem.kind == kinds.DEPTH_STOPPED:
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)
        elif problem.kind == kinds.DEPTH_UNPAIRED:
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)
        elif problem.kind == kinds.NO_CAMERA_INFO:
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)
        elif problem.kind == kinds.BAD_CAMERA_INFO:
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)
        elif problem.kind == kinds.DEPTH_SIZE:
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)
        else:  # BAD_DEPTH: an unknown encoding, a broken message
            logger.error(problem.message, throttle_duration_sec=THROTTLE_S)

    def _log_frame(self, result):
        ids = [p.track_id for p in result.persons]
        appeared, lost, count = self.events.update(ids)
        logger = self.get_logger()
        if count is not None:
            logger.debug(f'{people(count)} in view')
        for track_id in appeared:
            logger.debug(f'track {track_id} appeared')
        for track_id in lost:
            logger.debug(f'track {track_id} lost')
        logger.debug(f'{people(len(ids))}, ids {ids}, inference {result.inference_ms:.1f} ms')
        line = self.status.update(len(ids), self.processor.fps.rate, self.slot.dropped)
        if line is not None:
            logger.info(line)

    def _publish_diagnostics(self):
        status = DiagnosticStatus(name=f'{self.get_name()}: pose estimation',
                                  hardware_id=self.estimator.device)
        if not self.active:
            status.level, status.message = DiagnosticStatus.OK, 'inactive'
        elif self.image_sub is None:
            status.level, status.message = DiagnosticStatus.WARN, 'waiting for images'
        elif self.bad_frames and self.processed == 0:
            status.level, status.message = DiagnosticStatus.ERROR, 'no usable image yet'
        elif self.depth is not None and self.depth.last_problem is not None:
            status.level = DiagnosticStatus.WARN
            status.message = f'running without 3D: {self.depth.last_problem.message}'
        else:
            status.level, status.message = DiagnosticStatus.OK, 'running'
        means = self.processor.timer.means()
        values = {'fps': f'{self.processor.fps.rate:.2f}',
                  'frames_processed': str(self.processed),
                  'frames_dropped': str(self.slot.dropped),
                  'frames_rejected': str(self.bad_frames),
                  'frames_drawn': str(self.drawn),
                  'device': self.estimator.device, 'precision': self.estimator.precision,
                  'depth': 'off' if self.depth is None else self.depth.depth_topic}
        if self.depth is not None:
            values['frames_with_3d'] = str(self.depth.lifted)
            values['frames_without_3d'] = str(self.depth.unlifted)
        values.update({f'{stage}_ms': f'{ms:.2f}' for stage, ms in sorted(means.items())})
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self.diagnostics_pub.publish(array)


def header_seconds(header) -> float:
    """Return a header's stamp in seconds (0.0 for an unstamped message)."""
    return header.stamp.sec + header.stamp.nanosec * 1e-9


def release_free_memory():
    """Hand the heap's free pages back to the system (glibc); elsewhere do nothing."""
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def main(args=None):
    """Run pose_node until Ctrl-C or shutdown; exit 2 on a configuration error."""
    return run_nodes('pose', [PoseNode], args)


if __name__ == '__main__':
    sys.exit(main())
