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
"""

import argparse
import asyncio
import threading
import time

from bench_common import machine_tag, median, NodeProcess, percentile, spin_until
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
    args = parser.parse_args()

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
