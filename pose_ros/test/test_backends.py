# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The ONNX export: made offline by tools/export_model.py, run by PoseEstimator and pose_node.

The export is made into a temporary folder from the bundled .pt (about 5 s, no network),
so this also checks that ``make export`` works on this install.
"""

from media import read_image, ZIDANE
import numpy as np
from pose_ros import model_loading
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros_msgs.msg import PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import load_repo_tool, NodeProcess, spin_until
from sensor_msgs.msg import Image
from std_msgs.msg import Header

pytestmark = pytest.mark.integration
EXPORT_TOOL = load_repo_tool('tools/export_model.py')
IMAGE_TOPIC = '/backend_test/image'


@pytest.fixture(scope='module')
def onnx_model(tmp_path_factory):
    pytest.importorskip('onnxruntime', reason='ONNX Runtime is in requirements-dev.txt')
    pytest.importorskip('onnxslim', reason='onnxslim is in requirements-dev.txt')
    pt_path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    folder = tmp_path_factory.mktemp('export')
    path = EXPORT_TOOL.export(pt_path, 'onnx', folder, imgsz=640, log=lambda text: None)
    assert path == folder / 'yolo11n-pose.onnx'
    return path


def test_export_is_a_pose_model_with_a_640_square_input(onnx_model):
    import onnxruntime
    session = onnxruntime.InferenceSession(str(onnx_model), providers=['CPUExecutionProvider'])
    assert session.get_inputs()[0].shape == [1, 3, 640, 640]
    # 4 box + 1 score + 17 x 3 keypoint values per anchor
    assert session.get_outputs()[0].shape[1] == 56
    assert session.get_modelmeta().custom_metadata_map['task'] == 'pose'
    assert not list(onnx_model.parent.glob('pose_ros_export-*')), 'temporary folder left'


def test_an_existing_export_is_kept(onnx_model):
    before = onnx_model.stat().st_mtime_ns
    messages = []
    pt_path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    assert EXPORT_TOOL.export(pt_path, 'onnx', onnx_model.parent,
                              log=messages.append) == onnx_model
    assert onnx_model.stat().st_mtime_ns == before
    assert 'kept' in messages[0]


def test_estimator_on_the_export_agrees_with_pytorch_on_zidane(onnx_model):
    from pose_ros.pose_estimator import PoseEstimator
    image = read_image(ZIDANE)
    exported = PoseEstimator(onnx_model, 'cpu').predict(image)
    reference = PoseEstimator(model_loading.resolve_model_path(model_loading.DEFAULT_MODEL),
                              'cpu', square_input=True).predict(image)
    assert len(exported) == 2
    assert exported.keypoints.shape == (2, 17, 3)
    order = [int(np.argmin(np.abs(reference.boxes - box).sum(axis=1))) for box in exported.boxes]
    assert sorted(order) == [0, 1]
    assert np.abs(reference.boxes[order] - exported.boxes).max() < 1.0
    confident = (reference.keypoints[order, :, 2] >= 0.5) & (exported.keypoints[:, :, 2] >= 0.5)
    assert confident.sum() >= 10
    distance = np.hypot(*(reference.keypoints[order, :, :2] - exported.keypoints[:, :, :2])
                        [confident].T)
    assert distance.max() < 1.0, distance


def test_pose_node_runs_the_export_given_as_model_parameter(onnx_model, rclpy_session):
    node = rclpy_session.create_node('backend_test_client')
    publisher = node.create_publisher(
        Image, IMAGE_TOPIC, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    answers = []
    node.create_subscription(PersonArray, '/pose/persons', answers.append, QoSProfile(depth=10))
    params = {'model': str(onnx_model), 'device': 'cpu', 'image_topic': IMAGE_TOPIC}
    try:
        with NodeProcess('pose_node', params=params) as pose:
            assert pose.wait_for_output('warm-up', timeout=60), pose.output()
            assert f'model {onnx_model} on cpu' in pose.output()
            assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 20), \
                pose.output()
            publisher.publish(bgr_to_image_msg(read_image(ZIDANE), Header(frame_id='zidane')))
            assert spin_until(node, lambda: answers, timeout=20), pose.output()
            assert pose.interrupt() == 0
    finally:
        node.destroy_node()
    msg = answers[0]
    assert msg.header.frame_id == 'zidane'
    assert len(msg.persons) == 2
    assert all(len(person.keypoints) == 17 for person in msg.persons)
