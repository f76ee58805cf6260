# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""camera_node over real DDS: files, folders, faults, exit codes, and an unplugged camera."""

import importlib.util
import pathlib
import shutil
import statistics
import threading
import time

import cv2
from pose_ros import capture
from pose_ros.camera_node import CameraNode
import pytest
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import NodeProcess, spin_until
from sensor_msgs.msg import Image
from test_capture import FlakyCamera, VTEST, write_video

pytestmark = pytest.mark.integration
TOPIC = '/camera/image_raw'


class Listener:
    """A node in the test process that keeps every image on the camera topic."""

    def __init__(self, rclpy_session):
        self.node = rclpy_session.create_node('camera_test_listener')
        self.messages = []
        self.arrivals = []
        self.latencies = []  # wall-clock arrival minus header.stamp, in seconds
        qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.node.create_subscription(Image, TOPIC, self._keep, qos)

    def _keep(self, msg):
        self.messages.append(msg)
        self.arrivals.append(time.monotonic())
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec / 1e9
        self.latencies.append(time.time() - stamp)

    def wait_for(self, count, others=(), timeout=15.0):
        """Spin (with ``others``) until ``count`` images arrived; return whether they did."""
        return spin_until([self.node, *others], lambda: len(self.messages) >= count, timeout)


@pytest.fixture
def listener(rclpy_session):
    listener = Listener(rclpy_session)
    yield listener
    listener.node.destroy_node()


def stamps_ns(messages):
    return [msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec for msg in messages]


def assert_clean_exit(process, code=0):
    assert process.interrupt() == code, process.output()[-3000:]
    assert 'Traceback' not in process.output(), process.output()[-3000:]


def test_video_file_is_published_at_the_asked_rate(listener):
    with NodeProcess('camera_node', params={'source': VTEST, 'fps': 10}) as camera:
        assert listener.wait_for(16), camera.output()[-3000:]
        messages, arrivals = listener.messages[1:16], listener.arrivals[1:16]
        rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
        assert rate == pytest.approx(10, rel=0.2)
        stamps = stamps_ns(messages)
        assert all(later > earlier for earlier, later in zip(stamps, stamps[1:]))
        assert (stamps[-1] - stamps[0]) / 1e9 / (len(stamps) - 1) == pytest.approx(0.1, rel=0.2)
        # A recorded frame is stamped when published, not when read ahead a period earlier.
        assert 0 <= statistics.median(listener.latencies[1:16]) < 0.05
        for msg in messages:
            assert (msg.width, msg.height, msg.encoding) == (768, 576, 'bgr8')
            assert msg.step == 768 * 3 and len(msg.data) == 768 * 576 * 3
            assert msg.header.frame_id == 'camera'
        assert_clean_exit(camera)  # Ctrl-C


def test_image_folder_is_published_resized_and_looped(listener, tmp_path):
    spec = importlib.util.find_spec('ultralytics')  # finds the package without importing it
    if spec is None:
        pytest.skip('ultralytics is not installed')
    ultralytics_assets = pathlib.Path(spec.origin).parent / 'assets'
    for name in ('bus.jpg', 'zidane.jpg'):
        shutil.copy(ultralytics_assets / name, tmp_path / name)
    cv2.imwrite(str(tmp_path / 'vtest.png'), cv2.VideoCapture(str(VTEST)).read()[1])
    params = {'source': tmp_path, 'fps': 20, 'loop': True, 'width': 320, 'height': 240,
              'frame_id': 'folder_camera'}
    with NodeProcess('camera_node', params=params) as camera:
        assert listener.wait_for(7), camera.output()[-3000:]  # more than the 3 images: looped
        assert {(m.width, m.height, m.encoding) for m in listener.messages} == \
            {(320, 240, 'bgr8')}
        assert {m.header.frame_id for m in listener.messages} == {'folder_camera'}
        pictures = [bytes(m.data) for m in listener.messages[:7]]
        assert len(set(pictures)) == 3 and pictures[0] != pictures[1]
        assert_clean_exit(camera)


def test_a_path_that_does_not_exist_is_a_configuration_error(tmp_path):
    missing = tmp_path / 'no_such_video.avi'
    with NodeProcess('camera_node', params={'source': missing}) as camera:
        assert camera.wait(15) != 0
        assert str(missing) in camera.output() and 'Traceback' not in camera.output()


def test_end_of_file_without_loop_exits_zero(listener, tmp_path):
    video = tmp_path / 'five.avi'
    write_video(video, 5)
    params = {'source': video, 'fps': 25, 'loop': False}
    with NodeProcess('camera_node', params=params) as camera:
        assert camera.wait(15) == 0, camera.output()[-3000:]
        output = camera.output()
        assert 'end of video file' in output and 'Traceback' not in output
    spin_until(listener.node, lambda: False, timeout=0.2)
    assert len(listener.messages) <= 5  # and never a repeat at the end


