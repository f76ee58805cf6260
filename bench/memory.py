# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Memory: the RSS of the pipeline over 5,000 processed frames must stay flat.

The pipeline runs as deployed (config/pose.yaml) with every output in use: a WebSocket
client reads the bridge's feed and this process subscribes to the debug image, so drawing,
JSON and the per-client queues run on every frame. ``--mode pipeline`` is pose_pipeline
(three nodes, one process); ``--mode nodes`` is camera_node, pose_node and bridge_node as
three processes, each measured on its own. The RSS of each process (psutil) is sampled
twice a second against pose_node's frames_processed (its /diagnostics).

To get 5,000 frames in minutes on 2 cores, the camera plays vtest.avi in a loop at 30 fps
(a webcam's rate), downscaled to 384x288, and the model runs at imgsz 320 (square input,
about 28 ms a frame here): people come and go, so tracks are made and removed all along.

After a warm-up of 1,000 frames (allocator pools, model and DDS buffers fill up: the
pipeline has stepped up by up to 10 MB between frames 300 and 1,300 in one run and not at
all in the next, then stayed level), the least-squares slope of RSS against frames must stay
under --max-slope MB per 1000 frames in every process, or the script exits 1. Why 0.5: that
is 500 bytes a frame, less than anything a per-frame leak of this pipeline would keep (a
PersonArray or a track record is 1 KB or more as Python objects, an image or a tensor
hundreds of KB), while the slope of a process that does not grow stays within +-0.2 over
5,000 frames here (RSS steps of a few MB from the allocator average out). The table also
gives the growth per hour at the measured rate, which is what a deployment sees.

    python bench/memory.py [--mode pipeline|nodes] [--frames 5000] [--device cuda:0]
"""

import argparse
import sys
import threading
import time

from bench_common import machine_tag, spin_until, VTEST
import numpy as np
from perf_common import diagnostic_values, start_pipeline
import psutil

MB = 1024 * 1024


def read_feed(port, stop, counts):
    """Read the bridge's WebSocket feed until ``stop`` is set, counting messages."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect
    with connect(f'ws://127.0.0.1:{port}/', open_timeout=30, max_size=None) as websocket:
        while not stop.is_set():
            try:
                websocket.recv(timeout=1.0)
                counts['feed'] += 1
            except TimeoutError:
                continue
            except ConnectionClosed:  # the pipeline stopped
                return


