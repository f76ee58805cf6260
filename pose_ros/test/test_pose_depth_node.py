# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
pose_node with depth, over DDS: pairing, 3D persons, every failure mode, markers.

One pose_node process runs the whole module; the tests run in file order, because the first
ones need what the later ones bring (first no camera_info, then no depth publisher at all).
Colour, depth and camera_info come from a synthetic RGB-D scene with exact ground truth.
"""

from dataclasses import replace
import math
import time

from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
from pose_ros.depth.depth_image import metres_to_depth_msg
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros_msgs.msg import PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
import rgbd_scenes
from ros_helpers import NodeProcess, spin_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header
from visualization_msgs.msg import Marker, MarkerArray

pytestmark = pytest.mark.integration
PREFIX = '/depth_test'
IMAGE_TOPIC, DEPTH_TOPIC, INFO_TOPIC = (f'{PREFIX}/color/image_raw',
                                        f'{PREFIX}/aligned_depth_to_color/image_raw',
                                        f'{PREFIX}/color/camera_info')
FRAME = 'camera_color_optical_frame'
RELIABLE = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
SLOP = 0.05


@pytest.fixture(scope='module')
def maker():
    return rgbd_scenes.SceneMaker(rgbd_scenes.default_estimator())


@pytest.fixture(scope='module')
def scene(maker):
    return maker.render(rgbd_scenes.scene_named('near_wall_2.5m'))


@pytest.fixture(scope='module')
def pose_node():
    params = {'device': 'cpu', 'image_topic': IMAGE_TOPIC, 'depth_topic': DEPTH_TOPIC,
              'camera_info_topic': INFO_TOPIC, 'depth_slop': SLOP}
    with NodeProcess('pose_node', params=params) as node:
        assert node.wait_for_output('warm-up', timeout=120), node.output()
        yield node


class RgbdCamera:
    """A test node that plays an RGB-D camera and collects what pose_node answers."""

    def __init__(self, rclpy_session):
        self.node = rclpy_session.create_node('rgbd_test_camera')
        self.image_pub = self.node.create_publisher(Image, IMAGE_TOPIC, RELIABLE)
        self.depth_pub = None
        self.info_pub = None
        self.persons, self.markers, self.diagnostics = [], [], []
        self.node.create_subscription(PersonArray, '/pose/persons', self.persons.append,
                                      QoSProfile(depth=10))
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self.diagnostics.append,
                                      10)
        self.markers_sub = None
        self.sequence = 0

    def start_depth(self):
        self.depth_pub = self.node.create_publisher(Image, DEPTH_TOPIC, RELIABLE)
        assert spin_until(self.node, lambda: self.depth_pub.get_subscription_count() > 0,
                          timeout=10)

    def start_camera_info(self):
        self.info_pub = self.node.create_publisher(CameraInfo, INFO_TOPIC, RELIABLE)
        assert spin_until(self.node, lambda: self.info_pub.get_subscription_count() > 0,
                          timeout=10)

    def subscribe_markers(self):
        self.markers_sub = self.node.create_subscription(MarkerArray, '/pose/markers',
                                                         self.markers.append, RELIABLE)
        assert spin_until(self.node, lambda: self.node.count_publishers('/pose/markers') > 0)
        time.sleep(0.5)   # let pose_node's publisher see the match

    def send(self, scene, depths=((0.0, None),), info=True, colour=None, timeout=30.0):
        """
        Publish camera_info, depth images and the colour image of one frame.

        ``depths`` is ((stamp offset in s, depth msg or None for the scene's), ...); return
        the PersonArray answering the colour image (None if none came).
        """
        self.sequence += 1
        stamp = 2000.0 + self.sequence
        header = _header(stamp)
        if info and self.info_pub is not None:
            msg = scene.camera_info(FRAME)
            msg.header = header
            self.info_pub.publish(msg)
        for offset, depth in depths if self.depth_pub is not None else ():
            depth = scene.depth_msg() if depth is None else depth
            depth.header = _header(stamp + offset)
            self.depth_pub.publish(depth)
        spin_until(self.node, lambda: False, timeout=0.1)   # depth first, as cameras do
        self.image_pub.publish(bgr_to_image_msg(scene.colour if colour is None else colour,
                                                header))
        answered = lambda: [p for p in self.persons if p.header == header]  # noqa: E731
        spin_until(self.node, answered, timeout=timeout)
        found = answered()
        return found[0] if found else None

    def diagnostic(self, key=None):
        spin_until(self.node, lambda: False, timeout=1.2)   # diagnostics come once a second
        values = {kv.key: kv.value for kv in self.diagnostics[-1].status[0].values}
        return values if key is None else values.get(key)


def _header(stamp):
    header = Header(frame_id=FRAME)
    header.stamp.sec = int(stamp)
    header.stamp.nanosec = int(round((stamp - int(stamp)) * 1e9))
    return header


@pytest.fixture(scope='module')
def camera(rclpy_session, pose_node):
    camera = RgbdCamera(rclpy_session)
    assert spin_until(camera.node, lambda: camera.image_pub.get_subscription_count() > 0,
                      timeout=20), pose_node.output()
    assert spin_until(camera.node, lambda: camera.node.count_publishers('/pose/persons') > 0)
    yield camera
    camera.node.destroy_node()


def _no_3d(person):
    points = np.array([(k.x, k.y, k.z, k.confidence) for k in person.keypoints_3d])
    return (len(points) == 17 and np.isnan(points[:, :3]).all() and not points[:, 3].any()
            and math.isnan(person.position.z))


def _position(person):
    return np.array([person.position.x, person.position.y, person.position.z])


def _wait_for(node_process, text, timeout=15.0):
    return node_process.wait_for_output(text, timeout=timeout)


# -- in this order: first without camera_info, then without depth ---------------------------
def test_without_camera_info_persons_flow_in_2d_with_a_clear_error(camera, pose_node, scene):
    for _ in range(3):
        msg = camera.send(scene)
        assert msg is not None and len(msg.persons) == 1
        assert len(msg.persons[0].keypoints) == 17 and _no_3d(msg.persons[0])
    assert _wait_for(pose_node, f'no camera_info on {INFO_TOPIC} yet: 3D needs'), \
        pose_node.output()
    assert pose_node.output().count('no camera_info on') < 3   # throttled: once per 5 s


def test_without_any_depth_image_persons_flow_in_2d_with_a_clear_error(
        camera, pose_node, scene):
    camera.start_camera_info()
    deadline = time.monotonic() + 20
    while not _wait_for(pose_node, f'no depth image received on {DEPTH_TOPIC} yet', 0.1):
        assert time.monotonic() < deadline, pose_node.output()
        msg = camera.send(scene)
        assert msg is not None and len(msg.persons) == 1 and _no_3d(msg.persons[0])


def test_paired_depth_gives_17_keypoints_3d_and_the_position_within_5_cm(
        camera, pose_node, scene):
    camera.start_depth()
    assert _wait_for(pose_node, f'subscribed to {DEPTH_TOPIC} (Image, reliable)')
    for encoding in ('16UC1', '32FC1'):
        encoded = replace(scene, scene=replace(scene.scene, encoding=encoding))
        msg = camera.send(encoded)
        assert msg is not None and len(msg.persons) == 1, pose_node.output()
        person = msg.persons[0]
        assert len(person.keypoints_3d) == 17
        truth = scene.figures[0]
        assert np.linalg.norm(_position(person) - truth.position) < 0.05, encoding
        keypoints = np.array([(k.x, k.y) for k in person.keypoints])
        points = np.array([(k.x, k.y, k.z) for k in person.keypoints_3d])
        found = np.all(np.isfinite(points), axis=1)
        assert found.sum() >= 12
        exact = scene.truth_points(keypoints[found], 0)
        assert np.abs(points[found] - exact).max() < 0.3
        # The optical frame: z forward, y down (the head above the ankles), x right.
        centre = np.array([rgbd_scenes.K[2], rgbd_scenes.K[5]])
        assert points[found, 2].min() > 2.0
        assert np.array_equal(np.sign(points[found, :2]), np.sign(keypoints[found] - centre))


def test_the_depth_image_with_the_nearest_stamp_is_paired(camera, scene):
    def shifted(metres):
        return metres_to_depth_msg(scene.depth + metres, '16UC1')
    near = camera.send(scene, depths=((-0.04, shifted(0.6)), (0.01, None), (0.035, shifted(1.2))))
    assert abs(near.persons[0].position.z - 2.5) < 0.05
    late = camera.send(scene, depths=((-0.03, shifted(0.6)), (0.045, shifted(1.2))))
    assert abs(late.persons[0].position.z - 3.1) < 0.05   # 30 ms beats 45 ms


def test_every_person_gets_17_keypoints_3d_and_their_own_position(camera, maker):
    two = maker.render(rgbd_scenes.scene_named('two_people'))
    msg = camera.send(two)
    assert msg is not None and len(msg.persons) == 2
    figures = rgbd_scenes.match_figures(two, [p.bbox for p in msg.persons])
    assert sorted(figures) == [0, 1]
    for person, figure in zip(msg.persons, figures):
        assert len(person.keypoints_3d) == 17
        assert np.linalg.norm(_position(person) - two.figures[figure].position) < 0.05


def test_depth_outside_the_slop_is_not_paired(camera, pose_node, scene):
    msg = camera.send(scene, depths=((-0.2, None), (0.3, None)))
    assert msg is not None and _no_3d(msg.persons[0]), (msg, pose_node.output())
    assert _wait_for(pose_node, 'more than depth_slop 0.05 s'), pose_node.output()


def test_depth_of_another_size_is_refused_and_persons_flow(camera, pose_node, scene):
    small = metres_to_depth_msg(scene.depth[::2, ::2], '16UC1')
    msg = camera.send(scene, depths=((0.0, small),))
    assert msg is not None and len(msg.persons) == 1 and _no_3d(msg.persons[0])
    assert len(msg.persons[0].keypoints) == 17 and msg.persons[0].score > 0.5
    assert _wait_for(pose_node, 'depth image is 320x240 but the colour image is 640x480'), \
        pose_node.output()


def test_an_unknown_depth_encoding_is_refused_and_persons_flow(camera, pose_node, scene):
    wrong = bgr_to_image_msg(scene.colour, Header())    # an rgb camera on the depth topic
    msg = camera.send(scene, depths=((0.0, wrong),))
    assert msg is not None and len(msg.persons) == 1 and _no_3d(msg.persons[0])
    assert _wait_for(pose_node, 'depth encoding "bgr8" is not supported; use 16UC1'), \
        pose_node.output()
    assert pose_node.process.poll() is None


def test_depth_that_stops_leaves_2d_flowing_and_3d_comes_back(camera, pose_node, scene):
    assert not _no_3d(camera.send(scene).persons[0])
    started = time.monotonic()
    while not _wait_for(pose_node, 'depth stopped: no image on', 0.1):
        assert time.monotonic() - started < 30, pose_node.output()
        msg = camera.send(scene, depths=())
        assert msg is not None and len(msg.persons) == 1 and _no_3d(msg.persons[0])
    before = pose_node.output().count('3D is back')
    # Depth has stopped, so the node does not wait for it: the first depth image back may
    # come after its colour frame was processed. By the second frame it is back for sure.
    camera.send(scene)
    msg = camera.send(scene)
    assert not _no_3d(msg.persons[0]), (msg, pose_node.output())
    assert abs(msg.persons[0].position.z - 2.5) < 0.05
    assert _wait_for(pose_node, '3D is back') and \
        pose_node.output().count('3D is back') == before + 1


def test_diagnostics_carry_the_3d_stage(camera):
    values = camera.diagnostic()
    assert values['depth'] == DEPTH_TOPIC
    assert float(values['3d_ms']) > 0.0
    assert int(values['frames_with_3d']) >= 4 and int(values['frames_without_3d']) >= 4
    assert 'markers_ms' not in values   # nobody has subscribed to the markers yet


def test_markers_while_subscribed_and_deleted_when_the_person_leaves(camera, scene):
    camera.subscribe_markers()
    msg = camera.send(scene)
    person = msg.persons[0]
    assert spin_until(camera.node, lambda: any(m.markers and m.markers[0].header == msg.header
                                               for m in camera.markers), timeout=10)
    array = next(m for m in camera.markers if m.markers[0].header == msg.header)
    kinds = {(m.ns, m.type) for m in array.markers if m.action == Marker.ADD}
    assert kinds == {('bones', Marker.LINE_LIST), ('joints', Marker.SPHERE_LIST),
                     ('id', Marker.TEXT_VIEW_FACING)}
    assert all(m.id == person.id and m.header.frame_id == FRAME for m in array.markers)
    label = next(m for m in array.markers if m.ns == 'id')
    assert label.text == str(person.id)
    assert 'markers_ms' in camera.diagnostic()
    empty = np.full_like(scene.colour, 120)
    gone = camera.send(scene, colour=empty)
    assert gone is not None and gone.persons == []
    assert spin_until(camera.node, lambda: any(
        m.markers and m.markers[0].header == gone.header for m in camera.markers), timeout=10)
    deleted = next(m for m in camera.markers if m.markers[0].header == gone.header)
    assert {(m.ns, m.id, m.action) for m in deleted.markers} == {
        (ns, person.id, Marker.DELETE) for ns in ('bones', 'joints', 'id')}


def test_velocity_3d_follows_a_person_walking_away(camera, scene):
    camera.sequence += 10    # 10 s later: a new track, with a history of its own
    for step in range(4):    # 1 s apart (the stamps), 0.1 m further each time
        msg = camera.send(scene, depths=((0.0, metres_to_depth_msg(scene.depth + 0.1 * step,
                                                                   '32FC1')),))
    velocity = msg.persons[0].velocity_3d
    assert velocity.z == pytest.approx(0.1, abs=0.03)
    assert abs(velocity.x) < 0.05 and abs(velocity.y) < 0.05


def test_unstamped_depth_pairs_by_arrival(camera, pose_node, scene):
    """A driver that sets no stamps: a depth image that came with the colour one pairs."""
    unstamped = Header(frame_id=FRAME)
    early = metres_to_depth_msg(scene.depth + 0.6, '16UC1')
    early.header = unstamped
    camera.depth_pub.publish(early)
    spin_until(camera.node, lambda: False, timeout=0.5)
    info, depth = scene.camera_info(FRAME), scene.depth_msg()
    info.header = depth.header = unstamped
    camera.info_pub.publish(info)
    camera.image_pub.publish(bgr_to_image_msg(scene.colour, unstamped))
    answered = lambda: [p for p in camera.persons if p.header == unstamped]  # noqa: E731
    deadline = time.monotonic() + 30
    while not answered() and time.monotonic() < deadline:   # depth at 20 Hz, as from a camera
        camera.depth_pub.publish(depth)
        spin_until(camera.node, answered, timeout=0.05)
    assert answered(), pose_node.output()
    assert abs(answered()[0].persons[0].position.z - 2.5) < 0.05, pose_node.output()
    assert _wait_for(pose_node, f'depth images on {DEPTH_TOPIC} carry no stamp (0): they '
                     'are paired by arrival time'), pose_node.output()
    assert _wait_for(pose_node, f'images on {IMAGE_TOPIC} carry no stamp (0): tracking, '
                     'velocities and depth pairing use their arrival time'), pose_node.output()


def test_ctrl_c_exits_cleanly(camera, pose_node):
    assert pose_node.interrupt() == 0
    assert 'Traceback' not in pose_node.output()
