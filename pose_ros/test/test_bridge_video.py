# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Video and diagnostics for viewers: the installed bridge_node over real DDS, and its parts.

An rclpy node in this process plays the camera and pose_node (images, then a PersonArray
with the same stamp); websockets clients ask for video or not. Checked: a JSON-only client
gets the same bytes whether or not a viewer watches video; the bridge subscribes to the
images only while a viewer wants them and encodes each picture once for all viewers; a
compressed JPEG is forwarded as it is; ``video: false`` says so to a client that asks.
"""

import asyncio
import json
import struct
import threading
import time
from types import SimpleNamespace

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import numpy as np
from pose_ros.bridge.feed_options import FeedOptions, FeedOptionsError, parse_feed_options
from pose_ros.bridge.frame_picker import FramePicker, MAX_BYTES
from pose_ros.bridge.json_encoding import (diagnostics_message, encode_hello, encode_persons,
                                           stamp_seconds)
from pose_ros.bridge.video_encoding import encode_picture, pack_video_frame, unpack_video_frame
from pose_ros.compressed_size import jpeg_size
from pose_ros.image_conversion import bgr_to_image_msg, ImageConversionError
from pose_ros_msgs.msg import PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import bridge_port, NodeProcess, person_array, spin_until
from sensor_msgs.msg import CompressedImage, Image
from websockets.asyncio.client import connect

WIDTH, HEIGHT = 320, 240
RATE_HZ = 10.0


def picture(index):
    """Return a BGR test picture whose colour says its index."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    image[:] = (20 + 10 * (index % 20), 100, 200)
    cv2.putText(image, str(index), (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    return image


class Camera:
    """Publish images (raw or JPEG) and then their PersonArray, as camera and pose_node."""

    def __init__(self, node, compressed=False):
        self.node = node
        self.persons = node.create_publisher(
            PersonArray, '/pose/persons', QoSProfile(depth=10,
                                                     reliability=ReliabilityPolicy.RELIABLE))
        topic = '/camera/image_raw' + ('/compressed' if compressed else '')
        self.images = node.create_publisher(CompressedImage if compressed else Image, topic,
                                            QoSProfile(depth=1,
                                                       reliability=ReliabilityPolicy.RELIABLE))
        self.compressed = compressed
        self.sent = []  # (PersonArray, image message)
        self._stop = threading.Event()
        self._thread = None

    def publish(self, index):
        persons = person_array((1, 7), width=WIDTH, height=HEIGHT)
        if self.compressed:
            image = CompressedImage(header=persons.header, format='jpeg')
            image.data = cv2.imencode('.jpg', picture(index))[1].tobytes()
        else:
            image = bgr_to_image_msg(picture(index), persons.header)
        self.images.publish(image)
        time.sleep(0.005)
        self.persons.publish(persons)
        self.sent.append((persons, image))

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self):
        started = time.monotonic()
        for index in range(int(RATE_HZ * 120)):  # bounded: two minutes
            if self._stop.wait(max(0.0, started + index / RATE_HZ - time.monotonic())):
                return
            self.publish(index)

    def subscribers(self):
        return self.images.get_subscription_count()


class Recorder:
    """A WebSocket client on a thread of its own that keeps every message it receives."""

    def __init__(self, port, query=''):
        self.url = f'ws://127.0.0.1:{port}/{query}'
        self.messages = []  # (arrival time, str or bytes)
        self.error = None
        self._ready = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self):
        self._thread.start()
        assert self._ready.wait(10), f'client could not connect: {self.error!r}'
        return self

    def stop(self):
        self._done.set()
        self._thread.join(5)
        assert self.error is None, repr(self.error)

    def texts(self):
        return [m for _, m in self.messages if isinstance(m, str)]

    def pictures(self):
        return [unpack_video_frame(m) for _, m in self.messages if isinstance(m, bytes)]

    def _main(self):
        try:
            asyncio.run(self._receive())
        except Exception as error:  # reported by stop()
            self.error = error
        finally:
            self._ready.set()

    async def _receive(self):
        async with connect(self.url, proxy=None, max_size=None) as client:
            self.messages.append((time.monotonic(), await client.recv()))
            self._ready.set()
            while not self._done.is_set():
                try:
                    message = await asyncio.wait_for(client.recv(), 0.2)
                except TimeoutError:
                    continue
                self.messages.append((time.monotonic(), message))


