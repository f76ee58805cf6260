# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Cold start: seconds from starting the pipeline to its first PersonArray, export included.

Runs what ``make run`` runs (tools/run_pipeline.py: config/pose.yaml, the sample clip when no
webcam exists) with an empty model cache, so pose_node exports the model first, then once more
with the cache filled. Prints both times and where the export went.

    python bench/cold_start.py
"""

import os
import pathlib
import subprocess
import sys
import tempfile
import time

from bench_common import REPO, spin_until


def first_person_array(cache, port):
    """Start the pipeline; return (seconds to the first PersonArray, its output)."""
    import rclpy
    from pose_ros_msgs.msg import PersonArray
    node = rclpy.create_node('cold_start_probe')
    arrived = []
    node.create_subscription(PersonArray, '/pose/persons', arrived.append, 10)
    env = {**os.environ, 'POSE_ROS_MODEL_CACHE': str(cache)}
    log = tempfile.TemporaryFile(mode='w+')
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(REPO / 'tools' / 'run_pipeline.py'), '--params-file',
         str(REPO / 'pose_ros' / 'config' / 'pose.yaml'), '--port', str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        spin_until(node, lambda: arrived, timeout=180)
        seconds = time.monotonic() - start if arrived else float('inf')
    finally:
        process.send_signal(2)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        node.destroy_node()
    log.seek(0)
    return seconds, log.read()


def main():
    import rclpy
    rclpy.init()
    try:
        with tempfile.TemporaryDirectory(prefix='pose_ros_cold-') as folder:
            cache = pathlib.Path(folder) / 'models'
            for label, port in (('empty cache (export included)', 18765),
                                ('cache filled', 18766)):
                seconds, output = first_person_array(cache, port)
                lines = [line for line in output.splitlines()
                         if 'export' in line or 'model ' in line]
                print(f'{label}: first PersonArray {seconds:.1f} s after the start')
                for line in lines:
                    print(f'    {line.strip()}')
    finally:
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
