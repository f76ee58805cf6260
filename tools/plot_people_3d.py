# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Make the README's 3D picture: what pose_node publishes on /pose/markers, plotted.

RViz cannot run on the machines this is made on, so this draws the markers instead: a real
pose_node process (defaults, depth_topic set) is fed a synthetic RGB-D scene with exact
ground truth (pose_ros/test/rgbd_scenes.py, scene ``two_people``) over DDS, and the
MarkerArray and debug image it publishes are plotted beside each other: the debug image, a
top-down view (x right, z forward, the true distances dashed) and a 3D view. Run with the venv
active and install/setup.bash sourced:  python tools/plot_people_3d.py
"""

import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'pose_ros' / 'test'))
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
os.environ['YOLO_OFFLINE'] = '1'

from ros_helpers import NodeProcess, spin_until  # noqa: E402,I100

SCENE = 'two_people'
PREFIX = '/plot3d'
FRAME = 'camera_color_optical_frame'
OUT = REPO / 'docs' / 'images' / 'people_3d.png'


def run_pose_node(rendered, frames=6):
    """Feed ``rendered`` to a pose_node process; return (MarkerArray, debug image, persons)."""
    import rclpy
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from pose_ros.image_conversion import bgr_to_image_msg, image_msg_to_bgr
    from pose_ros_msgs.msg import PersonArray
    from sensor_msgs.msg import CameraInfo, Image
    from std_msgs.msg import Header
    from visualization_msgs.msg import MarkerArray

    reliable = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
    params = {'device': 'cpu', 'image_topic': f'{PREFIX}/color/image_raw',
              'depth_topic': f'{PREFIX}/aligned_depth_to_color/image_raw',
              'camera_info_topic': f'{PREFIX}/color/camera_info'}
    rclpy.init()
    node = rclpy.create_node('plot_people_3d')
    image_pub = node.create_publisher(Image, params['image_topic'], reliable)
    depth_pub = node.create_publisher(Image, params['depth_topic'], reliable)
    info_pub = node.create_publisher(CameraInfo, params['camera_info_topic'], reliable)
    markers, debug, persons = [], [], []
    node.create_subscription(MarkerArray, '/pose/markers', markers.append, reliable)
    node.create_subscription(Image, '/pose/debug_image', debug.append, reliable)
    node.create_subscription(PersonArray, '/pose/persons', persons.append, reliable)
    try:
        with NodeProcess('pose_node', params=params) as pose:
            ready = lambda: all(p.get_subscription_count() for p in  # noqa: E731
                                (image_pub, depth_pub, info_pub))
            assert spin_until(node, ready, timeout=120), pose.output()
            assert spin_until(node, lambda: node.count_publishers('/pose/markers'), 10)
            spin_until(node, lambda: False, timeout=1.0)
            for index in range(frames):   # a few frames: the tracker confirms its ids
                header = Header(frame_id=FRAME)
                header.stamp.sec, header.stamp.nanosec = 3000, index * 33_000_000
                info = rendered.camera_info(FRAME)
                info.header = header
                info_pub.publish(info)
                depth_pub.publish(rendered.depth_msg(header))
                spin_until(node, lambda: False, timeout=0.1)
                image_pub.publish(bgr_to_image_msg(rendered.colour, header))
                answered = lambda: any(m.markers and m.markers[0].header == header  # noqa
                                       for m in markers) and any(d.header == header
                                                                 for d in debug)
                assert spin_until(node, answered, timeout=30), pose.output()
            assert pose.interrupt() == 0
        last = markers[-1]
        image = image_msg_to_bgr(next(d for d in debug if d.header == last.markers[0].header))
        return last, image, persons[-1]
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


def plot(markers, image, rendered, path):
    """Draw the debug image, a top-down and a 3D view of ``markers``; save to ``path``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from visualization_msgs.msg import Marker
    import numpy as np

    figure = plt.figure(figsize=(16, 5.2), dpi=110)
    picture = figure.add_subplot(1, 3, 1)
    picture.imshow(image[:, :, ::-1])
    picture.set_title('/pose/debug_image')
    picture.axis('off')
    top = figure.add_subplot(1, 3, 2)
    view = figure.add_subplot(1, 3, 3, projection='3d')
    for marker in markers.markers:
        if marker.action != Marker.ADD:
            continue
        colour = (marker.color.r, marker.color.g, marker.color.b)
        points = np.array([(p.x, p.y, p.z) for p in marker.points]).reshape(-1, 3)
        if marker.type == Marker.LINE_LIST:
            for a, b in zip(points[0::2], points[1::2]):
                top.plot([a[0], b[0]], [a[2], b[2]], color=colour, lw=2)
                view.plot([a[0], b[0]], [a[2], b[2]], [-a[1], -b[1]], color=colour, lw=2)
        elif marker.type == Marker.SPHERE_LIST:
            top.scatter(points[:, 0], points[:, 2], color=colour, s=14, zorder=3)
            view.scatter(points[:, 0], points[:, 2], -points[:, 1], color=colour, s=10)
        elif marker.type == Marker.TEXT_VIEW_FACING:
            at = marker.pose.position
            top.annotate(f'id {marker.text}', (at.x, at.z), xytext=(6, 6),
                         textcoords='offset points', color=colour, weight='bold')
            view.text(at.x, at.z, -at.y, f'id {marker.text}', color=colour, weight='bold')
    for index, truth in enumerate(rendered.figures):   # the truth: each figure's plane
        corners = np.array([[truth.box[0], truth.box[1]], [truth.box[2], truth.box[1]]])
        xs = rendered.truth_points(corners, index)[:, 0]
        top.plot(xs, [truth.distance] * 2, 'k--', lw=1)
        top.annotate(f'truth: z = {truth.distance:g} m', (xs[1], truth.distance),
                     xytext=(4, -12), textcoords='offset points', fontsize=8)
    fx, width = rendered.camera.k[0, 0], image.shape[1]
    half = np.arctan(width / 2 / fx)
    for side in (-1, 1):   # the camera's field of view
        top.plot([0, side * 4.5 * np.tan(half)], [0, 4.5], color='0.6', lw=0.8)
    top.scatter([0], [0], marker='^', color='k')
    top.annotate('camera', (0, 0), xytext=(6, 0), textcoords='offset points')
    top.set_xlim(-2.0, 2.0)
    top.set_ylim(-0.2, 4.6)
    top.set_aspect('equal')
    top.set_xlabel('x (m, right)')
    top.set_ylabel('z (m, forward)')
    top.set_title('/pose/markers from above (a plot, not RViz)')
    top.grid(alpha=0.3)
    view.set_xlabel('x (m)')
    view.set_ylabel('z (m)')
    view.set_zlabel('-y (m, up)')
    view.set_xlim(-1.0, 1.0)
    view.set_ylim(1.5, 3.7)
    view.set_zlim(-1.0, 1.0)
    view.set_box_aspect((2.0, 2.2, 2.0), zoom=1.15)   # metres look like metres on every axis
    view.view_init(elev=22, azim=-78)   # from behind and above the camera, x to the right
    view.set_title('/pose/markers in 3D (a plot, not RViz)')
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def main():
    """Render the scene, run pose_node on it and save docs/images/people_3d.png."""
    import numpy as np
    import rgbd_scenes
    estimator = rgbd_scenes.default_estimator()
    rendered = rgbd_scenes.SceneMaker(estimator).render(rgbd_scenes.scene_named(SCENE))
    markers, image, persons = run_pose_node(rendered)
    plot(markers, image, rendered, OUT)
    for person in persons.persons:
        p = person.position
        print(f'id {person.id}: position ({p.x:.3f}, {p.y:.3f}, {p.z:.3f}) m')
    for truth in rendered.figures:
        print(f'truth: position {np.round(truth.position, 3)} m')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