@pytest.fixture
def camera_node(rclpy_session):
    node = rclpy_session.create_node('video_test_camera')
    yield node
    node.destroy_node()


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# End to end, with the installed bridge_node

@pytest.mark.integration
def test_json_only_client_gets_the_same_bytes_while_a_video_viewer_watches(camera_node):
    with NodeProcess('bridge_node', params={'port': 0}) as bridge:
        port = bridge_port(bridge)
        camera = Camera(camera_node)
        assert spin_until(camera_node, lambda: camera.persons.get_subscription_count() > 0, 20)
        plain = Recorder(port).start()
        assert not spin_until(camera_node, lambda: camera.subscribers() > 0, 1.5), \
            'the bridge subscribed to the images without a video viewer'
        for index in range(20):  # without a video viewer
            camera.publish(index)
            time.sleep(1 / RATE_HZ)
        alone = len(camera.sent)
        viewer = Recorder(port, '?video=1').start()
        assert spin_until(camera_node, lambda: camera.subscribers() > 0, 5.0)
        for index in range(20, 60):  # with one
            camera.publish(index)
            time.sleep(1 / RATE_HZ)
        time.sleep(0.5)
        viewer.stop()
        plain.stop()
        assert spin_until(camera_node, lambda: camera.subscribers() == 0, 5.0), \
            'the bridge kept the image subscription after the viewer left'
        assert bridge.interrupt() == 0

    texts = plain.texts()
    assert texts[0] == encode_hello().decode()
    assert all(isinstance(m, str) for _, m in plain.messages)  # no binary frame, ever
    expected = [encode_persons(persons).decode() for persons, _ in camera.sent]
    assert texts[1:] == expected  # every frame, byte for byte, in both halves
    assert len(texts[1:alone + 1]) == alone
    assert {json.loads(t)['type'] for t in texts} == {'hello', 'persons'}

    pictures = viewer.pictures()
    persons_stamps = {stamp_seconds(p.header.stamp) for p, _ in camera.sent[alone:]}
    assert len(pictures) >= 30, len(pictures)
    for header, jpeg in pictures:
        assert header['stamp'] in persons_stamps  # the picture a PersonArray answered
        assert (header['width'], header['height']) == (WIDTH, HEIGHT)
        decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert decoded.shape == (HEIGHT, WIDTH, 3)
    video_status = json.loads(viewer.texts()[1])
    assert video_status == {'type': 'video', 'enabled': True, 'topic': '/camera/image_raw',
                            'compressed': False, 'quality': 75, 'max_rate': 10.0}


@pytest.mark.integration
def test_each_picture_is_encoded_once_for_all_viewers(camera_node):
    with NodeProcess('bridge_node', params={'port': 0, 'video_max_rate': 5.0}) as bridge:
        port = bridge_port(bridge)
        camera = Camera(camera_node)
        assert spin_until(camera_node, lambda: camera.persons.get_subscription_count() > 0, 20)
        viewers = [Recorder(port, '?video=1').start() for _ in range(3)]
        assert spin_until(camera_node, lambda: camera.subscribers() > 0, 5.0)
        camera.start()
        time.sleep(4.0)
        camera.stop()
        time.sleep(0.5)
        for viewer in viewers:
            viewer.stop()
        assert bridge.interrupt() == 0
    by_seq = [{header['seq']: (header, jpeg) for header, jpeg in v.pictures()} for v in viewers]
    common = set(by_seq[0]) & set(by_seq[1]) & set(by_seq[2])
    assert len(common) >= 12, [sorted(s) for s in by_seq]
    for seq in common:  # the same frame, the same bytes: one encoding shared by all
        assert by_seq[0][seq] == by_seq[1][seq] == by_seq[2][seq]
    seqs = sorted(set().union(*by_seq))
    assert seqs == list(range(seqs[0], seqs[-1] + 1))  # one sequence, not one per viewer
    # video_max_rate 5 Hz of a 10 Hz camera: about 20 pictures in 4 s, not 40 nor 120.
    assert 14 <= len(seqs) <= 24, seqs


