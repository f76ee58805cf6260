# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
People in 3D: metric keypoints, positions and velocities from an aligned depth image.

The modules, in the order a frame passes through them:

* ``depth_pairing``: the depth image whose stamp is nearest a colour frame's, within a slop;
* ``depth_image``: a sensor_msgs/Image (16UC1 millimetres, 32FC1 metres) to metres, NaN holes;
* ``camera_model``: K and distortion from camera_info, pixels to rays;
* ``keypoint_depth``: the depth that belongs to the person under each keypoint;
* ``person_position`` and ``velocity_3d``: one 3D point per person and its velocity;
* ``lifting``: the 3D stage that runs the above on one frame's persons;
* ``markers``: visualization_msgs/MarkerArray for RViz.

All of it is plain Python and numpy (no ROS graph), unit-tested without nodes.
"""
