# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Overhead ratio: pose_node's time per frame over bare Ultralytics predict, in one run.

pose_node runs as its own process, as deployed. For each frame of vtest.avi (768x576) this
script publishes the image and times until its PersonArray arrives; the bare model times
``model.predict`` on the same frames with the same model, runtime and arguments (pose.yaml's,
which are the node's defaults). Blocks of the two alternate so
that drift on a noisy machine hits both alike. Also prints the node's per-stage times.

    python bench/overhead_ratio.py --frames 40 --rounds 3 [--tracker pose]
"""

import argparse
import time

from bench_common import machine_tag, median, NodeProcess, percentile, spin_until, video_frames
from perf_common import bare_estimator


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--frames', type=int, default=40)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--tracker', default=None, help='pose_node tracker (default: its own)')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()

    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from pose_ros import model_loading
    from pose_ros.image_conversion import bgr_to_image_msg
    from pose_ros_msgs.msg import PersonArray
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from sensor_msgs.msg import Image
    from std_msgs.msg import Header

    frames = video_frames(count=args.frames, start=100)
    device = model_loading.select_device(args.device)
    bare = bare_estimator(device)  # the node's model, backend and input (config/pose.yaml)
    bare.warmup(576, 768)
    kwargs = bare.predict_kwargs()

    params = {'device': args.device, 'image_topic': '/bench/image'}
    if args.tracker:
        params['tracker'] = args.tracker
    rclpy.init()
    node = rclpy.create_node('overhead_bench')
    reliable = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
    publisher = node.create_publisher(Image, '/bench/image', reliable)
    received, diagnostics = {}, []
    node.create_subscription(
        PersonArray, '/pose/persons',
        lambda m: received.setdefault(m.header.frame_id, time.perf_counter()), 10)
    node.create_subscription(DiagnosticArray, '/diagnostics', diagnostics.append, 10)
    messages = []
    for index, frame in enumerate(frames):
        messages.append(bgr_to_image_msg(frame, Header(frame_id=f'frame{index}')))

    bare_ms, node_ms = [], []
    with NodeProcess('pose_node', params=params) as pose:
        assert pose.wait_for_output('warm-up', 120), pose.output()
        assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 30)
        for round_index in range(args.rounds):
            for index, frame in enumerate(frames):
                start = time.perf_counter()
                bare.model.predict(frame, **kwargs)
                bare_ms.append((time.perf_counter() - start) * 1000)
            for index, msg in enumerate(messages):
                key = f'round{round_index}-frame{index}'
                msg.header.frame_id = key
                msg.header.stamp = node.get_clock().now().to_msg()
                start = time.perf_counter()
                publisher.publish(msg)
                assert spin_until(node, lambda: key in received, 30), key
                node_ms.append((received[key] - start) * 1000)
        spin_until(node, lambda: False, 1.5)
        stages = {kv.key: kv.value for kv in diagnostics[-1].status[0].values}
        assert pose.interrupt() == 0
    node.destroy_node()
    rclpy.try_shutdown()

    ratio = median(node_ms) / median(bare_ms)
    print(f'machine: {machine_tag()}')
    print(f'frames: {len(frames)} x {args.rounds} rounds, vtest.avi 768x576, device {device}, '
          f'tracker {args.tracker or "default"}')
    print(f'bare model.predict  median {median(bare_ms):.1f} ms  p95 '
          f'{percentile(bare_ms, 0.95):.1f} ms')
    print(f'pose_node (pub->sub) median {median(node_ms):.1f} ms  p95 '
          f'{percentile(node_ms, 0.95):.1f} ms')
    print(f'overhead ratio (median node / median bare): {ratio:.3f}')
    print('pose_node stage means: ' + ', '.join(
        f'{k[:-3]} {v} ms' for k, v in stages.items() if k.endswith('_ms')))


if __name__ == '__main__':
    main()
