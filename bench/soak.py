# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Soak: run pose_pipeline on the looping sample clip and watch memory, rate and latency.

A subscriber measures latency (camera stamp to PersonArray arrival), /diagnostics gives the
rate and dropped frames, a WebSocket client stays connected to the bridge throughout, and
the pipeline's RSS is sampled every few seconds. Exits non-zero if the pipeline dies, leaks
(RSS growth past --max-growth-mb after warm-up), stalls, or does not stop cleanly on Ctrl-C.

    python bench/soak.py --minutes 30           # the documented run
    python bench/soak.py --minutes 1 --quiet    # what the test suite runs
"""

import argparse
import json
import pathlib
import sys
import threading
import time

from bench_common import machine_tag, median, NodeProcess, percentile, REPO, spin_until

CLIP = REPO / 'pose_ros' / 'media' / 'vtest_clip.mp4'
PARAMS = REPO / 'pose_ros' / 'config' / 'pose.yaml'
WARMUP_S = 20.0


def _websocket_reader(port, counts, stop):
    from websockets.sync.client import connect
    try:
        with connect(f'ws://127.0.0.1:{port}/', open_timeout=10) as websocket:
            while not stop.is_set():
                try:
                    json.loads(websocket.recv(timeout=1.0))
                    counts['ws'] += 1
                except TimeoutError:
                    continue
    except Exception as error:  # noqa: BLE001 - reported as a failure below
        counts['ws_error'] = repr(error)


def run(minutes, sample_s=5.0, device='cpu'):
    """Run the soak and return a dict of results."""
    import psutil
    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from pose_ros_msgs.msg import PersonArray
    from ros_helpers import bridge_port

    ros_args = ['--params-file', str(PARAMS)]
    for key, value in {'camera:source': str(CLIP), 'camera:loop': 'true',
                       'pose:device': device, 'pose_bridge:port': '0'}.items():
        ros_args += ['-p', f'{key}:={value}']
    rclpy.init()
    node = rclpy.create_node('soak_monitor')
    latencies, diagnostics, frames = [], [], [0]

    def on_persons(msg):
        now = node.get_clock().now().nanoseconds
        stamp = msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec
        latencies.append((time.monotonic(), (now - stamp) / 1e6))
        frames[0] += 1

    node.create_subscription(PersonArray, '/pose/persons', on_persons, 10)
    node.create_subscription(DiagnosticArray, '/diagnostics', diagnostics.append, 10)
    counts, stop = {'ws': 0}, threading.Event()
    rss = []
    with NodeProcess('pose_pipeline', ros_args=ros_args) as pipeline:
        port = bridge_port(pipeline, timeout=90)
        reader = threading.Thread(target=_websocket_reader, args=(port, counts, stop))
        reader.start()
        process = psutil.Process(pipeline.process.pid)
        start = time.monotonic()
        end = start + minutes * 60.0
        while time.monotonic() < end and pipeline.process.poll() is None:
            spin_until(node, lambda: False, timeout=sample_s)
            rss.append((time.monotonic() - start, process.memory_info().rss / 2**20))
        alive = pipeline.process.poll() is None
        stop.set()
        reader.join(15)
        exit_code = pipeline.interrupt(timeout=15) if alive else pipeline.process.returncode
        output = pipeline.output()
    node.destroy_node()
    rclpy.try_shutdown()

    elapsed = minutes * 60.0
    steady = [m for t, m in rss if t >= WARMUP_S] or [m for _, m in rss]
    values = {}
    for array in diagnostics[-1:]:
        values = {kv.key: kv.value for kv in array.status[0].values}
    lat = [ms for t, ms in latencies if t - start >= WARMUP_S] or [ms for _, ms in latencies]
    return {
        'minutes': minutes, 'alive_until_end': alive, 'exit_code': exit_code,
        'traceback': 'Traceback' in output, 'frames': frames[0],
        'fps': frames[0] / elapsed, 'ws_messages': counts['ws'],
        'ws_error': counts.get('ws_error'),
        'latency_p50_ms': median(lat) if lat else None,
        'latency_p95_ms': percentile(lat, 0.95) if lat else None,
        'rss_first_mb': steady[0] if steady else None,
        'rss_last_mb': steady[-1] if steady else None,
        'rss_max_mb': max(steady) if steady else None,
        'rss_growth_mb': (steady[-1] - steady[0]) if steady else None,
        'frames_dropped': values.get('frames_dropped'),
        'frames_processed': values.get('frames_processed'),
        'rss_samples': rss,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--minutes', type=float, default=30.0)
    parser.add_argument('--sample-s', type=float, default=5.0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--max-growth-mb', type=float, default=64.0,
                        help='fail if RSS grows more than this after warm-up')
    parser.add_argument('--out', default=str(REPO / 'bench' / 'out' / 'soak.json'))
    parser.add_argument('--quiet', action='store_true', help='no machine tag')
    args = parser.parse_args()
    result = run(args.minutes, args.sample_s, args.device)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    if not args.quiet:
        print(f'machine: {machine_tag()}')
    summary = {k: v for k, v in result.items() if k != 'rss_samples'}
    print(json.dumps(summary, indent=1))
    problems = []
    if not result['alive_until_end']:
        problems.append('the pipeline died')
    if result['exit_code'] != 0:
        problems.append(f'exit code {result["exit_code"]} after Ctrl-C')
    if result['traceback']:
        problems.append('a traceback in the output')
    if result['frames'] == 0 or result['ws_messages'] == 0 or result['ws_error']:
        problems.append('no persons reached the subscriber or the WebSocket client')
    if result['rss_growth_mb'] is not None and result['rss_growth_mb'] > args.max_growth_mb:
        problems.append(f'RSS grew {result["rss_growth_mb"]:.1f} MB after warm-up')
    for problem in problems:
        print(f'SOAK FAILED: {problem}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