def test_missing_camera_is_retried_with_throttled_errors_until_ctrl_c():
    params = {'source': '/dev/video97', 'reconnect_interval': 0.1}
    with NodeProcess('camera_node', params=params) as camera:
        assert camera.wait_for_output('cannot open camera /dev/video97', timeout=15)
        time.sleep(1.0)  # about ten more attempts
        assert camera.process.poll() is None, camera.output()[-3000:]
        errors = [line for line in camera.output().splitlines()
                  if line.startswith('[ERROR]') and '/dev/video97' in line]
        assert len(errors) == 1, camera.output()[-3000:]
        assert_clean_exit(camera)


def in_process_camera(source, **params):
    overrides = [Parameter(name, value=value) for name, value in params.items()]
    camera = CameraNode(source=source, parameter_overrides=overrides)
    camera.bring_up()  # configure and activate, as autostart does
    return camera


@pytest.mark.parametrize('fps', [0, 25])  # each frame as it comes, and paced by the timer
def test_unplugged_camera_is_reconnected_and_resumes(listener, capfd, fps):
    source = FlakyCamera(fail_after=5, reopen_failures=3, fps=40)
    camera = in_process_camera(source, fps=float(fps), reconnect_interval=0.1)
    try:
        assert listener.wait_for(1, [camera])
        assert spin_until([camera, listener.node], lambda: source.recovered_at is not None)
        resumed = len(listener.messages)
        assert listener.wait_for(resumed + 5, [camera], timeout=5)
    finally:
        camera.destroy_node()
    assert listener.arrivals[-1] > source.recovered_at
    stamps = stamps_ns(listener.messages)
    assert all(later > earlier for earlier, later in zip(stamps, stamps[1:]))
    log = capfd.readouterr().err
    assert log.count('camera flaky0 stopped delivering frames') == 1, log
    assert 'camera flaky0 is back' in log
    assert '[ERROR]' not in log


def test_a_source_slower_than_asked_is_published_as_is_and_said_once(listener, capfd):
    source = FlakyCamera(fail_after=10**6, fps=8)
    camera = in_process_camera(source, fps=25.0)
    try:
        assert listener.wait_for(1, [camera])
        # The pace is judged over 2 s from the first frame.
        spin_until([camera, listener.node], lambda: source.frames >= 22, timeout=6)
    finally:
        camera.destroy_node()
    assert len(listener.messages) <= source.frames  # no frame published twice
    log = capfd.readouterr().err
    assert log.count('fewer than the asked 25') == 1, log


class HangingCamera(capture.FrameSource):
    """A camera stand-in whose read can hang, as a stalled stream's does; counts overlap."""

    live = True
    description = 'camera hanging0'

    def __init__(self):
        self._video = capture.VideoFileSource(str(VTEST), 160, 120, loop=True)
        self.hang, self.hanging, self.unhang = (threading.Event() for _ in range(3))
        self._lock = threading.Lock()
        self.inside = self.most_inside = 0     # threads in connect, read or close at once

    def _enter(self):
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)

    def _leave(self):
        with self._lock:
            self.inside -= 1

    def connect(self):
        self._enter()
        try:
            self._video.connect()
        finally:
            self._leave()

    def read(self):
        self._enter()
        try:
            time.sleep(0.02)
            if self.hang.is_set():
                self.hang.clear()
                self.hanging.set()
                self.unhang.wait(20)
            return self._video.read()
        finally:
            self._leave()

    def close(self):
        self._enter()
        try:
            self._video.close()
        finally:
            self._leave()


def test_a_read_that_hangs_past_deactivate_keeps_the_next_activate_off_the_source(
        listener, capfd):
    source = HangingCamera()
    camera = in_process_camera(source, fps=0.0)
    try:
        assert listener.wait_for(1, [camera])
        source.hang.set()
        assert source.hanging.wait(5)
        assert camera.trigger_deactivate() == TransitionCallbackReturn.SUCCESS
        assert camera.trigger_activate() != TransitionCallbackReturn.SUCCESS
        assert source.most_inside == 1, 'a second thread used the source during the read'
        source.unhang.set()
        assert camera.trigger_activate() == TransitionCallbackReturn.SUCCESS
        published = len(listener.messages)
        assert listener.wait_for(published + 3, [camera])
    finally:
        source.unhang.set()
        camera.destroy_node()
    assert source.most_inside == 1
    log = capfd.readouterr().err
    assert log.count('a read or open of camera hanging0 is still under way') == 1, log
    assert 'camera hanging0 is still in a read or open that began before the last' in log
