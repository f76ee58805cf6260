# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Read a camera calibration for camera_node's ``camera_info_url``.

The file is ROS's standard calibration YAML, as ``camera_calibration`` writes it (ost.yaml)
and camera_info_manager reads it: image_width, image_height, camera_name, camera_matrix,
distortion_model, distortion_coefficients, rectification_matrix and projection_matrix, each
matrix as {rows, cols, data}. URLs as camera_info_manager takes them: ``file:///path``,
``package://pkg/path``, or a plain path (``~`` and ``${ROS_HOME}`` expanded). Every problem
raises CalibrationError naming the file and the fix.
"""

import os
import pathlib
from urllib.parse import unquote, urlparse

import numpy as np
from pose_ros.configuration_error import ConfigurationError
from pose_ros.depth.camera_model import CameraModel, CameraModelError

# key -> (rows, cols) it must have, or None when its size depends on the distortion model
_MATRICES = {
    'camera_matrix': (3, 3),
    'distortion_coefficients': None,
    'rectification_matrix': (3, 3),
    'projection_matrix': (3, 4),
}


class CalibrationError(ConfigurationError):
    """A camera_info_url that cannot give a CameraInfo; the text says why."""


def resolve_url(url: str) -> pathlib.Path:
    """Return the file a camera_info_url names."""
    url = str(url).strip()
    ros_home = os.environ.get('ROS_HOME', os.path.join(os.path.expanduser('~'), '.ros'))
    url = url.replace('${ROS_HOME}', ros_home)
    if url.startswith('package://'):
        package, _, relative = url[len('package://'):].partition('/')
        from ament_index_python.packages import (get_package_share_directory,
                                                 PackageNotFoundError)
        try:
            return pathlib.Path(get_package_share_directory(package)) / relative
        except PackageNotFoundError as error:
            raise CalibrationError(f'camera_info_url {url}: package "{package}" is not '
                                   'installed') from error
    if url.startswith('file://'):
        parsed = urlparse(url)
        if parsed.netloc not in ('', 'localhost'):
            raise CalibrationError(f'camera_info_url {url}: only local files are read '
                                   '(file:///absolute/path)')
        return pathlib.Path(unquote(parsed.path))
    if '://' in url:
        raise CalibrationError(f'camera_info_url {url}: use file:///path, package://pkg/path '
                               'or a plain path')
    return pathlib.Path(os.path.expanduser(url))


def load_camera_info(url: str, frame_id: str = ''):
    """Return the sensor_msgs/CameraInfo of the calibration file at ``url``."""
    path = resolve_url(url)
    try:
        text = path.read_text()
    except OSError as error:
        raise CalibrationError(f'camera_info_url {url}: cannot read {path}: '
                               f'{error.strerror or error}') from error
    except UnicodeDecodeError as error:
        raise CalibrationError(f'camera_info_url {url}: {path} is not a text file; give the '
                               'calibration YAML (camera_calibration writes one)') from error
    return parse_calibration(text, str(path), frame_id)


def parse_calibration(text: str, source: str = 'calibration', frame_id: str = ''):
    """Return the sensor_msgs/CameraInfo of calibration YAML ``text`` (from ``source``)."""
    import yaml
    from sensor_msgs.msg import CameraInfo
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CalibrationError(f'{source} is not valid YAML: {error}') from error
    if not isinstance(data, dict):
        raise CalibrationError(f'{source} is not a calibration file (expected a mapping with '
                               'image_width, image_height, camera_matrix, ...)')
    width = _size(data, 'image_width', source)
    height = _size(data, 'image_height', source)
    matrices = {key: _matrix(data, key, shape, source) for key, shape in _MATRICES.items()}
    if matrices['camera_matrix'] is None:
        raise CalibrationError(f'{source} has no camera_matrix; it is not a calibration file')
    k = matrices['camera_matrix']
    d = matrices['distortion_coefficients']
    d = np.zeros(0) if d is None else d
    model = str(data.get('distortion_model') or 'plumb_bob')
    r = matrices['rectification_matrix']
    p = matrices['projection_matrix']
    try:
        CameraModel(k, d, model, width, height)
    except CameraModelError as error:
        raise CalibrationError(f'{source}: {error}') from error
    msg = CameraInfo()
    msg.header.frame_id = frame_id
    msg.width, msg.height = width, height
    msg.distortion_model = model
    msg.d = [float(v) for v in d]
    msg.k = [float(v) for v in k.ravel()]
    msg.r = [float(v) for v in (np.eye(3) if r is None else r).ravel()]
    msg.p = [float(v) for v in (np.hstack([k.reshape(3, 3), np.zeros((3, 1))])
                                if p is None else p).ravel()]
    return msg


def _size(data, key, source) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CalibrationError(f'{source}: {key} must be a positive integer, got {value!r}')
    return value


def _matrix(data, key, shape, source):
    entry = data.get(key)
    if entry is None:
        return None
    if not isinstance(entry, dict) or 'data' not in entry:
        raise CalibrationError(f'{source}: {key} must have rows, cols and data')
    try:
        values = np.asarray(entry['data'], np.float64).ravel()
        rows, cols = int(entry.get('rows', 1)), int(entry.get('cols', values.size))
    except (TypeError, ValueError) as error:
        raise CalibrationError(f'{source}: {key} holds something other than numbers') \
            from error
    if rows * cols != values.size:
        raise CalibrationError(f'{source}: {key} says {rows}x{cols} but has {values.size} '
                               'values')
    if shape is not None and (rows, cols) != shape:
        raise CalibrationError(f'{source}: {key} must be {shape[0]}x{shape[1]}, is '
                               f'{rows}x{cols}')
    if not np.all(np.isfinite(values)):
        raise CalibrationError(f'{source}: {key} contains NaN or infinity')
    return values