def process_name(process):
    """Return the executable name of a NodeProcess."""
    return process.command[0].rsplit('/', 1)[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--mode', choices=('pipeline', 'nodes'), default='pipeline')
    parser.add_argument('--frames', type=int, default=5000, help='frames measured after warm-up')
    parser.add_argument('--warmup', type=int, default=1000, help='frames before the start sample')
    parser.add_argument('--max-slope', type=float, default=0.5, help='MB per 1000 frames')
    parser.add_argument('--fps', type=float, default=30.0, help='camera fps (1000: unthrottled)')
    parser.add_argument('--width', type=int, default=384)
    parser.add_argument('--height', type=int, default=288)
    parser.add_argument('--imgsz', type=int, default=320)
    parser.add_argument('--device', default='cpu', help='cpu or cuda:N')
    parser.add_argument('--report-every', type=int, default=1000, help='table row every N frames')
    args = parser.parse_args()

    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from ros_helpers import bridge_port
    from sensor_msgs.msg import Image

    rclpy.init()
    node = rclpy.create_node('memory_bench')
    state = {'processed': 0, 'dropped': 0, 'debug': 0, 'feed': 0}

    def on_diagnostics(msg):
        values = diagnostic_values(msg)
        if values is not None:
            state['processed'] = int(values['frames_processed'])
            state['dropped'] = int(values['frames_dropped'])

    node.create_subscription(DiagnosticArray, '/diagnostics', on_diagnostics, 10)
    node.create_subscription(Image, '/pose/debug_image',
                             lambda msg: state.__setitem__('debug', state['debug'] + 1),
                             QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    camera = {'source': str(VTEST), 'loop': 'true', 'fps': f'{args.fps:.1f}',
              'width': args.width, 'height': args.height}
    pose = {'device': args.device, 'imgsz': args.imgsz}
    processes = start_pipeline(args.mode, camera, pose, bridge={'port': 0})
    names = [process_name(p) for p in processes]
    samples = []  # (processed frames, seconds, rss bytes of each process)
    stop = threading.Event()
    try:
        bridge = next(p for p in processes if process_name(p) in ('pose_pipeline', 'bridge_node'))
        port = bridge_port(bridge, timeout=120)
        reader = threading.Thread(target=read_feed, args=(port, stop, state), daemon=True)
        reader.start()
        watched = [psutil.Process(p.process.pid) for p in processes]
        start = time.monotonic()
        target = args.warmup + args.frames
        last_sample = 0.0
        while state['processed'] < target:
            spin_until(node, lambda: False, 0.1, step=0.02)
            now = time.monotonic()
            if now - last_sample >= 0.5:
                last_sample = now
                samples.append((state['processed'], now - start,
                                [w.memory_info().rss for w in watched]))
            for process in processes:
                if process.process.poll() is not None:
                    raise RuntimeError(f'{process_name(process)} ended:\n'
                                       + process.output()[-3000:])
            if now - start > 3600:
                raise RuntimeError(f'only {state["processed"]} frames in an hour')
        samples.append((state['processed'], time.monotonic() - start,
                        [w.memory_info().rss for w in watched]))
        stop.set()
        for process in processes:
            assert process.interrupt() == 0, process.output()[-3000:]
    finally:
        stop.set()
        for process in processes:
            process.kill()
    node.destroy_node()
    rclpy.try_shutdown()
    for process in processes:
        if 'Traceback' in process.output():
            raise RuntimeError(process.output()[-5000:])

    frames = np.array([s[0] for s in samples], float)
    seconds = np.array([s[1] for s in samples])
    rss = np.array([s[2] for s in samples], float) / MB   # samples x processes
    measured = frames >= args.warmup
    first = int(np.argmax(measured))
    middle = int(np.argmin(np.abs(frames - (args.warmup + args.frames / 2))))
    fps = (frames[-1] - frames[first]) / (seconds[-1] - seconds[first])
    print(f'machine: {machine_tag()}')
    print(f'--mode {args.mode}: {", ".join(names)}; config/pose.yaml with vtest.avi looping at '
          f'{args.fps:g} fps, {args.width}x{args.height}, imgsz {args.imgsz}, device '
          f'{args.device}; a WebSocket client ({state["feed"]} messages) and a debug image '
          f'subscriber ({state["debug"]} images); {fps:.1f} frames processed per second, '
          f'{state["dropped"]} camera frames dropped by latest-frame-wins; '
          f'{int(measured.sum())} samples after {args.warmup} warm-up frames')
    print()
    print('| frames processed | minutes | ' + ' | '.join(f'{n} RSS MB' for n in names) + ' |')
    print('|---|---|' + '---|' * len(names))
    marks = [args.warmup + k * args.report_every
             for k in range(args.frames // args.report_every + 1)]
    for mark in marks:
        index = int(np.argmin(np.abs(frames - mark)))
        print(f'| {int(frames[index])} | {seconds[index] / 60:.1f} | '
              + ' | '.join(f'{value:.1f}' for value in rss[index]) + ' |')
    print()
    print('| process | RSS start MB | middle | end | min / max | slope MB per 1000 frames | '
          'MB per hour at this rate |')
    print('|---|---|---|---|---|---|---|')
    failed = []
    for column, name in enumerate(names):
        values = rss[measured, column]
        slope = np.polyfit(frames[measured], values, 1)[0] * 1000
        per_hour = slope * fps * 3.6
        print(f'| {name} | {rss[first, column]:.1f} | {rss[middle, column]:.1f} | '
              f'{rss[-1, column]:.1f} | {values.min():.1f} / {values.max():.1f} | '
              f'{slope:+.3f} | {per_hour:+.0f} |')
        if slope > args.max_slope:
            failed.append(f'{name} grows {slope:.2f} MB per 1000 frames')
    print()
    if failed:
        print(f'FAIL (limit {args.max_slope:g} MB per 1000 frames): ' + '; '.join(failed))
        return 1
    print(f'PASS: flat (limit {args.max_slope:g} MB per 1000 frames)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
