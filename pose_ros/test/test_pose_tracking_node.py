# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Through pose_node: ids stay with their people, and expire even when images carry no stamp."""

import time

from media import BUS, read_image, video_frames
import numpy as np
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros_msgs.msg import PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import NodeProcess, spin_until
from sensor_msgs.msg import Image
from std_msgs.msg import Header

pytestmark = pytest.mark.integration
FRAMES = 15
TOPIC = '/tracking_test/image'


def _iou(a, b):
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _answers(rclpy_session, params, frames):
    """Send pose_node (header, image, pause before) frames one by one; return its answers."""
    node = rclpy_session.create_node('tracking_test_client')
    publisher = node.create_publisher(
        Image, TOPIC, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    answers = {}
    node.create_subscription(PersonArray, '/pose/persons',
                             lambda m: answers.setdefault(m.header.frame_id, m), 10)
    params = {'device': 'cpu', 'image_topic': TOPIC, 'tracker': 'pose', **params}
    with NodeProcess('pose_node', params=params) as pose:
        try:
            assert pose.wait_for_output('warm-up', 90), pose.output()
            assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 20)
            for header, image, pause in frames:
                time.sleep(pause)
                publisher.publish(bgr_to_image_msg(image, header))
                assert spin_until(node, lambda: header.frame_id in answers, 30), pose.output()
            assert pose.interrupt() == 0
            return answers, pose.output()
        finally:
            node.destroy_node()


def test_ids_stay_stable_over_consecutive_video_frames(rclpy_session):
    frames = []
    for index, frame in enumerate(video_frames(count=FRAMES, start=100)):
        header = Header(frame_id=f'f{index}')
        header.stamp.sec, header.stamp.nanosec = 100 + index // 10, (index % 10) * 10**8
        frames.append((header, frame, 0.0))   # 10 fps stamps
    # Larger square input: vtest's pedestrians are small (see docs/BENCHMARKS.md).
    answers, _ = _answers(rclpy_session, {'imgsz': 960, 'square_input': True}, frames)

    sequence = [answers[f'f{i}'].persons for i in range(FRAMES)]
    assert np.mean([len(p) for p in sequence]) >= 2, 'too few people to test tracking'
    same_person, switches = 0, []
    for index in range(1, FRAMES):
        ids = [p.id for p in sequence[index]]
        assert all(i >= 1 for i in ids) and len(set(ids)) == len(ids)
        for current in sequence[index]:
            for previous in sequence[index - 1]:
                if _iou(current.bbox, previous.bbox) >= 0.5:
                    same_person += 1
                    if current.id != previous.id:
                        switches.append((index, previous.id, current.id))
    assert same_person >= 2 * (FRAMES - 1), f'only {same_person} frame-to-frame matches'
    assert not switches, f'ids changed between consecutive frames: {switches}'


def test_unstamped_images_run_tracking_on_their_arrival_time(rclpy_session):
    # A driver that leaves header.stamp at 0: tracks must still expire (here after 2.15 s of
    # arrival time), with one warning that names the fix, instead of living for ever. The
    # second image follows the first by one inference (up to a second on a loaded CPU).
    bus = read_image(BUS)
    frames = [(Header(frame_id=name), bus, pause)   # stamps left at 0
              for name, pause in (('first', 0.0), ('second', 0.0), ('after a pause', 3.0))]
    params = {'frame_rate': 10.0, 'track_max_age': 20, 'track_occluded_max_age': 20}
    answers, output = _answers(rclpy_session, params, frames)
    first, second, later = ([p.id for p in answers[n].persons]
                            for n in ('first', 'second', 'after a pause'))
    assert len(first) >= 3 and sorted(second) == sorted(first), (first, second)
    assert min(later) > max(first), (first, later)   # the pause outlived every track
    assert output.count('carry no stamp') == 1, output


def test_unstamped_images_wait_for_the_simulated_clock(rclpy_session):
    # use_sim_time before the first /clock message: the clock reads 0, so an unstamped image
    # has no time at all; it is skipped, saying why, and answered once the clock runs.
    from rosgraph_msgs.msg import Clock
    node = rclpy_session.create_node('sim_clock_test_client')
    publisher = node.create_publisher(
        Image, TOPIC, QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    clock = node.create_publisher(Clock, '/clock', 10)
    answers = []
    node.create_subscription(PersonArray, '/pose/persons', answers.append, 10)
    params = {'device': 'cpu', 'image_topic': TOPIC, 'use_sim_time': True}
    bus = bgr_to_image_msg(read_image(BUS), Header(frame_id='bus'))
    with NodeProcess('pose_node', params=params) as pose:
        try:
            assert pose.wait_for_output('warm-up', 90), pose.output()
            assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 20)
            publisher.publish(bus)
            assert pose.wait_for_output('the clock reads 0 (use_sim_time before the first '
                                        '/clock message), so they are skipped', 30), \
                pose.output()
            assert not spin_until(node, lambda: answers, 1.0)
            tick = Clock()
            tick.clock.sec = 500
            clock.publish(tick)
            spin_until(node, lambda: False, 1.0)
            publisher.publish(bus)
            assert spin_until(node, lambda: answers, 30), pose.output()
            assert len(answers[0].persons) >= 3
            assert pose.interrupt() == 0
        finally:
            node.destroy_node()
