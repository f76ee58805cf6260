# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
End-to-end latency: camera stamp to PersonArray in a subscriber, with frames dropped.

The pipeline runs as deployed (config/pose.yaml, camera_node playing vtest.avi in a loop):
``pipeline`` is pose_pipeline (camera, pose and bridge nodes in one process), ``nodes`` is
camera_node, pose_node and bridge_node as three processes, as the launch file runs them.
This script subscribes to /pose/persons in its own process; the latency of a frame is its
arrival time less its header stamp, which camera_node sets when it publishes the frame (same
host, same clock). Rates: the video's 10 fps, a webcam's 30 fps, and unthrottled (camera
fps 1000: the camera publishes as fast as it can), where the latest-frame-wins slot in
pose_node drops what inference cannot take.

Counts over the measured window: frames published by the camera (a raw subscription here
counts them without decoding; --no-image-counter leaves it out), received and dropped by
pose_node (its /diagnostics: received = processed + dropped), and PersonArrays received
here. The bare model (PoseEstimator with pose.yaml's settings, this process) is timed on
vtest frames before every run, while nothing else runs, as the reference. At hundreds of
images a second the counter itself costs this 2-core machine a good part of a core: take
unthrottled latencies from a run with --no-image-counter.

    python bench/latency.py --seconds 20 --rates 10 30 0 --modes pipeline nodes [--device cuda:0]
"""

import argparse
import time

from bench_common import machine_tag, median, percentile, spin_until, video_frames, VTEST
from perf_common import (bare_estimator, diagnostic_values, pose_settings, start_pipeline,
                         UNTHROTTLED_FPS)

WARMUP_S = 3.0
BARE_FRAMES = 20


class Probe:
    """The benchmark's node: PersonArray latencies, pose diagnostics, an image counter."""

    def __init__(self, rclpy, count_images):
        from diagnostic_msgs.msg import DiagnosticArray
        from pose_ros_msgs.msg import PersonArray
        from rclpy.qos import QoSProfile, ReliabilityPolicy
        from sensor_msgs.msg import Image

        self.node = rclpy.create_node('latency_probe')
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.arrivals = []     # (arrival s, latency ms, persons)
        self.diagnostics = []  # (arrival s, values)
        self.images = []       # arrival s of each camera image
        self.node.create_subscription(PersonArray, '/pose/persons', self._on_persons, reliable)
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diagnostics, 10)
        if count_images:
            self.node.create_subscription(
                Image, '/camera/image_raw', lambda raw: self.images.append(time.time()),
                QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE), raw=True)

    def _on_persons(self, msg):
        now = time.time()
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        self.arrivals.append((now, (now - stamp) * 1000.0, len(msg.persons)))

    def _on_diagnostics(self, msg):
        values = diagnostic_values(msg)
        if values is not None:
            self.diagnostics.append((time.time(), values))

    def spin_for(self, seconds):
        """Spin until ``seconds`` have passed."""
        spin_until(self.node, lambda: False, seconds, step=0.01)


def time_bare(estimator, frames):
    """Return the ms per frame of the bare model on ``frames``."""
    times = []
    for frame in frames:
        start = time.perf_counter()
        estimator.predict(frame)
        times.append((time.perf_counter() - start) * 1000)
    return times


