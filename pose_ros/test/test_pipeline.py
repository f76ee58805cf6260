# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""pose_pipeline end to end: the sample clip in, tracked persons out over WebSocket."""

import json
import pathlib
import time

from ament_index_python.packages import get_package_share_directory
from media import video_frames
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import bridge_port, NodeProcess, spin_until
from sensor_msgs.msg import Image
from websockets.sync.client import connect
import yaml

pytestmark = pytest.mark.integration
SHARE = pathlib.Path(get_package_share_directory('pose_ros'))
CLIP = SHARE / 'media' / 'vtest_clip.mp4'
PARAMS = SHARE / 'config' / 'pose.yaml'
LISTEN_S = 15.0


def _pose_settings():
    return yaml.safe_load(PARAMS.read_text())['/**/pose']['ros__parameters']


def _bare_model():
    """Return (people per frame, median s per frame) of the bare model as pose_node builds it."""
    from pose_ros import inference_backend, model_loading
    from pose_ros.pose_estimator import PoseEstimator
    settings = _pose_settings()
    choice = inference_backend.choose_model(model_loading.resolve_model_path(settings['model']),
                                            settings['backend'], 'cpu', log=lambda text: None)
    estimator = PoseEstimator(choice.path, 'cpu', imgsz=settings['imgsz'], conf=settings['conf'],
                              iou=settings['iou'], square_input=settings['square_input'])
    frames = video_frames(CLIP, count=25, step=6)
    estimator.predict(frames[0])
    people, times = 0, []
    for frame in frames:
        started = time.perf_counter()
        people += len(estimator.predict(frame))
        times.append(time.perf_counter() - started)
    return people / len(frames), sorted(times)[len(times) // 2]


def test_pipeline_runs_the_clip_to_websocket_and_stops_on_ctrl_c(rclpy_session):
    bare_rate, bare_s = _bare_model()
    # The params file first: later -p overrides win over it.
    ros_args = ['--params-file', str(PARAMS)]
    for key, value in {'camera:source': str(CLIP), 'camera:loop': 'true', 'camera:fps': '10.0',
                       'pose:device': 'cpu', 'pose_bridge:port': '0'}.items():
        ros_args += ['-p', f'{key}:={value}']
    debug_images = []
    node = rclpy_session.create_node('pipeline_test_client')
    node.create_subscription(Image, '/pose/debug_image', debug_images.append,
                             QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    with NodeProcess('pose_pipeline', ros_args=ros_args) as pipeline:
        try:
            port = bridge_port(pipeline, timeout=90)
            assert pipeline.wait_for_output('running camera, pose, pose_bridge', 30)
            messages = []
            with connect(f'ws://127.0.0.1:{port}/', open_timeout=10) as websocket:
                assert json.loads(websocket.recv(timeout=10))['type'] == 'hello'
                deadline = time.monotonic() + LISTEN_S
                while time.monotonic() < deadline:
                    messages.append(json.loads(websocket.recv(timeout=10)))
            assert spin_until(node, lambda: len(debug_images) >= 3, timeout=20), \
                pipeline.output()[-2000:]
            stopped_at = time.monotonic()
            assert pipeline.interrupt(timeout=15) == 0
            assert time.monotonic() - stopped_at < 15
        finally:
            node.destroy_node()
        output = pipeline.output()
    assert 'Traceback' not in output, output[-3000:]

    frames = [m for m in messages if m['type'] == 'persons']
    # Latest frame wins: at least half the frames the camera (10 fps) or the bare model gives.
    expected = LISTEN_S * min(10.0, 1.0 / bare_s)
    assert len(frames) >= 0.5 * expected, \
        f'only {len(frames)} frames in {LISTEN_S} s; the bare model takes {bare_s * 1e3:.0f} ms'
    people = [p for f in frames for p in f['persons']]
    assert people, 'no person in 15 s of pedestrians'
    assert all(p['id'] >= 1 for p in people), 'a tracked person without an id'
    assert all(len(p['keypoints']) == 17 for p in people)
    rate = len(people) / len(frames)
    assert 0.5 * bare_rate <= rate <= 1.5 * bare_rate + 0.2, (rate, bare_rate)
    assert (frames[0]['width'], frames[0]['height']) == (768, 576)
    assert debug_images[0].width == 768 and debug_images[0].height == 576
