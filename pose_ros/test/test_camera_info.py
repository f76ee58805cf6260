# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""camera_node's camera_info over DDS: from camera_info_url beside each image, or nothing."""

import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import NodeProcess, spin_until
from sensor_msgs.msg import CameraInfo, Image
from test_calibration_file import OST_YAML
from test_capture import VTEST

pytestmark = pytest.mark.integration
RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


class Listener:
    """Keeps every image and camera_info that camera_node publishes."""

    def __init__(self, rclpy_session):
        self.node = rclpy_session.create_node('camera_info_listener')
        self.images, self.infos = [], []
        self.node.create_subscription(Image, '/camera/image_raw', self.images.append, RELIABLE)
        self.node.create_subscription(CameraInfo, '/camera/camera_info', self.infos.append,
                                      RELIABLE)


@pytest.fixture
def listener(rclpy_session):
    listener = Listener(rclpy_session)
    yield listener
    listener.node.destroy_node()


def _calibration(tmp_path, width=768, height=576):
    path = tmp_path / 'ost.yaml'
    path.write_text(OST_YAML.replace('image_width: 640', f'image_width: {width}')
                    .replace('image_height: 480', f'image_height: {height}'))
    return path


def test_camera_info_comes_beside_every_image_with_its_header(listener, tmp_path):
    url = f'file://{_calibration(tmp_path)}'
    params = {'source': VTEST, 'fps': 10, 'camera_info_url': url,
              'frame_id': 'camera_color_optical_frame'}
    with NodeProcess('camera_node', params=params) as camera:
        assert spin_until(listener.node, lambda: len(listener.infos) >= 5 and
                          len(listener.images) >= 5, timeout=20), camera.output()
        headers = {(m.header.stamp.sec, m.header.stamp.nanosec) for m in listener.images}
        for info in listener.infos[:5]:
            assert (info.header.stamp.sec, info.header.stamp.nanosec) in headers
            assert info.header.frame_id == 'camera_color_optical_frame'
            assert (info.width, info.height) == (768, 576)
            assert info.k[0] == 612.73 and info.distortion_model == 'plumb_bob'
            assert len(info.d) == 5
        assert camera.interrupt() == 0


def test_without_camera_info_url_nothing_is_published(listener):
    with NodeProcess('camera_node', params={'source': VTEST, 'fps': 10}) as camera:
        assert spin_until(listener.node, lambda: len(listener.images) >= 5, timeout=20), \
            camera.output()
        assert listener.node.count_publishers('/camera/camera_info') == 0
        assert listener.infos == []
        assert camera.interrupt() == 0


def test_a_missing_calibration_file_fails_fast_with_the_fix(tmp_path):
    url = f'file://{tmp_path}/absent.yaml'
    with NodeProcess('camera_node', params={'source': VTEST, 'camera_info_url': url}) as camera:
        assert camera.wait(60) == 2
        output = camera.output()
        assert f'camera_info_url {url}: cannot read {tmp_path}/absent.yaml' in output, output
        assert 'Traceback' not in output


def test_a_calibration_of_another_size_is_not_published(listener, tmp_path):
    url = str(_calibration(tmp_path, 640, 480))
    with NodeProcess('camera_node', params={'source': VTEST, 'fps': 10,
                                            'camera_info_url': url}) as camera:
        assert spin_until(listener.node, lambda: len(listener.images) >= 5, timeout=20), \
            camera.output()
        assert listener.infos == []
        assert camera.wait_for_output('calibration of 640x480 images but the frames are '
                                      '768x576: no camera_info is published')
        assert camera.output().count('no camera_info is published') == 1   # throttled
        assert camera.interrupt() == 0