@pytest.mark.integration
def test_compressed_jpeg_is_forwarded_as_it_is(camera_node):
    params = {'port': 0, 'video_compressed': True}
    with NodeProcess('bridge_node', params=params) as bridge:
        port = bridge_port(bridge)
        camera = Camera(camera_node, compressed=True)
        assert spin_until(camera_node, lambda: camera.persons.get_subscription_count() > 0, 20)
        viewer = Recorder(port, '?video=1').start()
        assert spin_until(camera_node, lambda: camera.subscribers() > 0, 5.0)
        for index in range(15):
            camera.publish(index)
            time.sleep(1 / RATE_HZ)
        time.sleep(0.5)
        viewer.stop()
        assert bridge.interrupt() == 0
    sent = {stamp_seconds(image.header.stamp): bytes(image.data) for _, image in camera.sent}
    pictures = viewer.pictures()
    assert len(pictures) >= 10
    for header, jpeg in pictures:
        assert jpeg == sent[header['stamp']]  # byte for byte: no decode, no re-encode
        assert (header['width'], header['height']) == (WIDTH, HEIGHT)


@pytest.mark.integration
def test_a_broken_image_gets_one_clear_message_and_the_video_goes_on(camera_node):
    with NodeProcess('bridge_node', params={'port': 0}) as bridge:
        port = bridge_port(bridge)
        camera = Camera(camera_node)
        assert spin_until(camera_node, lambda: camera.persons.get_subscription_count() > 0, 20)
        viewer = Recorder(port, '?video=1').start()
        assert spin_until(camera_node, lambda: camera.subscribers() > 0, 5.0)
        for index in range(30):
            if index % 3:
                camera.publish(index)
            else:  # claims 320x240 bgr8 but carries 10 bytes
                persons = person_array((1,), width=WIDTH, height=HEIGHT)
                broken = Image(header=persons.header, height=HEIGHT, width=WIDTH,
                               encoding='bgr8', step=WIDTH * 3)
                broken.data = bytes(10)
                camera.images.publish(broken)
                time.sleep(0.005)
                camera.persons.publish(persons)
            time.sleep(1 / RATE_HZ)
        time.sleep(0.5)
        viewer.stop()
        assert bridge.process.poll() is None, 'bridge_node died on a broken image'
        assert bridge.interrupt() == 0
        output = bridge.output()
    assert len(viewer.pictures()) >= 15  # the good ones
    assert 1 <= output.count('cannot encode an image for the viewer') <= 2, output  # throttled
    assert 'Traceback' not in output


@pytest.mark.integration
def test_video_false_tells_a_client_that_asks_and_never_subscribes(camera_node):
    with NodeProcess('bridge_node', params={'port': 0, 'video': False}) as bridge:
        port = bridge_port(bridge)
        camera = Camera(camera_node)
        assert spin_until(camera_node, lambda: camera.persons.get_subscription_count() > 0, 20)
        viewer = Recorder(port, '?video=1').start()
        for index in range(10):
            camera.publish(index)
            time.sleep(1 / RATE_HZ)
        subscribed = camera.subscribers()
        viewer.stop()
        assert bridge.interrupt() == 0
        output = bridge.output()
    status = json.loads(viewer.texts()[1])
    assert status['type'] == 'video' and status['enabled'] is False
    assert 'video: false' in status['reason']
    assert viewer.pictures() == [] and subscribed == 0
    assert sum(json.loads(t)['type'] == 'persons' for t in viewer.texts()) >= 8
    assert 'video for viewers' not in output


