# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
What each lifecycle state of pose_node costs, and how long each transition takes.

camera_node plays vtest.avi at ``--fps`` (default 30) on a topic; pose_node (the defaults of
config/pose.yaml, CPU) starts with ``autostart:=false`` and this script drives it through
its services as a lifecycle manager would: configure, activate, deactivate, activate,
deactivate, cleanup, shutdown. In each state it measures pose_node's resident memory and its
CPU time over ``--window`` seconds (as a share of one core, from psutil), and it times every
transition (the service call, from request to answer) and, after each activate, the first
PersonArray. CPU shares are CPU time, so other load on the machine changes them little; the
transition times are wall-clock times and do depend on it.

    python bench/lifecycle.py [--fps 30] [--window 10] [--json bench/out/lifecycle.json]
"""

import argparse
import json
import pathlib
import time

from bench_common import machine_tag, NodeProcess, spin_until, VTEST
import psutil
import rclpy
from ros_helpers import Lifecycle

TOPIC = '/lifecycle_bench/image'
REPO = pathlib.Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--fps', type=float, default=30.0)
    parser.add_argument('--window', type=float, default=10.0)
    parser.add_argument('--json', default=str(REPO / 'bench' / 'out' / 'lifecycle.json'))
    args = parser.parse_args()

    from pose_ros_msgs.msg import PersonArray
    rclpy.init()
    node = rclpy.create_node('lifecycle_bench')
    answers, latencies = [], []  # arrival times; image stamp to arrival (s)

    def on_persons(msg):
        answers.append(time.monotonic())
        latencies.append(time.time() - (msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9))

    node.create_subscription(PersonArray, '/pose/persons', on_persons, 10)
    params_file = REPO / 'pose_ros' / 'config' / 'pose.yaml'
    camera_params = {'source': str(VTEST), 'fps': args.fps, 'loop': True}
    pose_args = ['--params-file', str(params_file), '-p', 'autostart:=false',
                 '-p', 'device:=cpu', '-p', f'image_topic:={TOPIC}']
    rows, transitions = [], []
    with NodeProcess('camera_node', params=camera_params,
                     ros_args=['-r', f'~/image_raw:={TOPIC}']) as camera, \
            NodeProcess('pose_node', ros_args=pose_args) as pose:
        process = psutil.Process(pose.process.pid)
        cycle = Lifecycle(node, 'pose')
        assert spin_until(node, lambda: node.count_publishers(TOPIC) > 0, timeout=30), \
            camera.output()

        def measure(state):
            spin_until(node, lambda: False, timeout=1.0)  # settle after the transition
            before = process.cpu_times()
            start, first_answer = time.monotonic(), len(answers)
            spin_until(node, lambda: False, timeout=args.window)
            after = process.cpu_times()
            steady = sorted(latencies[first_answer:])
            share = ((after.user + after.system) - (before.user + before.system)) / (
                time.monotonic() - start)
            rows.append({'state': state, 'rss_mib': round(process.memory_info().rss / 2**20),
                         'cpu_share_of_one_core': round(share, 4),
                         'answers': len(steady)})
            if steady:  # image stamp to PersonArray while active: inference and transport
                rows[-1]['latency_p50_s'] = round(steady[len(steady) // 2], 3)
                rows[-1]['latency_p95_s'] = round(steady[int(0.95 * (len(steady) - 1))], 3)
            print(rows[-1], flush=True)

        def change(transition):
            sent = time.monotonic()
            answered_before = len(answers)
            assert cycle.change(transition, timeout=180), pose.output()[-3000:]
            took = time.monotonic() - sent
            entry = {'transition': transition, 'seconds': round(took, 3)}
            if transition == 'activate':
                assert spin_until(node, lambda: len(answers) > answered_before, timeout=30)
                entry['first_answer_s'] = round(answers[answered_before] - sent, 3)
            transitions.append(entry)
            print(entry, flush=True)

        measure('unconfigured')
        change('configure')
        measure('inactive (model loaded)')
        change('activate')
        measure('active')
        change('deactivate')
        measure('inactive again (images still arriving)')
        change('activate')
        change('deactivate')
        change('cleanup')
        measure('unconfigured again (model freed)')
        change('shutdown')
        code = pose.wait(30)
    node.destroy_node()
    rclpy.try_shutdown()
    result = {'machine': machine_tag(), 'camera_fps': args.fps, 'window_s': args.window,
              'states': rows, 'transitions': transitions, 'pose_exit_code': code}
    pathlib.Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.json).write_text(json.dumps(result, indent=1))
    print(f'\n{result["machine"]}\n')
    print('| state | pose_node RSS (MiB) | CPU (share of one core) |\n|---|---|---|')
    for row in rows:
        print(f'| {row["state"]} | {row["rss_mib"]} | {row["cpu_share_of_one_core"]:.1%} |')
    print('\n| transition | service call (s) | first PersonArray after the request (s) |')
    print('|---|---|---|')
    for entry in transitions:
        first = entry.get('first_answer_s', '')
        print(f'| {entry["transition"]} | {entry["seconds"]:.2f} | {first} |')
    active = next(row for row in rows if row['state'] == 'active')
    if 'latency_p50_s' in active:
        print(f'\nactive: {active["answers"]} PersonArrays in {args.window:.0f} s; image stamp '
              f'to PersonArray p50 {active["latency_p50_s"]:.3f} s, '
              f'p95 {active["latency_p95_s"]:.3f} s; one frame time {1 / args.fps:.3f} s')


if __name__ == '__main__':
    main()
