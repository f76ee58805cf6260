# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Make the README's pictures: the viewer page and /pose/debug_image, from a real run.

Runs pose_pipeline on the sample clip, saves one debug image and a headless-Chromium
screenshot of the viewer into docs/images/. Run with the venv active and install/setup.bash
sourced:  python tools/make_screenshots.py [--pictures debug viewer]
"""

import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'pose_ros' / 'test'))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')

from ros_helpers import bridge_port, NodeProcess, spin_until  # noqa: E402,I100

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--no-first-run', '--disable-sync']


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--pictures', nargs='+', default=['debug', 'viewer'],
                        choices=['debug', 'viewer'], help='which pictures to write')
    pictures = parser.parse_args().pictures
    import cv2
    from playwright.sync_api import sync_playwright
    from pose_ros.image_conversion import image_msg_to_bgr
    from pose_ros_msgs.msg import PersonArray
    import rclpy
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from sensor_msgs.msg import Image

    out = REPO / 'docs' / 'images'
    out.mkdir(parents=True, exist_ok=True)
    clip = REPO / 'pose_ros' / 'media' / 'vtest_clip.mp4'
    ros_args = ['--params-file', str(REPO / 'pose_ros' / 'config' / 'pose.yaml')]
    # pose.yaml's defaults (the README's pictures show what a user gets), on the CPU; a slow
    # camera so that every frame is processed.
    for key, value in {'camera:source': str(clip), 'camera:loop': 'true', 'camera:fps': '4.0',
                       'pose:device': 'cpu', 'pose_bridge:port': '0'}.items():
        ros_args += ['-p', f'{key}:={value}']
    rclpy.init()
    node = rclpy.create_node('screenshots')
    images, persons = [], []
    node.create_subscription(Image, '/pose/debug_image', images.append,
                             QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
    node.create_subscription(PersonArray, '/pose/persons', persons.append, 10)
    with NodeProcess('pose_pipeline', ros_args=ros_args) as pipeline:
        port = bridge_port(pipeline, timeout=90)
        assert spin_until(node, lambda: len(images) >= 60, timeout=120), pipeline.output()
        people = [p for p in persons if p.persons]
        best = max(persons[-60:], key=lambda a: len(a.persons)) if people else None
        debug = [i for i in images if best is not None and i.header == best.header]
        if 'debug' in pictures:
            cv2.imwrite(str(out / 'debug_image.png'), image_msg_to_bgr((debug or images)[-1]))
            print(f'wrote {out / "debug_image.png"}: {len(best.persons) if best else 0} people')
        if 'viewer' in pictures:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path='/usr/bin/chromium', headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={'width': 900, 'height': 720})
                page.goto(f'http://127.0.0.1:{port}/')
                page.wait_for_function(
                    '() => window.poseViewer.fps > 1 && window.poseViewer.lastPersons.length >= 3',
                    timeout=60000)
                page.screenshot(path=str(out / 'viewer.png'))
                print(f'wrote {out / "viewer.png"}')
                browser.close()
        pipeline.interrupt()
    node.destroy_node()
    rclpy.try_shutdown()


if __name__ == '__main__':
    main()
