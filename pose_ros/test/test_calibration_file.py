# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""camera_info_url: ROS's calibration YAML as camera_calibration writes it, and clear errors."""

import os

from pose_ros.calibration_file import (CalibrationError, load_camera_info, parse_calibration,
                                       resolve_url)
from pose_ros.configuration_error import ConfigurationError
import pytest

# An ost.yaml exactly as camera_calibration's cameracalibrator writes it.
OST_YAML = """image_width: 640
image_height: 480
camera_name: narrow_stereo
camera_matrix:
  rows: 3
  cols: 3
  data: [612.73, 0., 318.02, 0., 612.07, 243.44, 0., 0., 1.]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [0.1091, -0.2338, 0.0012, -0.0007, 0.]
rectification_matrix:
  rows: 3
  cols: 3
  data: [1., 0., 0., 0., 1., 0., 0., 0., 1.]
projection_matrix:
  rows: 3
  cols: 4
  data: [620.14, 0., 317.4, 0., 0., 622.69, 243.9, 0., 0., 0., 1., 0.]
"""


def test_the_standard_file_becomes_a_camera_info():
    info = parse_calibration(OST_YAML, 'ost.yaml', frame_id='camera')
    assert (info.width, info.height) == (640, 480)
    assert info.header.frame_id == 'camera'
    assert info.distortion_model == 'plumb_bob'
    assert list(info.k) == [612.73, 0.0, 318.02, 0.0, 612.07, 243.44, 0.0, 0.0, 1.0]
    assert list(info.d) == [0.1091, -0.2338, 0.0012, -0.0007, 0.0]
    assert list(info.r) == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    assert list(info.p)[:3] == [620.14, 0.0, 317.4] and len(info.p) == 12


def test_file_urls_plain_paths_and_home(tmp_path, monkeypatch):
    path = tmp_path / 'my camera.yaml'
    path.write_text(OST_YAML)
    for url in (f'file://{path}', str(path), f'file://{str(path).replace(" ", "%20")}'):
        assert load_camera_info(url).k[0] == 612.73
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('ROS_HOME', str(tmp_path))
    assert resolve_url('~/my camera.yaml') == path
    assert resolve_url('${ROS_HOME}/my camera.yaml') == path
    assert resolve_url('package://pose_ros/config/cam.yaml').parts[-3:] == (
        'pose_ros', 'config', 'cam.yaml')


def test_missing_and_unsupported_urls_name_the_problem(tmp_path):
    with pytest.raises(CalibrationError, match='cannot read .*nothing.yaml'):
        load_camera_info(str(tmp_path / 'nothing.yaml'))
    image = tmp_path / 'picture.png'
    image.write_bytes(b'\x89PNG\r\n\x1a\n\xff\xfe\x00')   # a file that is not text
    with pytest.raises(CalibrationError, match='picture.png is not a text file'):
        load_camera_info(str(image))
    with pytest.raises(CalibrationError, match='file:///path, package://pkg/path'):
        load_camera_info('http://example.com/cam.yaml')
    with pytest.raises(CalibrationError, match='only local files'):
        load_camera_info('file://otherhost/cam.yaml')
    with pytest.raises(CalibrationError, match='package "no_such_package" is not installed'):
        load_camera_info('package://no_such_package/cam.yaml')
    assert issubclass(CalibrationError, ConfigurationError)   # camera_node exits 2 on it


@pytest.mark.parametrize('change, message', [
    (lambda t: t.replace('image_width: 640', 'image_width: -1'), 'image_width must be'),
    (lambda t: t.replace('cols: 5', 'cols: 4'), 'says 1x4 but has 5 values'),
    (lambda t: t.replace('data: [612.73, 0., 318.02, 0., 612.07, 243.44, 0., 0., 1.]',
                         'data: [0., 0., 0., 0., 0., 0., 0., 0., 0.]'), 'K = 0'),
    (lambda t: t.replace('distortion_model: plumb_bob', 'distortion_model: magic'),
     '"magic" is not supported'),
    (lambda t: t.replace('  rows: 3\n  cols: 4', '  rows: 4\n  cols: 3'),
     'projection_matrix must be 3x4'),
    (lambda t: t.replace('0.0012', '.nan'), 'NaN'),
    (lambda t: t.replace('0.0012', 'abc'), 'other than numbers'),
    (lambda t: t.split('camera_matrix')[0], 'no camera_matrix'),
    (lambda t: 'image_width: [', 'not valid YAML'),
    (lambda t: '- just a list', 'not a calibration file'),
])
def test_broken_files_are_refused_with_a_reason(change, message):
    with pytest.raises(CalibrationError, match=message):
        parse_calibration(change(OST_YAML), 'ost.yaml')


def test_a_minimal_file_gets_identity_rectification_and_k_as_projection():
    text = OST_YAML.split('distortion_model')[0]
    info = parse_calibration(text)
    assert list(info.d) == [] and info.distortion_model == 'plumb_bob'
    assert list(info.r) == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    assert list(info.p) == [612.73, 0.0, 318.02, 0.0, 0.0, 612.07, 243.44, 0.0,
                            0.0, 0.0, 1.0, 0.0]
    assert os.fspath(resolve_url('/abs/cam.yaml')) == '/abs/cam.yaml'