@pytest.mark.integration
def test_diagnostics_are_relayed_to_the_clients_that_ask(camera_node):
    publisher = camera_node.create_publisher(DiagnosticArray, '/diagnostics', 10)
    with NodeProcess('bridge_node', params={'port': 0}) as bridge:
        port = bridge_port(bridge)
        plain = Recorder(port).start()
        asking = Recorder(port, '?diagnostics=1').start()
        assert spin_until(camera_node, lambda: publisher.get_subscription_count() > 0, 5.0)
        for _ in range(3):
            pose = DiagnosticStatus(name='pose: pose estimation', message='running')
            pose.values = [KeyValue(key='fps', value='9.87'),
                           KeyValue(key='frames_dropped', value='12'),
                           KeyValue(key='device', value='cpu')]
            other = DiagnosticStatus(name='battery: charge', message='ok')
            publisher.publish(DiagnosticArray(status=[other, pose]))
            time.sleep(0.3)
        time.sleep(0.3)
        asking.stop()
        plain.stop()
        assert spin_until(camera_node, lambda: publisher.get_subscription_count() == 0, 5.0)
        assert bridge.interrupt() == 0
    relayed = [json.loads(t) for t in asking.texts() if '"diagnostics"' in t]
    assert len(relayed) == 3
    assert relayed[0]['name'] == 'pose: pose estimation'
    assert relayed[0]['values'] == {'fps': 9.87, 'frames_dropped': 12, 'device': 'cpu'}
    assert not any('diagnostics' in t for t in plain.texts())


# The parts, without ROS

def test_picker_sends_the_image_a_persons_message_answered_and_lets_older_ones_go():
    picker = FramePicker(max_rate=0.0)
    assert picker.add_image((1, 0), 'alone', 10, now=0.0) == 'alone'  # no persons yet
    assert picker.add_persons((1, 0), now=0.0) is None
    for index in range(2, 6):  # pose_node answers 3 and 5; 2 and 4 are skipped
        assert picker.add_image((index, 0), f'image {index}', 10, now=index * 0.1) is None
    assert picker.add_persons((3, 0), now=0.55) == 'image 3'
    assert picker.held == (2, 20)  # 2 is let go, 4 and 5 wait
    assert picker.add_persons((5, 0), now=0.65) == 'image 5'
    assert picker.held == (0, 0)
    assert picker.add_persons((6, 0), now=0.7) is None  # came before its image
    assert picker.add_image((6, 0), 'image 6', 10, now=0.71) == 'image 6'
    assert picker.add_image((7, 0), 'image 7', 10, now=2.0) == 'image 7'  # pose stopped
    assert (picker.paired, picker.alone) == (3, 2)


def test_picker_keeps_to_the_rate_and_bounds_what_it_holds():
    picker = FramePicker(max_rate=10.0)
    sent = 0
    picker.add_persons((0, 0), now=0.0)
    for index in range(1, 91):  # 30 Hz for 3 s, every frame answered
        now = index / 30
        picker.add_image((index, 0), index, 10, now)
        sent += picker.add_persons((index, 0), now) is not None
    assert 29 <= sent <= 31
    big = FramePicker(max_rate=0.0)
    big.add_persons((0, 0), now=0.0)
    for index in range(1, 200):  # never answered (a slow pose_node): memory stays bounded
        big.add_image((index, 0), index, 2**20, now=0.5 + index * 0.001)
    assert big.held[1] <= MAX_BYTES and big.held[0] <= 64


def test_picker_counts_an_image_whose_stamp_came_again_once():
    # A driver that stamps every image alike (0, or a frame sent twice): the newest image
    # with a stamp replaces the one before, in the byte count too, so video goes on.
    picker = FramePicker(max_rate=0.0)
    picker.add_persons((9, 0), now=0.0)
    for index in range(200):
        assert picker.add_image((0, 0), index, 2**20, now=0.1 + index * 0.001) is None
        assert picker.held == (1, 2**20)
    assert picker.add_persons((0, 0), now=0.4) == 199


