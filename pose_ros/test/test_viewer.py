# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The viewer page in headless Chromium, fed by the installed bridge_node over real DDS.

A publisher plays a camera and pose_node: a synthetic picture on /camera/image_raw, a
PersonArray with the same stamp whose people move with the picture, and pose_node-shaped
/diagnostics. The tests check the canvas pixels (the picture under the people, each
skeleton over the picture with its own stamp), the header's figures, trails, the
snapshot, and that the bridge subscribes to the images only while the page watches. They
save a screenshot to test/artifacts/<venv>/viewer.png, restart the bridge to see the page
reconnect by itself, and open the viewer on 127.0.0.1 and localhost, with and without a
token, while a page of another site, or one whose name was rebound to 127.0.0.1, gets
nothing.
"""

import struct
import threading
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import numpy as np
from pose_ros.coco import PALETTE_BGR, SKELETON_EDGES
from pose_ros.image_conversion import bgr_to_image_msg
from pose_ros_msgs.msg import PersonArray
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import ARTIFACTS, bridge_port, NodeProcess, person_array, spin_until
from sensor_msgs.msg import Image

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--no-first-run']
TOKEN = 'viewer-secret'
TRACK_IDS = (1, 42)
WIDTH, HEIGHT = 640, 480
BAR_ROWS = 40          # a yellow bar in the picture's top rows marks where person 1 is
SHOULDER = (121.6, 105.6)  # person 1's left shoulder in person_array((1, 42)), before shifting
DIAGNOSTICS = {'fps': '9.80', 'frames_processed': '120', 'frames_dropped': '3',
               'frames_rejected': '0', 'device': 'cpu', 'precision': 'fp32',
               'inference_ms': '85.40', 'tracking_ms': '0.50'}


def rgb_of(track_id):
    b, g, r = PALETTE_BGR[track_id % len(PALETTE_BGR)]
    return [r, g, b]


def shift_of(index):
    """Return frame ``index``'s shift in pixels: far (37 px or more) from the last one's."""
    return (index * 37) % 120 - 60


def background_rgb(x, y):
    """Return the picture's colour at (x, y) away from the bar: a gradient, never black."""
    return [40 + y * 100 // HEIGHT, 120, 60 + x * 100 // WIDTH]


def picture(index):
    """Return the BGR picture of frame ``index``: a gradient and the bar over person 1."""
    x = np.arange(WIDTH)[None, :]
    y = np.arange(HEIGHT)[:, None]
    image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    image[..., 0] = 60 + x * 100 // WIDTH
    image[..., 1] = 120
    image[..., 2] = 40 + y * 100 // HEIGHT
    bar = int(round(SHOULDER[0] + shift_of(index)))
    image[:BAR_ROWS, bar - 4:bar + 4] = (0, 255, 255)
    return image


def frame(index, stamp):
    """Return (Image, PersonArray) of frame ``index``: the people moved with the bar."""
    msg = person_array(TRACK_IDS, width=WIDTH, height=HEIGHT, stamp=stamp)
    dx = shift_of(index)
    for person in msg.persons:
        person.bbox = [person.bbox[0] + dx, person.bbox[1], person.bbox[2] + dx, person.bbox[3]]
        for point in person.keypoints:
            point.x += dx
    return bgr_to_image_msg(picture(index), msg.header), msg


class Publisher:
    """Play camera and pose_node: pictures, persons and diagnostics at 10 Hz, until stopped."""

    def __init__(self, node):
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.publisher = node.create_publisher(PersonArray, '/pose/persons', reliable)
        self.images = node.create_publisher(Image, '/camera/image_raw', QoSProfile(
            depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.diagnostics = node.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.node = node
        self.msg = frame(0, time.time())[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        deadline = time.monotonic() + 120  # bounded even if the test hangs
        index = 0
        while not self._stop.wait(0.1) and time.monotonic() < deadline:
            index += 1
            image, persons = frame(index, time.time())
            self.images.publish(image)
            time.sleep(0.01)  # as pose_node: its answer comes after the image
            self.publisher.publish(persons)
            if index % 5 == 0:
                status = DiagnosticStatus(name='pose: pose estimation', message='running',
                                          hardware_id='cpu')
                status.values = [KeyValue(key=k, value=v) for k, v in DIAGNOSTICS.items()]
                array = DiagnosticArray(status=[status])
                array.header.stamp = self.node.get_clock().now().to_msg()
                self.diagnostics.publish(array)


def watch_problems(page, problems):
    """Collect the page's script errors and console errors into ``problems``."""
    page.on('pageerror', lambda error: problems.append(str(error)))
    page.on('console', lambda message: message.type == 'error' and problems.append(
        message.text))


PIXELS_AT = """(points) => {
    const context = document.getElementById('view').getContext('2d');
    return points.map(([x, y]) => Array.from(
        context.getImageData(Math.round(x), Math.round(y), 1, 1).data).slice(0, 3));
}"""

DRAWN_FRAME = """() => {
    const canvas = document.getElementById('view');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const row = [];
    for (let x = 0; x < canvas.width; x += 1) {
        const i = 4 * (10 * canvas.width + x);
        row.push([data[i], data[i + 1], data[i + 2]]);
    }
    const pixel = (x, y) => {
        const i = 4 * (Math.round(y) * canvas.width + Math.round(x));
        return [data[i], data[i + 1], data[i + 2]];
    };
    const bar = row.map((p, x) => p[0] > 180 && p[1] > 180 && p[2] < 110 ? x : -1)
        .filter(x => x >= 0);
    const centre = bar.length ? bar.reduce((a, b) => a + b, 0) / bar.length : null;
    return {bar: centre, width: canvas.width, height: canvas.height,
            drawn: window.poseViewer.drawn,
            shoulder: centre === null ? null : pixel(centre, SHOULDER_Y),
            body: centre === null ? null : pixel(centre - SHOULDER_X + BODY_X, BODY_Y)};
}"""


def drawn_frame(page):
    """
    Return what the canvas shows now, read in one go so that it is one drawn frame.

    The bar's centre in row 10, and the pixels at person 1's shoulder and body if the
    skeleton belongs to that picture.
    """
    # Person 1's body between hips and knees, off every bone: (left + 0.5 size, top + 1.2 size).
    probe = (DRAWN_FRAME.replace('SHOULDER_X', str(SHOULDER[0]))
             .replace('SHOULDER_Y', str(SHOULDER[1]))
             .replace('BODY_X', str(64 + 0.5 * 192)).replace('BODY_Y', str(48 + 1.2 * 192)))
    return page.evaluate(probe)


def header_text(page):
    return page.evaluate("""() => Object.fromEntries(
        ['state', 'fps', 'inference', 'latency', 'dropped', 'people', 'tracks', 'size',
         'video'].map(id => [id, document.getElementById(id).textContent]))""")


def png_size(data):
    """Return (width, height) of a PNG file, checking its signature."""
    assert data[:8] == b'\x89PNG\r\n\x1a\n', data[:8]
    return struct.unpack('!II', data[16:24])


@pytest.mark.browser
@pytest.mark.integration
def test_viewer_shows_the_picture_under_matching_skeletons_and_reconnects(
        rclpy_session, tmp_path):
    playwright_api = pytest.importorskip('playwright.sync_api')
    node = rclpy_session.create_node('viewer_test_publisher')
    publisher = Publisher(node)
    bridge = NodeProcess('bridge_node', params={'port': 0, 'token': TOKEN})
    try:
        port = bridge_port(bridge)
        assert spin_until(node, lambda: publisher.publisher.get_subscription_count() > 0, 20)
        publisher.start()
        # Nobody watches: the bridge does not even subscribe to the images.
        assert not spin_until(node, lambda: publisher.images.get_subscription_count() > 0, 2.0)
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={'width': 900, 'height': 640},
                                        accept_downloads=True)
                problems = []
                watch_problems(page, problems)
                page.goto(f'http://127.0.0.1:{port}/?token={TOKEN}')
                # Predicates are functions: the page's CSP forbids eval() of strings.
                page.wait_for_function(
                    '() => window.poseViewer && window.poseViewer.drawn.persons === 2 && '
                    'window.poseViewer.drawn.picture', timeout=20000)
                assert spin_until(node, lambda: publisher.images.get_subscription_count() > 0,
                                  5.0), 'the bridge did not subscribe to the images'
                page.wait_for_function('() => window.poseViewer.fps > 5', timeout=5000)
                page.wait_for_function(
                    "() => document.getElementById('inference').textContent.endsWith('ms') && "
                    "document.getElementById('latency').textContent.endsWith('ms') && "
                    'window.poseViewer.drawn.trails === 2', timeout=10000)

                # Several drawn frames: each shows the picture, and the skeleton of the
                # frame with that picture's stamp (the bar and the shoulder agree).
                samples = []
                for _ in range(8):
                    samples.append(drawn_frame(page))
                    time.sleep(0.13)
                report = page.evaluate("""() => {
                    const v = window.poseViewer;
                    return {state: v.state, frames: v.frames, fps: v.fps, drawn: v.drawn,
                            ids: v.lastPersons.map(p => p.id), url: v.url, video: v.video,
                            tracks: v.tracks, latency: v.latencyMs};
                }""")
                header = header_text(page)
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / 'viewer.png'))

                # Trails off and on again, from the header's button.
                page.click('#trails')
                page.wait_for_function('() => window.poseViewer.drawn.trails === 0 && '
                                       'window.poseViewer.drawn.persons === 2', timeout=5000)
                assert page.get_attribute('#trails', 'aria-pressed') == 'false'
                page.click('#trails')
                page.wait_for_function('() => window.poseViewer.drawn.trails === 2',
                                       timeout=5000)

                # The snapshot button saves the canvas as a PNG.
                with page.expect_download(timeout=10000) as download:
                    page.click('#snapshot')
                saved = tmp_path / download.value.suggested_filename
                download.value.save_as(saved)
                assert saved.name.startswith('pose_ros-') and saved.suffix == '.png'
                assert png_size(saved.read_bytes()) == (WIDTH, HEIGHT)
                assert problems == [], problems

                assert report['state'] == 'connected', report
                assert report['url'] == (f'ws://127.0.0.1:{port}/?token={TOKEN}&video=1'
                                         '&diagnostics=1'), report['url']
                assert report['frames'] >= 2
                assert report['ids'] == list(TRACK_IDS) and report['drawn']['ids'] == [1, 42]
                assert report['drawn']['bones'] == len(TRACK_IDS) * len(SKELETON_EDGES)
                assert report['drawn']['points'] == len(TRACK_IDS) * 17
                assert report['video']['enabled'] is True and report['video']['pictures'] > 5
                assert header['state'] == 'connected' and header['people'] == '2 people'
                assert header['fps'] == '9.8 fps' and header['inference'] == 'inference 85 ms'
                assert header['dropped'].startswith('dropped 3'), header
                assert header['tracks'] == '42 tracks' and header['size'] == '640\u00d7480'
                latency = int(header['latency'].split()[1])
                assert 0 <= latency < 2000, header
                assert header['video'] == '', header
                shoulder, body_at = rgb_of(1), None
                for sample in samples:
                    drawn = sample['drawn']
                    assert drawn['picture'] and drawn['stamp'] == drawn['pictureStamp'], sample
                    assert sample['bar'] is not None, sample  # the picture is there
                    assert sample['shoulder'] == shoulder, sample  # ... with its own skeleton
                    body_at = sample['body']
                    x = sample['bar'] - SHOULDER[0] + 64 + 0.5 * 192
                    expected = background_rgb(x, 48 + 1.2 * 192)
                    assert body_at != [0, 0, 0], sample  # not the background colour
                    assert all(abs(a - b) <= 24 for a, b in zip(body_at, expected)), (
                        body_at, expected)
                assert len({sample['bar'] for sample in samples}) >= 3, samples  # it moved

                # Restart the bridge on the same port, now without a token: the page must
                # reconnect by itself (its ?token= is then simply not needed).
                assert bridge.interrupt() == 0
                page.wait_for_function("() => window.poseViewer.state === 'disconnected'",
                                       timeout=10000)
                frames_before = page.evaluate('() => window.poseViewer.frames')
                bridge.__exit__()
                bridge = NodeProcess('bridge_node', params={'port': port})
                assert bridge_port(bridge) == port
                page.wait_for_function(
                    f"() => window.poseViewer.state === 'connected' && "
                    f'window.poseViewer.frames > {frames_before} && '
                    'window.poseViewer.drawn.picture', timeout=20000)

                # The same viewer under the other loopback name, with no token at all.
                problems.clear()  # the refused reconnections during the restart are expected
                other = browser.new_page(viewport={'width': 800, 'height': 560})
                watch_problems(other, problems)
                other.goto(f'http://localhost:{port}/')
                other.wait_for_function(
                    '() => window.poseViewer && window.poseViewer.drawn.persons === 2 && '
                    'window.poseViewer.drawn.picture', timeout=15000)
                assert other.evaluate('() => window.poseViewer.url') == \
                    f'ws://localhost:{port}/?video=1&diagnostics=1'
                assert problems == [], problems

                # Nobody watches any more: the bridge lets go of the images.
                page.close()
                other.close()
                assert spin_until(node, lambda: publisher.images.get_subscription_count() == 0,
                                  10.0), 'the bridge still subscribes to the images'
            finally:
                browser.close()
    finally:
        publisher.stop()
        bridge.__exit__()
        node.destroy_node()


@pytest.mark.browser
@pytest.mark.integration
def test_viewer_without_video_says_why_and_draws_on_black(rclpy_session):
    playwright_api = pytest.importorskip('playwright.sync_api')
    node = rclpy_session.create_node('viewer_no_video_publisher')
    publisher = Publisher(node)
    bridge = NodeProcess('bridge_node', params={'port': 0, 'video': False})
    try:
        port = bridge_port(bridge)
        assert spin_until(node, lambda: publisher.publisher.get_subscription_count() > 0, 20)
        publisher.start()
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={'width': 800, 'height': 560})
                problems = []
                watch_problems(page, problems)
                page.goto(f'http://127.0.0.1:{port}/')
                page.wait_for_function(
                    '() => window.poseViewer && window.poseViewer.drawn.persons === 2 && '
                    'window.poseViewer.video.enabled === false', timeout=15000)
                time.sleep(1.0)
                header = header_text(page)
                drawn = page.evaluate('() => window.poseViewer.drawn')
                msg = page.evaluate('() => window.poseViewer.lastMessage')
                x = msg['persons'][0]['bbox'][0] + 0.5 * 192
                body = page.evaluate(PIXELS_AT, [[x, 48 + 1.2 * 192]])[0]
                subscribed = publisher.images.get_subscription_count()
                assert problems == [], problems
            finally:
                browser.close()
    finally:
        publisher.stop()
        bridge.__exit__()
        node.destroy_node()
    assert 'video: false' in header['video'] and header['video'].startswith('no video'), header
    assert not drawn['picture'] and drawn['persons'] == 2
    assert body == [0, 0, 0]  # no picture: skeletons on black
    assert subscribed == 0