def run_once(rclpy, mode, fps, seconds, device, count_images):
    """Run the pipeline once and return the measurements of its window."""
    probe = Probe(rclpy, count_images)
    camera = {'source': str(VTEST), 'loop': 'true', 'fps': f'{fps:.1f}'}
    pose = {'device': device}
    processes = start_pipeline(mode, camera, pose, bridge={'port': 0})
    try:
        if not spin_until(probe.node, lambda: probe.arrivals, 180, step=0.01):
            raise RuntimeError('no PersonArray came:\n' + processes[-1].output()[-3000:])
        probe.spin_for(WARMUP_S)
        start = time.time()
        probe.spin_for(seconds)
        end = time.time()
        probe.spin_for(1.2)  # one more diagnostics message
        outputs = [p.output() for p in processes]
        for process in processes:
            assert process.interrupt() == 0, process.output()[-3000:]
    finally:
        for process in processes:
            process.kill()
    probe.node.destroy_node()
    if any('Traceback' in text for text in outputs):
        raise RuntimeError('\n'.join(outputs)[-5000:])

    # Counts between the first and the last diagnostics inside the window.
    inside = [(t, v) for t, v in probe.diagnostics if start <= t <= end + 1.1]
    (t0, first), (t1, last) = inside[0], inside[-1]
    delta = {k: int(last[k]) - int(first[k]) for k in ('frames_processed', 'frames_dropped')}
    span = t1 - t0
    latencies = [ms for t, ms, _ in probe.arrivals if start <= t <= end]
    received_here = sum(1 for t, _, _ in probe.arrivals if t0 < t <= t1)
    published = sum(1 for t in probe.images if t0 < t <= t1) if count_images else None
    persons = [n for t, _, n in probe.arrivals if start <= t <= end]
    return {
        'latencies': latencies, 'span': span, 'published': published,
        'processed': delta['frames_processed'], 'dropped': delta['frames_dropped'],
        'received_here': received_here, 'stages': last,
        'persons': sum(persons) / max(len(persons), 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--seconds', type=float, default=20.0, help='measured window per run')
    parser.add_argument('--rates', type=float, nargs='+', default=[10.0, 30.0, 0.0],
                        help='camera fps; 0 = unthrottled (fps 1000)')
    parser.add_argument('--modes', nargs='+', default=['pipeline', 'nodes'],
                        choices=('pipeline', 'nodes'))
    parser.add_argument('--device', default='cpu', help='cpu or cuda:N (pose_node device)')
    parser.add_argument('--no-image-counter', action='store_true',
                        help='do not count camera images here (no extra reader of images)')
    args = parser.parse_args()

    import rclpy
    from pose_ros import model_loading

    device = model_loading.select_device(args.device)
    settings = pose_settings()
    estimator = bare_estimator(device)
    estimator.warmup(576, 768)
    frames = video_frames(count=BARE_FRAMES, start=200)
    rclpy.init()
    rows, bare_all = [], []
    for mode in args.modes:
        for rate in args.rates:
            bare = time_bare(estimator, frames)
            bare_all += bare
            fps = rate if rate > 0 else UNTHROTTLED_FPS
            result = run_once(rclpy, mode, fps, args.seconds, device, not args.no_image_counter)
            rows.append((mode, rate, median(bare), result))
    rclpy.try_shutdown()

    print(f'machine: {machine_tag()}')
    print(f'vtest.avi 768x576 looping, config/pose.yaml (imgsz {settings["imgsz"]}, '
          f'square_input {settings["square_input"]}, tracker {settings["tracker"]}), '
          f'device {device}, {args.seconds:g} s measured per run after {WARMUP_S:g} s; '
          f'bare model median {median(bare_all):.1f} ms over {len(bare_all)} frames')
    print()
    print('| mode | camera fps | published fps | pose received fps | processed fps | '
          'dropped (latest wins) | PersonArrays here | latency p50 ms | p95 ms | max ms | '
          'bare ms (same run) | p50 / bare |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for mode, rate, bare_ms, r in rows:
        span = r['span']
        received = r['processed'] + r['dropped']
        published = f'{r["published"] / span:.1f}' if r['published'] is not None else '-'
        lat = r['latencies']
        dropped = f'{r["dropped"]} ({100 * r["dropped"] / max(received, 1):.0f}%)'
        print(f'| {mode} | {rate:g} | {published} | {received / span:.1f} | '
              f'{r["processed"] / span:.2f} | {dropped} | {r["received_here"]} of '
              f'{r["processed"]} | {median(lat):.0f} | {percentile(lat, 0.95):.0f} | '
              f'{max(lat):.0f} | {bare_ms:.1f} | {median(lat) / bare_ms:.2f} |')
    print()
    for mode, rate, _, r in rows:
        stages = ', '.join(f'{k[:-3]} {v}' for k, v in r['stages'].items() if k.endswith('_ms'))
        print(f'{mode} {rate:g} fps: pose_node stage means (ms, whole run): {stages}; '
              f'{r["persons"]:.2f} persons per frame')


if __name__ == '__main__':
    main()
