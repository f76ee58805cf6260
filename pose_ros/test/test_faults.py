# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Faults end to end, with never a traceback, a hang or a zombie.

A camera that dies and comes back, pose_node started before any camera, and start-up errors
of the whole pipeline.
"""

import pathlib
import time

from ament_index_python.packages import get_package_share_directory
from pose_ros_msgs.msg import PersonArray
import psutil
import pytest
from ros_helpers import NodeProcess, spin_until

pytestmark = pytest.mark.integration
SHARE = pathlib.Path(get_package_share_directory('pose_ros'))
CLIP = SHARE / 'media' / 'vtest_clip.mp4'
PARAMS = SHARE / 'config' / 'pose.yaml'
TOPIC = '/faults/image'


def _camera():
    return NodeProcess('camera_node', params={'source': str(CLIP), 'loop': True, 'fps': 10.0},
                       ros_args=['-r', f'~/image_raw:={TOPIC}'])


def _no_children_left():
    """Return True when this test process has no child left, running or zombie."""
    return not psutil.Process().children(recursive=True)


def test_pose_waits_quietly_for_a_camera_then_survives_its_death(rclpy_session):
    node = rclpy_session.create_node('faults_client')
    arrays = []
    node.create_subscription(PersonArray, '/pose/persons', arrays.append, 10)
    params = {'device': 'cpu', 'image_topic': TOPIC, 'imgsz': 960, 'square_input': True}
    with NodeProcess('pose_node', params=params) as pose:
        try:
            assert pose.wait_for_output('waiting for a publisher', 90), pose.output()
            spin_until(node, lambda: False, timeout=4.0)
            waiting_log = pose.output()
            assert waiting_log.count('waiting for a publisher') == 1
            assert 'WARN' not in waiting_log and 'ERROR' not in waiting_log
            assert not arrays

            with _camera() as camera:
                assert spin_until(node, lambda: len(arrays) >= 15, timeout=60), pose.output()
                camera.process.kill()  # no goodbye: the camera process just dies
                camera.process.wait(5)
            before = list(arrays)
            spin_until(node, lambda: False, timeout=3.0)
            in_gap = len(arrays)
            spin_until(node, lambda: False, timeout=1.0)
            assert len(arrays) == in_gap, 'persons kept coming without a camera'
            assert pose.process.poll() is None, pose.output()

            with _camera():
                assert spin_until(node, lambda: len(arrays) >= in_gap + 15, timeout=60), \
                    pose.output()
            after = arrays[in_gap:]
            old_ids = {p.id for a in before for p in a.persons}
            new_ids = {p.id for a in after for p in a.persons}
            assert old_ids and new_ids, 'no people seen around the camera restart'
            # The gap outlived every track (track_max_age at frame_rate): people come back
            # under new ids, and no id is ever handed out twice.
            assert min(new_ids) > max(old_ids), (sorted(old_ids), sorted(new_ids))
            assert pose.interrupt() == 0
            assert 'Traceback' not in pose.output()
        finally:
            node.destroy_node()
    time.sleep(0.2)
    assert _no_children_left(), psutil.Process().children(recursive=True)


@pytest.mark.parametrize('override, message', [
    ('pose:model:=missing-weights.pt', 'model "missing-weights.pt" not found'),
    ('pose:device:=cuda:3', '"cuda:3" was asked for, but CUDA is not available'),
], ids=['missing-model', 'cuda-absent'])
def test_pipeline_start_up_error_is_one_clear_message(override, message):
    import torch
    if 'cuda' in override and torch.cuda.is_available():
        pytest.skip('this machine has CUDA')
    ros_args = ['--params-file', str(PARAMS), '-p', f'camera:source:={CLIP}',
                '-p', 'pose_bridge:port:=0', '-p', override]
    with NodeProcess('pose_pipeline', ros_args=ros_args) as pipeline:
        assert pipeline.wait(90) == 2
        output = pipeline.output()
    assert output.count(message) == 1, output
    errors = [line for line in output.splitlines() if 'ERROR' in line or 'FATAL' in line]
    assert len(errors) == 1, output
    assert 'Traceback' not in output
    assert _no_children_left()
