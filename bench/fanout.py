# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Fan-out: bridge_node with 1, 10 and 100 WebSocket clients at 30 Hz.

bridge_node runs as its own process, as deployed. This script publishes a realistic
PersonArray (5 persons, 17 keypoints each, 768x576) on /pose/persons at 30 Hz, stamped just
before publish, and runs the clients on one asyncio loop in this process; the added latency
of a frame for a client is its arrival time at that client less the stamp (publish, DDS to
the bridge, JSON encoding, the hop to the bridge's WebSocket thread, one send per client,
loopback TCP, the client's loop). The bridge's CPU is the user + system time of its process
(psutil) over the measured window, as a share of one core; 0 clients is the idle baseline
(the bridge still encodes every frame). The reference cost of encoding one message
(bridge.json_encoding.encode_persons) is timed in this process.

The clients share this process with the publisher, on the same 2 cores as the bridge, so at
100 clients part of the latency is the clients' own loop: the "clients CPU" column says how
busy this process was.

    python bench/fanout.py --clients 0 1 10 100 --seconds 20 --rate 30

``--video`` measures the viewer's video instead: this process plays the camera and
pose_node, publishing frames of vtest.avi (768x576) on /camera/image_raw at ``--rate`` and,
5 ms later, a PersonArray with the same stamp (pose_node answering every frame). One
JSON-only client always reads the feed. Rows: no images published at all (the baseline: no
image topic exists), images published but no video viewer (the bridge must not even
subscribe: same CPU), then 1 and 3 video viewers (?video=1). Pictures encoded = distinct
``seq`` numbers the viewers saw; with 3 viewers it must stay what 1 viewer gets (one
encoding for all). The reference cost of one JPEG encoding is timed in this process.

    python bench/fanout.py --video --seconds 20 --rate 10
"""

import argparse
import asyncio
import threading
import time

from bench_common import (machine_tag, median, NodeProcess, percentile, spin_until,
                          video_frames, VTEST)
import psutil

STAMP_KEY = b'"stamp":'
WARMUP_S = 2.0


def stamp_of(data: bytes) -> float:
    """Return the ``stamp`` of a persons message without parsing all of the JSON."""
    start = data.index(STAMP_KEY) + len(STAMP_KEY)
    return float(data[start:data.index(b',', start)])


class ClientPool:
    """N WebSocket clients on an asyncio loop in a thread, recording (arrival, stamp)."""

    def __init__(self, port):
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.records = []
        self._tasks = []

    def connect(self, count, timeout=60.0):
        """Connect ``count`` clients and wait until each got its hello."""
        self.records = [[] for _ in range(count)]
        future = asyncio.run_coroutine_threadsafe(self._connect(count), self.loop)
        future.result(timeout)

    async def _connect(self, count):
        ready = [asyncio.get_running_loop().create_future() for _ in range(count)]
        self._tasks = [asyncio.create_task(self._client(i, ready[i])) for i in range(count)]
        await asyncio.gather(*ready)

    async def _client(self, index, ready):
        from websockets.asyncio.client import connect
        records = self.records[index]
        try:
            async with connect(f'ws://127.0.0.1:{self.port}/', open_timeout=30,
                               ping_interval=None, max_size=None, compression=None) as ws:
                await ws.recv()  # hello
                ready.set_result(True)
                while True:
                    data = await ws.recv(decode=False)
                    records.append((time.time(), stamp_of(data)))
        except Exception as error:  # noqa: BLE001 - report it through the ready future
            if not ready.done():
                ready.set_exception(error)
            elif not isinstance(error, asyncio.CancelledError):
                raise

    def close(self, timeout=30.0):
        """Disconnect every client."""
        async def cancel():
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(cancel(), self.loop).result(timeout)
        self._tasks = []

    def stop(self):
        """Stop the loop thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def publish_for(publisher, msg, rate, seconds, sent):
    """Publish ``msg`` at ``rate`` Hz for ``seconds``, stamping each; append send times."""
    period = 1.0 / rate
    due = time.perf_counter()
    end = due + seconds
    while due < end:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        now = time.time()
        msg.header.stamp.sec = int(now)
        msg.header.stamp.nanosec = int((now - int(now)) * 1e9)
        msg.header.frame_id = f'frame{len(sent)}'
        publisher.publish(msg)
        sent.append(now)
        due += period


class VideoViewers:
    """N clients asking for video on an asyncio loop in a thread, recording what they get."""

    def __init__(self, port):
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.pictures = []  # per viewer: [(seq, bytes)]
        self.texts = []     # per viewer: [bytes]
        self._tasks = []

    def connect(self, queries, timeout=30.0):
        """Connect one client per query string; wait until each got its hello."""
        self.pictures = [[] for _ in queries]
        self.texts = [[] for _ in queries]
        asyncio.run_coroutine_threadsafe(self._connect(queries), self.loop).result(timeout)

    async def _connect(self, queries):
        ready = [asyncio.get_running_loop().create_future() for _ in queries]
        self._tasks = [asyncio.create_task(self._client(i, query, ready[i]))
                       for i, query in enumerate(queries)]
        await asyncio.gather(*ready)

    async def _client(self, index, query, ready):
        from pose_ros.bridge.video_encoding import unpack_video_frame
        from websockets.asyncio.client import connect
        async with connect(f'ws://127.0.0.1:{self.port}/{query}', max_size=None,
                           ping_interval=None, compression=None) as ws:
            await ws.recv()  # hello
            ready.set_result(True)
            while True:
                data = await ws.recv(decode=False)
                if data[:1] == b'{':
                    self.texts[index].append(data)
                else:
                    header, _ = unpack_video_frame(data)
                    self.pictures[index].append((header['seq'], len(data)))

    def close(self, timeout=30.0):
        """Disconnect every client."""
        async def cancel():
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(cancel(), self.loop).result(timeout)
        self._tasks = []

    def stop(self):
        """Stop the loop thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def play_camera(node, images, persons, frames, msg, rate, seconds, publish_images=True):
    """Publish frames and their PersonArray at ``rate`` Hz for ``seconds``; return the count."""
    from pose_ros.image_conversion import bgr_to_image_msg
    period = 1.0 / rate
    due = time.perf_counter()
    end = due + seconds
    count = 0
    while due < end:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        now = time.time()
        msg.header.stamp.sec = int(now)
        msg.header.stamp.nanosec = int((now - int(now)) * 1e9)
        if publish_images:
            images.publish(bgr_to_image_msg(frames[count % len(frames)], msg.header))
            time.sleep(0.005)
        persons.publish(msg)
        count += 1
        due += period
    return count


def video_main(args):
    """Bridge CPU without and with video viewers; see the module docstring."""
    import cv2
    import rclpy
    from pose_ros_msgs.msg import PersonArray
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from ros_helpers import bridge_port, person_array
    from sensor_msgs.msg import Image

    frames = video_frames(VTEST, count=50)
    times = []
    for frame in frames * 4:
        start = time.perf_counter()
        jpeg = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, 75])[1]
        times.append((time.perf_counter() - start) * 1e6)
    jpeg_us, jpeg_size = median(times), len(jpeg)
    msg = person_array(track_ids=tuple(range(1, args.persons + 1)), width=768, height=576)
    rclpy.init()
    node = rclpy.create_node('fanout_video_bench')
    reliable = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
    persons = node.create_publisher(PersonArray, '/pose/persons', reliable)
    images = node.create_publisher(Image, '/camera/image_raw', QoSProfile(
        depth=1, reliability=ReliabilityPolicy.RELIABLE))
    here = psutil.Process()
    scenarios = [('no images published (baseline)', False, 0),
                 ('images published, no video viewer', True, 0),
                 ('images published, 1 video viewer', True, 1),
                 ('images published, 3 video viewers', True, 3)]
    rows = []
    with NodeProcess('bridge_node', params={'port': 0}) as bridge:
        port = bridge_port(bridge)
        bridge_ps = psutil.Process(bridge.process.pid)
        assert spin_until(node, lambda: persons.get_subscription_count() > 0, 30)
        viewers = VideoViewers(port)
        for name, publish_images, count in scenarios:
            viewers.connect([''] + ['?video=1'] * count)
            if count:
                assert spin_until(node, lambda: images.get_subscription_count() > 0, 10)
            play_camera(node, images, persons, frames, msg, args.rate, WARMUP_S,
                        publish_images)
            for pictures in viewers.pictures:
                pictures.clear()
            viewers.texts[0].clear()
            subscribed = images.get_subscription_count()
            bridge_before, here_before = bridge_ps.cpu_times(), here.cpu_times()
            window_start = time.time()
            wall = time.perf_counter()
            sent = play_camera(node, images, persons, frames, msg, args.rate, args.seconds,
                               publish_images)
            time.sleep(0.5)
            wall = time.perf_counter() - wall
            bridge_after, here_after = bridge_ps.cpu_times(), here.cpu_times()
            json_frames = sum(stamp_of(t) >= window_start for t in viewers.texts[0])
            per_viewer = [len(p) for p in viewers.pictures[1:]]
            encoded = len({seq for p in viewers.pictures[1:] for seq, _ in p})
            sizes = [size for p in viewers.pictures[1:] for _, size in p]
            viewers.close()
            assert spin_until(node, lambda: images.get_subscription_count() == 0, 10), \
                'the bridge kept its image subscription'

            def busy(before, after):
                return (after.user + after.system - before.user - before.system) / wall
            rows.append((name, sent, subscribed, json_frames, per_viewer, encoded,
                         median(sizes) if sizes else 0, busy(bridge_before, bridge_after),
                         busy(here_before, here_after)))
        viewers.stop()
        assert bridge.interrupt() == 0, bridge.output()[-3000:]
    node.destroy_node()
    rclpy.try_shutdown()

    print(f'machine: {machine_tag()}; bridge_node defaults (video_quality 75, '
          'video_max_rate 10 Hz)')
    print(f'camera: vtest.avi 768x576 at {args.rate:g} Hz, each frame answered by a '
          f'PersonArray of {args.persons} persons; {args.seconds:g} s per row; one JPEG '
          f'encoding {jpeg_us / 1000:.1f} ms (cv2.imencode q75, this process), '
          f'{jpeg_size / 1000:.0f} kB')
    print()
    print('| scenario | frames | bridge subscribed to images | JSON client frames | pictures '
          'per viewer | pictures encoded | picture kB | bridge CPU (% of a core) | '
          'camera + clients CPU |')
    print('|---|---|---|---|---|---|---|---|---|')
    for name, sent, subscribed, json_frames, per_viewer, encoded, size, bridge_cpu, \
            here_cpu in rows:
        shown = ' / '.join(map(str, per_viewer)) or '-'
        print(f'| {name} | {sent} | {"yes" if subscribed else "no"} | {json_frames} | {shown} | '
              f'{encoded if per_viewer else "-"} | {size / 1000:.0f} | '
              f'{100 * bridge_cpu:.1f} | {100 * here_cpu:.1f} |')


def encode_reference_us(msg, runs=2000):
    """Return the median microseconds of bridge.json_encoding.encode_persons on ``msg``."""
    from pose_ros.bridge.json_encoding import encode_persons
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        encode_persons(msg)
        times.append((time.perf_counter() - start) * 1e6)
    return median(times), len(encode_persons(msg))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clients', type=int, nargs='+', default=[0, 1, 10, 100])
    parser.add_argument('--seconds', type=float, default=20.0, help='measured window per count')
    parser.add_argument('--rate', type=float, default=30.0, help='PersonArray rate, Hz')
    parser.add_argument('--persons', type=int, default=5)
    parser.add_argument('--video', action='store_true',
                        help='bridge CPU without and with video viewers (--rate: camera Hz)')
    args = parser.parse_args()
    if args.video:
        return video_main(args)

    import rclpy
    from pose_ros_msgs.msg import PersonArray
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from ros_helpers import bridge_port, person_array

    msg = person_array(track_ids=tuple(range(1, args.persons + 1)), width=768, height=576)
    encode_us, size = encode_reference_us(msg)
    rclpy.init()
    node = rclpy.create_node('fanout_bench')
    publisher = node.create_publisher(
        PersonArray, '/pose/persons', QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE))
    here = psutil.Process()
    rows = []
    params = {'port': 0, 'max_clients': max(16, max(args.clients) + 5)}
    with NodeProcess('bridge_node', params=params) as bridge:
        port = bridge_port(bridge)
        bridge_ps = psutil.Process(bridge.process.pid)
        assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 30)
        pool = ClientPool(port)
        for count in args.clients:
            pool.connect(count)
            publish_for(publisher, msg, args.rate, WARMUP_S, [])
            bridge_before, here_before = bridge_ps.cpu_times(), here.cpu_times()
            wall = time.perf_counter()
            sent = []
            publish_for(publisher, msg, args.rate, args.seconds, sent)
            time.sleep(0.5)  # the last frames arrive
            wall = time.perf_counter() - wall
            bridge_after, here_after = bridge_ps.cpu_times(), here.cpu_times()
            first, last = sent[0], sent[-1]
            latencies, received = [], []
            for records in pool.records:
                mine = [(t - s) * 1000 for t, s in records if first <= s <= last]
                latencies += mine
                received.append(len(mine))
            pool.close()

            def busy(before, after):
                return (after.user + after.system - before.user - before.system) / wall
            rows.append((count, len(sent), received, latencies,
                         busy(bridge_before, bridge_after), busy(here_before, here_after)))
        pool.stop()
        assert bridge.interrupt() == 0, bridge.output()[-3000:]
    node.destroy_node()
    rclpy.try_shutdown()

    import websockets
    print(f'machine: {machine_tag()}; websockets {websockets.__version__}, bridge_node defaults '
          '(queue_size 5)')
    print(f'PersonArray: {args.persons} persons x 17 keypoints, {size} bytes of JSON, encoded in '
          f'{encode_us:.0f} us (bridge.json_encoding.encode_persons, this process); '
          f'{args.rate:g} Hz for {args.seconds:g} s per client count')
    print()
    print('| clients | frames sent | received per client (min / mean) | added latency p50 ms | '
          'p99 ms | max ms | bridge CPU (% of a core) | clients + publisher CPU |')
    print('|---|---|---|---|---|---|---|---|')
    for count, sent, received, latencies, bridge_cpu, here_cpu in rows:
        if count == 0:
            print(f'| 0 | {sent} | - | - | - | - | {100 * bridge_cpu:.1f} | '
                  f'{100 * here_cpu:.1f} |')
            continue
        print(f'| {count} | {sent} | {min(received)} / {sum(received) / count:.1f} | '
              f'{median(latencies):.2f} | {percentile(latencies, 0.99):.2f} | '
              f'{max(latencies):.1f} | {100 * bridge_cpu:.1f} | {100 * here_cpu:.1f} |')


if __name__ == '__main__':
    main()