ATTACKER_PAGE = """<!DOCTYPE html><html><body><script>
window.result = {opened: false, messages: 0, closed: null};
const socket = new WebSocket('FEED');
socket.onopen = () => { window.result.opened = true; };
socket.onmessage = () => { window.result.messages += 1; };
socket.onclose = (event) => { window.result.closed = event.code; };
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.integration
def test_other_sites_and_rebound_names_cannot_read_the_feed(rclpy_session):
    playwright_api = pytest.importorskip('playwright.sync_api')
    node = rclpy_session.create_node('viewer_attack_publisher')
    publisher = Publisher(node)
    bridge = NodeProcess('bridge_node', params={'port': 0})  # the defaults, as a user runs it
    try:
        port = bridge_port(bridge)
        assert spin_until(node, lambda: publisher.publisher.get_subscription_count() > 0, 20)
        publisher.start()
        rebound = f'evil.example:{port}'
        with playwright_api.sync_playwright() as playwright:
            # evil.example resolves to 127.0.0.1, as after a DNS rebinding. Recent Chromium
            # asks the user before a public page may reach loopback (Local Network Access);
            # a user may allow it and other browsers do not ask, so that check is switched
            # off here: what is tested is the bridge's own defence.
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS + ['--host-resolver-rules=MAP evil.example 127.0.0.1',
                                      '--disable-features=LocalNetworkAccessChecks'])
            try:
                results = {}
                for name, page_url, feed in [
                        ('other site', 'http://evil.example/', f'ws://127.0.0.1:{port}/'),
                        ('rebound name', f'http://{rebound}/', f'ws://{rebound}/'),
                        ('control', f'http://127.0.0.1:{port}/attack', f'ws://127.0.0.1:{port}/')]:
                    page = browser.new_page()
                    # The attacker's page, served as if from page_url (the bridge never sees it).
                    body = ATTACKER_PAGE.replace('FEED', feed)
                    page.route(page_url, lambda route, _, body=body: route.fulfill(
                        status=200, content_type='text/html', body=body))
                    page.goto(page_url)
                    page.wait_for_function('() => window.result.closed !== null || '
                                           'window.result.messages >= 3', timeout=10000)
                    results[name] = page.evaluate('() => window.result')
                    page.close()
                # Loading the viewer itself under the rebound name is refused too.
                page = browser.new_page()
                response = page.goto(f'http://{rebound}/')
                results['viewer under the rebound name'] = response.status
            finally:
                browser.close()
    finally:
        publisher.stop()
        bridge.__exit__()
        node.destroy_node()
    # The control proves the page would read the feed if the bridge let it.
    assert results['control']['opened'] and results['control']['messages'] >= 3, results
    for name in ('other site', 'rebound name'):
        assert results[name] == {'opened': False, 'messages': 0, 'closed': 1006}, results
    assert results['viewer under the rebound name'] == 403, results
    output = bridge.output()
    assert "origin 'http://evil.example' not allowed" in output, output
    assert f"Host '{rebound}' is not a name of this bridge" in output, output
