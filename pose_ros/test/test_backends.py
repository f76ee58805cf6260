# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Exported models: made offline into a cache on first use, run by PoseEstimator and pose_node.

The ONNX export is made into a temporary cache from the bundled .pt (a few seconds, no
network), as pose_node makes it on its first start at the defaults; PyTorch at the same input
is the reference. This is the code path of every exported model (.onnx, OpenVINO, .engine):
the device goes to predict, never to ``model.to()``, which exports reject.
"""

import os
import sys
import time

from media import read_image, video_frames, ZIDANE
import numpy as np
from pose_ros import inference_backend, model_export, model_loading
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros_msgs.msg import PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import NodeProcess, spin_until
from sensor_msgs.msg import Image
from std_msgs.msg import Header

pytestmark = pytest.mark.integration
IMAGE_TOPIC = '/backend_test/image'
# What a machine without the runtimes looks like to Python: their imports fail.
BLOCK_RUNTIMES = ('import sys\n'
                  'for name in ("onnxruntime", "openvino"):\n'
                  '    sys.modules[name] = None\n')


@pytest.fixture(scope='module')
def pt_path():
    return model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)


@pytest.fixture(scope='module')
def onnx_cache(tmp_path_factory, pt_path):
    """Return (cache folder, export path, log lines) of a first export into an empty cache."""
    cache = tmp_path_factory.mktemp('model_cache')
    messages = []
    path = model_export.cached_export(pt_path, 'onnx', cache, log=messages.append)
    return cache, path, messages


def frame_predictions(model_path, frames, imgsz=960, square=False):
    from pose_ros.pose_estimator import PoseEstimator
    estimator = PoseEstimator(model_path, 'cpu', imgsz=imgsz, square_input=square)
    return estimator, [estimator.predict(frame) for frame in frames]


def assert_same_persons(reference, exported, max_px=1.0):
    """Every person of ``reference`` is in ``exported`` with its keypoints within max_px."""
    assert len(exported) == len(reference)
    if len(reference) == 0:
        return
    order = [int(np.argmin(np.abs(reference.boxes - box).sum(axis=1))) for box in exported.boxes]
    assert sorted(order) == list(range(len(reference)))
    assert np.abs(reference.boxes[order] - exported.boxes).max() < max_px
    confident = (reference.keypoints[order, :, 2] >= 0.5) & (exported.keypoints[:, :, 2] >= 0.5)
    distance = np.hypot(*(reference.keypoints[order, :, :2] - exported.keypoints[:, :, :2])
                        [confident].T)
    assert distance.size == 0 or distance.max() < max_px, distance


def test_first_use_exports_a_dynamic_input_pose_model_once_into_the_cache(onnx_cache, pt_path):
    import onnxruntime
    cache, path, messages = onnx_cache
    assert path.parent.parent == cache and path.name == 'yolo11n-pose.onnx'
    assert any('exporting yolo11n-pose.pt to ONNX once' in m for m in messages), messages
    assert any(str(path) in m for m in messages), messages
    session = onnxruntime.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    batch, channels, height, width = session.get_inputs()[0].shape
    assert channels == 3 and all(isinstance(d, str) for d in (height, width)), 'not dynamic'
    assert session.get_outputs()[0].shape[1] == 56  # 4 box + 1 score + 17 x 3 keypoint values
    assert session.get_modelmeta().custom_metadata_map['task'] == 'pose'
    assert not list(path.parent.glob('pose_ros_export-*')), 'temporary folder left'
    before = path.stat().st_mtime_ns
    again = []
    assert model_export.cached_export(pt_path, 'onnx', cache, log=again.append) == path
    assert path.stat().st_mtime_ns == before
    assert 'from the cache' in again[0]


def test_export_runs_with_the_input_shaped_like_the_frame(onnx_cache, pt_path):
    _, path, _ = onnx_cache
    frames = video_frames(count=3, start=40, step=20) + [read_image(ZIDANE)]
    estimator, exported = frame_predictions(path, frames)
    assert estimator.backend == 'onnxruntime'
    options = estimator.model.predictor.model.backend.session.get_session_options()
    assert options.get_session_config_entry('session.intra_op.allow_spinning') == '0'
    _, reference = frame_predictions(pt_path, frames)
    for ref, out in zip(reference, exported):
        assert_same_persons(ref, out)
    assert sum(len(d) for d in reference[:3]) >= 6  # vtest's small pedestrians, found


def test_auto_backend_follows_the_cpu_and_the_device():
    assert inference_backend.candidates('auto', 'cpu', 'AuthenticAMD')[0] == 'onnxruntime'
    assert inference_backend.candidates('auto', 'cpu', 'GenuineIntel')[0] == 'openvino'
    assert inference_backend.candidates('auto', 'cuda:0', 'GenuineIntel') == ['pytorch']
    assert inference_backend.candidates('openvino', 'cpu', '') == ['openvino', 'pytorch']
    with pytest.raises(model_loading.ConfigurationError, match='backend:=auto'):
        inference_backend.candidates('tensorflow', 'cpu', '')


def test_an_export_given_as_model_runs_on_its_own_runtime(onnx_cache):
    _, path, _ = onnx_cache
    warnings = []
    choice = inference_backend.choose_model(path, 'openvino', 'cpu', warn=warnings.append)
    assert (choice.path, choice.backend) == (path, 'onnxruntime')
    assert 'ignored' in warnings[0]


def test_missing_runtimes_fall_back_to_pytorch_with_the_fix(pt_path, tmp_path, monkeypatch):
    for name in ('onnxruntime', 'openvino'):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    warnings = []
    choice = inference_backend.choose_model(pt_path, 'auto', 'cpu', tmp_path, 'AuthenticAMD',
                                            log=lambda text: None, warn=warnings.append)
    assert (choice.path, choice.backend) == (pt_path, 'pytorch')
    assert 'pip install onnxruntime' in warnings[0] and 'running openvino instead' in warnings[0]
    assert 'pip install openvino' in warnings[1] and 'running pytorch instead' in warnings[1]
    assert not list(tmp_path.iterdir()), 'nothing is exported without a runtime'


def test_an_unwritable_cache_falls_back_with_the_fix(pt_path, tmp_path):
    blocker = tmp_path / 'not_a_folder'
    blocker.write_text('')
    warnings = []
    choice = inference_backend.choose_model(pt_path, 'onnxruntime', 'cpu', blocker,
                                            log=lambda text: None, warn=warnings.append)
    assert choice.backend == 'pytorch'
    assert 'export of yolo11n-pose.pt failed' in warnings[0]
    assert model_export.CACHE_ENV in warnings[0]


def test_a_model_that_does_not_load_is_not_exported_and_fails_naming_the_fix(tmp_path):
    from pose_ros.pose_estimator import PoseEstimator
    pointer = tmp_path / 'pose.pt'    # what a clone without git-lfs holds
    pointer.write_text('version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 6\n')
    logs, warnings = [], []
    choice = inference_backend.choose_model(pointer, 'auto', 'cpu', tmp_path / 'cache',
                                            'AuthenticAMD', log=logs.append,
                                            warn=warnings.append)
    assert (choice.path, choice.backend) == (pointer, 'pytorch')
    assert warnings == [], 'no export warning that blames the cache'
    assert 'pose.pt does not load, so it is not exported' in logs
    with pytest.raises(model_loading.ConfigurationError, match='cannot be loaded'):
        PoseEstimator(choice.path)


def publish_zidane_and_wait(node, publisher, answers, pose, timeout=90):
    # Generous waits: the 60 s bound of a cold start is asserted by its test, with its output.
    assert spin_until(node, lambda: publisher.get_subscription_count() > 0, timeout), \
        pose.output()
    publisher.publish(bgr_to_image_msg(read_image(ZIDANE), Header(frame_id='zidane')))
    assert spin_until(node, lambda: answers, timeout=timeout), pose.output()


def test_pose_node_cold_start_exports_once_and_answers_within_60_s(rclpy_session, tmp_path):
    """The defaults on a clean cache: export, load, first PersonArray, all within 60 s."""
    node = rclpy_session.create_node('backend_test_client')
    publisher = node.create_publisher(
        Image, IMAGE_TOPIC, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    answers = []
    node.create_subscription(PersonArray, '/pose/persons', answers.append, QoSProfile(depth=10))
    env = {model_export.CACHE_ENV: str(tmp_path / 'cache')}
    params = {'device': 'cpu', 'image_topic': IMAGE_TOPIC}
    try:
        start = time.monotonic()
        with NodeProcess('pose_node', params=params, env=env) as pose:
            publish_zidane_and_wait(node, publisher, answers, pose)
            cold_s = time.monotonic() - start
            output = pose.output()
            assert pose.interrupt() == 0
        assert cold_s < 60, f'first PersonArray after {cold_s:.1f} s:\n{output}'
        intel = inference_backend.cpu_vendor() == 'GenuineIntel'
        expected = 'openvino' if intel else 'onnxruntime'
        assert 'exporting yolo11n-pose.pt to' in output and str(tmp_path / 'cache') in output
        assert f', {expected}: auto on cpu' in output, output
        assert f'model {tmp_path / "cache"}' in output, 'the export is not the model loaded'
        answers.clear()
        with NodeProcess('pose_node', params=params, env=env) as pose:
            publish_zidane_and_wait(node, publisher, answers, pose)
            assert 'from the cache' in pose.output() and 'exporting' not in pose.output()
            assert pose.interrupt() == 0
    finally:
        node.destroy_node()
    msg = answers[0]
    assert msg.header.frame_id == 'zidane'
    assert len(msg.persons) == 2
    assert all(len(person.keypoints) == 17 for person in msg.persons)


def test_pose_node_without_the_runtimes_warns_and_runs_pytorch(rclpy_session, tmp_path):
    (tmp_path / 'sitecustomize.py').write_text(BLOCK_RUNTIMES)
    node = rclpy_session.create_node('backend_fallback_client')
    publisher = node.create_publisher(
        Image, IMAGE_TOPIC, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    answers = []
    node.create_subscription(PersonArray, '/pose/persons', answers.append, QoSProfile(depth=10))
    env = {'PYTHONPATH': f'{tmp_path}:{os.environ.get("PYTHONPATH", "")}',
           model_export.CACHE_ENV: str(tmp_path / 'cache')}
    try:
        with NodeProcess('pose_node', params={'device': 'cpu', 'image_topic': IMAGE_TOPIC},
                         env=env) as pose:
            publish_zidane_and_wait(node, publisher, answers, pose)
            output = pose.output()
            assert pose.interrupt() == 0
    finally:
        node.destroy_node()
    assert 'WARN' in output and 'pip install onnxruntime' in output, output
    assert ', pytorch: auto on cpu' in output, output
    assert not (tmp_path / 'cache').exists()
    assert len(answers[0].persons) == 2
