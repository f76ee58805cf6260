# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Make the README's pictures: the viewer page and /pose/debug_image, from a real run.

Runs pose_pipeline on the sample clip and saves one debug image into docs/images/; then
runs it again exactly as ``make run`` does (config/pose.yaml, the clip in a loop: the
defaults) and saves a headless-Chromium screenshot of the viewer, with the camera picture,
skeletons, ids and trails. Run with the venv active and install/setup.bash sourced:
python tools/make_screenshots.py [--only viewer|debug]
"""

import argparse
import os
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'pose_ros' / 'test'))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')

from ros_helpers import bridge_port, NodeProcess, spin_until  # noqa: E402,I100

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--no-first-run', '--disable-sync']


# The viewer shows the picture with at least two people, their trails, and a few seconds
# of tracking behind it (a predicate function: the page's CSP forbids eval of strings).
VIEWER_READY = """() => {
    const v = window.poseViewer;
    return v && v.drawn.picture && v.drawn.persons >= 2 && v.drawn.trails >= 2 &&
        v.pipeline !== null && v.latencyMs !== null;
}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--only', choices=('viewer', 'debug'), help='make one picture only')
    args = parser.parse_args()
    out = REPO / 'docs' / 'images'
    out.mkdir(parents=True, exist_ok=True)
    if args.only != 'viewer':
        debug_image(out)
    if args.only != 'debug':
        viewer_image(out)


def viewer_image(out, settle_s=20.0, timeout_s=240.0):
    """Screenshot the viewer of a pipeline run at the defaults (as ``make run``)."""
    from playwright.sync_api import sync_playwright
    clip = REPO / 'pose_ros' / 'media' / 'vtest_clip.mp4'
    ros_args = ['--params-file', str(REPO / 'pose_ros' / 'config' / 'pose.yaml'),
                '-p', f'camera:source:={clip}', '-p', 'camera:loop:=true',
                '-p', 'pose_bridge:port:=0']
    with NodeProcess('pose_pipeline', ros_args=ros_args) as pipeline:
        port = bridge_port(pipeline, timeout=120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path='/usr/bin/chromium', headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={'width': 900, 'height': 720})
            page.goto(f'http://127.0.0.1:{port}/')
            time.sleep(settle_s)  # trails and track numbers build up
            page.wait_for_function(VIEWER_READY, timeout=timeout_s * 1000, polling=100)
            page.screenshot(path=str(out / 'viewer.png'))
            drawn = page.evaluate('() => window.poseViewer.drawn')
            browser.close()
        pipeline.interrupt()
    print(f'wrote {out / "viewer.png"}: {drawn["persons"]} people, {drawn["trails"]} trails')


def debug_image(out):
    """Save one /pose/debug_image of a pipeline run (every frame, larger input)."""
    import cv2
    from pose_ros.image_conversion import image_msg_to_bgr
    from pose_ros_msgs.msg import PersonArray
    import rclpy
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from sensor_msgs.msg import Image

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
        bridge_port(pipeline, timeout=90)  # the pipeline is up
        assert spin_until(node, lambda: len(images) >= 60, timeout=120), pipeline.output()
        people = [p for p in persons if p.persons]
        best = max(persons[-60:], key=lambda a: len(a.persons)) if people else None
        debug = [i for i in images if best is not None and i.header == best.header]
        cv2.imwrite(str(out / 'debug_image.png'), image_msg_to_bgr((debug or images)[-1]))
        pipeline.interrupt()
    node.destroy_node()
    rclpy.try_shutdown()
    print(f'wrote {out / "debug_image.png"}')


if __name__ == '__main__':
    main()
