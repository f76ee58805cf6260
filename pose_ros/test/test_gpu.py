# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The CUDA path: PyTorch FP16, the TensorRT engine, ONNX Runtime on CUDA, pose_node on the GPU.

These run only where torch sees a CUDA GPU (bench/gpu.sh runs them there and records the
result); on a CPU-only machine the whole module is skipped. FP16 is compared with PyTorch FP32
on the CPU at the same input. The engine test needs ``make export`` on that GPU first (it
makes yolo11n-pose.engine), the ONNX Runtime test the onnxruntime-gpu package, and the node
test ROS 2 (rclpy); each says which is missing.
"""

import importlib.util

from media import read_image, video_frames, ZIDANE
import numpy as np
from pose_ros import inference_backend, model_export, model_loading
import pytest

torch = pytest.importorskip('torch')
pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(),
                                                   reason='no CUDA GPU on this machine')]
DEVICE = 'cuda:0'


@pytest.fixture(scope='module')
def frames():
    return [read_image(ZIDANE)] + video_frames(count=3, start=40, step=20)


@pytest.fixture(scope='module')
def cpu_reference(frames):
    from pose_ros.pose_estimator import PoseEstimator
    estimator = PoseEstimator(model_loading.resolve_model_path(model_loading.DEFAULT_MODEL),
                              'cpu', imgsz=960)
    return [estimator.predict(frame) for frame in frames]


def assert_close_to(reference, found, max_px):
    """Check the same persons (nearest box) with confident keypoints within max_px."""
    for ref, out in zip(reference, found):
        assert abs(len(out) - len(ref)) <= max(1, len(ref) // 10), (len(ref), len(out))
        for box, keypoints in zip(out.boxes, out.keypoints):
            if len(ref) == 0:
                break
            nearest = int(np.argmin(np.abs(ref.boxes - box).sum(axis=1)))
            both = (ref.keypoints[nearest, :, 2] >= 0.5) & (keypoints[:, 2] >= 0.5)
            distance = np.hypot(*(ref.keypoints[nearest, both, :2] - keypoints[both, :2]).T)
            assert distance.size == 0 or np.median(distance) < max_px, distance


def run(model_path, frames, half=True):
    from pose_ros.pose_estimator import PoseEstimator
    estimator = PoseEstimator(model_path, DEVICE, half=half, imgsz=960)
    estimator.warmup(576, 768, runs=1)
    return estimator, [estimator.predict(frame) for frame in frames]


def test_auto_runs_pytorch_fp16_on_the_gpu(frames, cpu_reference):
    assert model_loading.select_device('auto') == DEVICE
    weights = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    choice = inference_backend.choose_model(weights, 'auto', DEVICE)
    assert choice.backend == 'pytorch'
    estimator, found = run(choice.path, frames)
    assert estimator.precision == 'fp16'
    assert len(found[0]) == 2
    assert_close_to(cpu_reference, found, max_px=2.0)


def test_tensorrt_engine_loads_without_to_and_agrees(frames, cpu_reference):
    try:
        engine = model_loading.resolve_model_path('yolo11n-pose.engine')
    except model_loading.ModelNotFoundError:
        pytest.skip('no yolo11n-pose.engine: run `make export` on this GPU first '
                    '(bench/gpu.sh does), with tensorrt installed')
    estimator, found = run(engine, frames)
    assert estimator.backend == 'tensorrt'
    assert len(found[0]) == 2
    assert_close_to(cpu_reference, found, max_px=2.0)


def test_onnx_runtime_on_cuda_agrees(frames, cpu_reference, tmp_path):
    import onnxruntime
    if 'CUDAExecutionProvider' not in onnxruntime.get_available_providers():
        pytest.skip('onnxruntime has no CUDA provider here (pip install onnxruntime-gpu)')
    weights = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    path = model_export.cached_export(weights, 'onnx', tmp_path)
    estimator, found = run(path, frames, half=False)
    assert estimator.backend == 'onnxruntime'
    assert_close_to(cpu_reference, found, max_px=1.0)


def test_pose_node_on_the_gpu_publishes_persons():
    if importlib.util.find_spec('rclpy') is None:
        pytest.skip('no ROS 2 here (rclpy): run `make setup` for the node tests')
    import rclpy
    from pose_ros.image_conversion import bgr_to_image_msg
    from pose_ros_msgs.msg import PersonArray
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from ros_helpers import NodeProcess, spin_until
    from sensor_msgs.msg import Image
    from std_msgs.msg import Header

    rclpy.init()
    node = rclpy.create_node('gpu_test_client')
    topic = '/gpu_test/image'
    publisher = node.create_publisher(
        Image, topic, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    answers = []
    node.create_subscription(PersonArray, '/pose/persons', answers.append, QoSProfile(depth=10))
    try:
        with NodeProcess('pose_node', params={'image_topic': topic}) as pose:
            assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 60), \
                pose.output()
            assert f'on {DEVICE} (fp16, pytorch' in pose.output(), pose.output()
            publisher.publish(bgr_to_image_msg(read_image(ZIDANE), Header(frame_id='zidane')))
            assert spin_until(node, lambda: answers, timeout=30), pose.output()
            assert pose.interrupt() == 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    assert len(answers[0].persons) == 2
