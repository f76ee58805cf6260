# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
camera_node and pose_node as managed nodes, driven over DDS as a lifecycle manager would.

Both run as processes with ``autostart:=false`` and are driven through their standard
services (``/<node>/change_state``, ``/<node>/get_state``): configure, activate, deactivate
(no PersonArray while images keep flowing, pose_node under 5% of a core, the camera file
released), activate again (answers resume within a frame time plus inference), cleanup and
shutdown (the processes then exit 0).
"""

import os
import signal
import time

from media import VTEST
from pose_ros_msgs.msg import PersonArray
import psutil
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import Lifecycle, NodeProcess, spin_until
from sensor_msgs.msg import Image

pytestmark = pytest.mark.integration
TOPIC = '/lifecycle_test/image'
CAMERA_FPS = 30.0
IDLE_CPU_LIMIT = 0.05  # of one core, while deactivated and images arrive at 30 Hz
DEACTIVATED_S = 4.0
MATCHING_S = 0.1  # a new subscription matching the camera's publisher (measured: 30-110 ms)
REACTIVATIONS = 3


class Traffic:
    """Keep the arrival times of the images (by stamp) and of the PersonArrays."""

    def __init__(self, node):
        self.images, self.image_arrivals, self.persons = [], {}, []
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        node.create_subscription(Image, TOPIC, self._on_image, reliable)
        node.create_subscription(PersonArray, '/pose/persons',
                                 lambda m: self.persons.append((time.monotonic(), m)), reliable)

    def _on_image(self, msg):
        now = time.monotonic()
        self.images.append(now)
        self.image_arrivals[stamp_of(msg)] = now

    def answer_delays(self, since=0.0):
        """Return [(image arrival, seconds until the PersonArray answering it arrived)]."""
        return [(self.image_arrivals[stamp_of(m)], t - self.image_arrivals[stamp_of(m)])
                for t, m in self.persons if t >= since and stamp_of(m) in self.image_arrivals]

    def images_since(self, moment):
        return sum(1 for t in self.images if t >= moment)

    def persons_since(self, moment):
        return [m for t, m in self.persons if t >= moment]


def stamp_of(msg):
    return (msg.header.stamp.sec, msg.header.stamp.nanosec)


def cpu_seconds(process):
    times = psutil.Process(process.process.pid).cpu_times()
    return times.user + times.system


def has_open(process, path):
    real = os.path.realpath(path)
    return any(os.path.realpath(f.path) == real
               for f in psutil.Process(process.process.pid).open_files())


def pose_subscribes(node):
    return any(info.node_name == 'pose' for info in node.get_subscriptions_info_by_topic(TOPIC))


def test_both_nodes_through_every_transition(rclpy_session):
    node = rclpy_session.create_node('lifecycle_test_manager')
    traffic = Traffic(node)
    camera_params = {'autostart': False, 'source': str(VTEST), 'fps': CAMERA_FPS,
                     'loop': True}
    pose_params = {'autostart': False, 'device': 'cpu', 'image_topic': TOPIC}
    with NodeProcess('camera_node', params=camera_params,
                     ros_args=['-r', f'~/image_raw:={TOPIC}']) as camera, \
            NodeProcess('pose_node', params=pose_params) as pose:
        try:
            camera_cycle, pose_cycle = Lifecycle(node, 'camera'), Lifecycle(node, 'pose')
            assert camera_cycle.state() == 'unconfigured', camera.output()
            assert pose_cycle.state() == 'unconfigured', pose.output()
            assert 'waiting for lifecycle transitions on /pose/change_state' in pose.output()

            # configure: the model is loaded, nothing streams, nothing is opened.
            assert camera_cycle.change('configure'), camera.output()
            assert pose_cycle.change('configure', timeout=120), pose.output()
            assert (camera_cycle.state(), pose_cycle.state()) == ('inactive', 'inactive')
            assert 'warm-up' in pose.output()
            assert not has_open(camera, VTEST)
            spin_until(node, lambda: False, timeout=1.0)
            assert not traffic.images and not traffic.persons
            assert not pose_subscribes(node)

            # activate: the camera opens its file and publishes, pose answers.
            assert camera_cycle.change('activate') and pose_cycle.change('activate')
            assert spin_until(node, lambda: len(traffic.persons) >= 10, timeout=60), \
                pose.output()
            assert has_open(camera, VTEST)
            delays = sorted(delay for _, delay in traffic.answer_delays()[-10:])
            answer_s = delays[len(delays) // 2]  # image in, PersonArray out: mostly inference

            # deactivate pose: images keep coming, nothing is answered, the CPU rests.
            assert pose_cycle.change('deactivate')
            assert pose_cycle.state() == 'inactive'
            spin_until(node, lambda: False, timeout=0.5)  # answers already under way
            quiet_from = time.monotonic()
            cpu_before = cpu_seconds(pose)
            spin_until(node, lambda: False, timeout=DEACTIVATED_S)
            cpu_share = (cpu_seconds(pose) - cpu_before) / (time.monotonic() - quiet_from)
            images = traffic.images_since(quiet_from)
            assert images >= 0.8 * CAMERA_FPS * DEACTIVATED_S, images
            assert traffic.persons_since(quiet_from) == []
            assert cpu_share < IDLE_CPU_LIMIT, f'deactivated pose_node used {cpu_share:.1%}'
            assert not pose_subscribes(node)

            # activate again: answers resume within a frame time plus inference. The first
            # answer is to an image that arrived at most a frame time (and the subscription's
            # matching) after the request, and took no longer than answers in steady state.
            # A reactivation that reloads or warms up the model is slow every time; one slow
            # answer on a loaded machine is not, so up to REACTIVATIONS tries, one must pass.
            tries = []
            for attempt in range(REACTIVATIONS):
                if attempt:
                    assert pose_cycle.change('deactivate')
                    spin_until(node, lambda: False, timeout=0.5)
                activated_at = time.monotonic()
                assert pose_cycle.change('activate')
                assert spin_until(node, lambda: traffic.answer_delays(activated_at),
                                  timeout=10)
                image_at, first_delay = traffic.answer_delays(activated_at)[0]
                tries.append((image_at - activated_at, first_delay))
                print(f'\nreactivated: first answered image '
                      f'{tries[-1][0] * 1000:.0f} ms after the request, answered in '
                      f'{first_delay * 1000:.0f} ms (steady {answer_s * 1000:.0f} ms); '
                      f'deactivated CPU {cpu_share:.2%} of a core')
                if tries[-1][0] < 1.0 / CAMERA_FPS + MATCHING_S \
                        and first_delay < 2 * answer_s:
                    break
            else:
                pytest.fail(f'every reactivation was slow: (waited s, answered s) {tries}, '
                            f'steady answer {answer_s:.3f} s')

            # deactivate the camera: it releases the file and stops publishing.
            assert camera_cycle.change('deactivate') and pose_cycle.change('deactivate')
            assert not has_open(camera, VTEST)
            spin_until(node, lambda: False, timeout=0.3)
            stopped_at = time.monotonic()
            spin_until(node, lambda: False, timeout=1.0)
            assert traffic.images_since(stopped_at) == 0

            # cleanup, then shutdown: both processes end by themselves with code 0.
            assert camera_cycle.change('cleanup') and pose_cycle.change('cleanup')
            assert (camera_cycle.state(), pose_cycle.state()) == ('unconfigured',
                                                                  'unconfigured')
            assert 'unconfigured: model freed' in pose.output()
            assert camera_cycle.change('shutdown') and pose_cycle.change('shutdown')
            assert camera.wait(10) == 0 and pose.wait(10) == 0
            for process in (camera, pose):
                assert 'Traceback' not in process.output(), process.output()
                assert '[ERROR]' not in process.output(), process.output()
        finally:
            node.destroy_node()


@pytest.mark.parametrize('state', ['unconfigured', 'inactive', 'active'])
def test_camera_shuts_down_cleanly_from_any_state(rclpy_session, state):
    node = rclpy_session.create_node('lifecycle_shutdown_test')
    params = {'autostart': False, 'source': str(VTEST), 'fps': CAMERA_FPS}
    with NodeProcess('camera_node', params=params,
                     ros_args=['-r', f'~/image_raw:={TOPIC}']) as camera:
        try:
            cycle = Lifecycle(node, 'camera')
            for transition in {'unconfigured': [], 'inactive': ['configure'],
                               'active': ['configure', 'activate']}[state]:
                assert cycle.change(transition), camera.output()
            assert cycle.state() == state
            assert cycle.change('shutdown'), camera.output()
            if state != 'unconfigured':  # change_state has answered before: discovery is done
                # node_runner lingers after a shutdown; without that the reply was often lost
                assert cycle.answered, 'the shutdown reply was lost: the process ended first'
            assert camera.wait(10) == 0, camera.output()
            assert 'Traceback' not in camera.output() and '[ERROR]' not in camera.output()
        finally:
            node.destroy_node()


def test_a_failed_configure_keeps_the_node_alive_and_unconfigured(rclpy_session, tmp_path):
    node = rclpy_session.create_node('lifecycle_failure_test')
    missing = tmp_path / 'no_such_clip.mp4'
    with NodeProcess('camera_node', params={'autostart': False, 'source': str(missing)}) as camera:
        try:
            cycle = Lifecycle(node, 'camera')
            assert not cycle.change('configure')
            assert cycle.state() == 'unconfigured'
            assert camera.process.poll() is None
            errors = [line for line in camera.output().splitlines() if '[ERROR]' in line]
            assert len(errors) == 1 and str(missing) in errors[0], camera.output()
            assert camera.interrupt() == 0
        finally:
            node.destroy_node()


def test_an_autostarted_pose_node_shuts_down_from_active(rclpy_session):
    node = rclpy_session.create_node('lifecycle_active_shutdown_test')
    with NodeProcess('pose_node', params={'device': 'cpu', 'image_topic': TOPIC}) as pose:
        try:
            cycle = Lifecycle(node, 'pose')
            assert pose.wait_for_output('waiting for a publisher', timeout=120), pose.output()
            assert cycle.state() == 'active'
            assert cycle.change('shutdown'), pose.output()
            assert pose.wait(10) == 0
            assert 'Traceback' not in pose.output() and '[ERROR]' not in pose.output()
        finally:
            node.destroy_node()


@pytest.mark.parametrize('stop', [signal.SIGINT, signal.SIGTERM], ids=['SIGINT', 'SIGTERM'])
def test_a_stop_signal_while_the_model_loads_exits_cleanly(stop):
    # SIGINT interrupts Python itself (KeyboardInterrupt); SIGTERM (systemd, docker, launch's
    # escalation) only shuts rclpy down, and configure must notice that and give up.
    with NodeProcess('pose_node', params={'device': 'cpu', 'image_topic': TOPIC}) as pose:
        # This line comes from configure, after torch is imported, before the model loads.
        assert pose.wait_for_output('half:=true is ignored on the CPU', timeout=120), \
            pose.output()
        sent = time.monotonic()
        pose.process.send_signal(stop)
        assert pose.wait(30) == 0, pose.output()
        took = time.monotonic() - sent
        output = pose.output()
    assert 'Traceback' not in output and 'Failed to publish' not in output, output
    assert 'warm-up' not in output  # it gave up before warming up
    assert took < 10.0, f'{took:.1f} s from the signal to the exit while configuring'


def test_the_bridge_listens_only_while_active(rclpy_session):
    import socket
    from ros_helpers import http_request
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    node = rclpy_session.create_node('lifecycle_bridge_test')
    with NodeProcess('bridge_node', params={'autostart': False, 'port': port}) as bridge:
        try:
            cycle = Lifecycle(node, 'pose_bridge')

            def serving():
                try:
                    return http_request(port, '/healthz', timeout=2.0)[0] == 200
                except OSError:
                    return False

            assert cycle.change('configure') and not serving()
            for _ in range(2):  # a second activation gets a fresh WebSocket thread
                assert cycle.change('activate') and serving(), bridge.output()
                assert cycle.change('deactivate') and not serving(), bridge.output()
            assert cycle.change('shutdown'), bridge.output()
            assert cycle.answered, 'the shutdown reply was lost: the process ended first'
            assert bridge.wait(10) == 0
            assert 'Traceback' not in bridge.output() and '[ERROR]' not in bridge.output()
        finally:
            node.destroy_node()


@pytest.mark.parametrize('executable', ['camera_node', 'bridge_node'])
def test_ctrl_c_again_while_stopping_exits_cleanly(executable):
    # A terminal's Ctrl-C reaches a node under ros2 launch twice: from the terminal, then
    # forwarded by launch. Here it keeps coming until the process has ended.
    params, ready = (({'source': str(VTEST)}, 'publishing') if executable == 'camera_node'
                     else ({'port': 0}, 'serving'))
    with NodeProcess(executable, params=params) as process:
        assert process.wait_for_output(ready, timeout=30), process.output()
        deadline = time.monotonic() + 15.0
        while process.process.poll() is None and time.monotonic() < deadline:
            process.process.send_signal(signal.SIGINT)
            time.sleep(0.01)
        assert process.wait(5) == 0, process.output()
        assert 'Traceback' not in process.output(), process.output()


def test_ctrl_c_while_messages_pour_in_exits_cleanly(rclpy_session):
    # Ctrl-C can land inside rclpy's C++ code taking a message (a RuntimeError instead of
    # KeyboardInterrupt), or while that error is handled: either way exit 0, no traceback.
    # The race is narrow: it showed in 2 of 15 tries before the fix, so try ten times.
    from ros_helpers import person_array
    node = rclpy_session.create_node('ctrl_c_flood')
    publisher = node.create_publisher(PersonArray, '/pose/persons', 10)
    message = person_array((1, 2, 3))
    try:
        for _ in range(10):
            with NodeProcess('bridge_node', params={'port': 0}) as bridge:
                assert bridge.wait_for_output('serving', timeout=30), bridge.output()
                assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 10)
                for index in range(1500):
                    publisher.publish(message)
                    if index == 1000:
                        bridge.process.send_signal(signal.SIGINT)
                assert bridge.wait(15) == 0, bridge.output()[-3000:]
                assert 'Traceback' not in bridge.output(), bridge.output()[-3000:]
    finally:
        node.destroy_node()