@pytest.mark.parametrize('query, options', [
    ('', FeedOptions()),
    ('video=1&diagnostics=1', FeedOptions(video=True, diagnostics=True)),
    ('token=x&video=true&other=3', FeedOptions(video=True)),
    ('schema=5', FeedOptions(schema=2)),
    ('schema=1', FeedOptions(schema=1)),
])
def test_feed_options_pick_the_newest_readable_schema(query, options):
    assert parse_feed_options(query, schemas=(1, 2)) == options


@pytest.mark.parametrize('query', ['video=2', 'schema=', 'schema=-1', 'schema=1e3',
                                   'diagnostics=1&diagnostics=1', 'schema=0'])
def test_feed_options_refuse_what_they_cannot_honour(query):
    with pytest.raises(FeedOptionsError):
        parse_feed_options(query, schemas=(1, 2))


def test_video_frames_carry_the_stamp_as_persons_do_and_a_real_jpeg():
    stamp = SimpleNamespace(sec=1764100000, nanosec=500000000)
    msg = bgr_to_image_msg(picture(3), SimpleNamespace(stamp=stamp, frame_id='camera'))
    jpeg, width, height = encode_picture(msg, 75)
    assert (width, height) == (WIDTH, HEIGHT) and jpeg_size(jpeg) == (WIDTH, HEIGHT)
    data = pack_video_frame({'stamp': stamp_seconds(stamp), 'seq': 4}, jpeg)
    header, body = unpack_video_frame(data)
    persons = person_array((1,))
    persons.header.stamp.sec, persons.header.stamp.nanosec = stamp.sec, stamp.nanosec
    assert header['stamp'] == json.loads(encode_persons(persons))['stamp']
    assert header['type'] == 'video_frame' and body == jpeg
    compressed = SimpleNamespace(format='bgr8; jpeg compressed bgr8', data=jpeg, header=msg.header)
    assert encode_picture(compressed, 10)[0] == jpeg  # forwarded, quality not applied
    png = SimpleNamespace(format='png', data=cv2.imencode('.png', picture(3))[1].tobytes(),
                          header=msg.header)
    assert jpeg_size(encode_picture(png, 75)[0]) == (WIDTH, HEIGHT)  # re-encoded as JPEG


def test_a_jpeg_declaring_too_many_pixels_is_not_forwarded_to_browsers():
    jpeg = bytearray(cv2.imencode('.jpg', picture(3))[1].tobytes())
    frame = jpeg.index(b'\xff\xc0')   # baseline start of frame: length, precision, H, W
    jpeg[frame + 5:frame + 9] = struct.pack('!HH', 9000, 9000)
    assert jpeg_size(bytes(jpeg)) == (9000, 9000)
    msg = SimpleNamespace(format='jpeg', data=bytes(jpeg))
    with pytest.raises(ImageConversionError, match='declares 9000x9000 pixels'):
        encode_picture(msg, 75)


def test_diagnostics_message_reads_numbers_and_keeps_text():
    status = DiagnosticStatus(name='pose: pose estimation', level=DiagnosticStatus.WARN,
                              message='waiting for images')
    status.values = [KeyValue(key='fps', value='0.00'),
                     KeyValue(key='frames_dropped', value='7'),
                     KeyValue(key='device', value='cuda:0'), KeyValue(key='odd', value='nan')]
    message = diagnostics_message(status, SimpleNamespace(sec=5, nanosec=0))
    assert message == {'type': 'diagnostics', 'stamp': 5.0, 'name': 'pose: pose estimation',
                       'level': 1, 'message': 'waiting for images',
                       'values': {'fps': 0.0, 'frames_dropped': 7, 'device': 'cuda:0',
                                  'odd': 'nan'}}
