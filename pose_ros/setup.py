# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Install rules for the pose_ros ament_python package."""

from glob import glob

from setuptools import find_packages, setup

package_name = 'pose_ros'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    package_data={package_name + '.bridge': ['web/*']},
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/launch', glob('launch/*.launch.py')),
        ('share/' + package_name + '/config',
         glob('config/*.yaml') + glob('config/*.xml') + glob('config/*.rviz')),
        ('share/' + package_name + '/media', glob('media/*')),
        ('share/' + package_name + '/web', glob('pose_ros/bridge/web/*')),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='pose_ros maintainers',
    maintainer_email='maintainers@pose-ros.dev',
    description='Real-time multi-person human pose for ROS 2.',
    license='AGPL-3.0-only',
    entry_points={
        'console_scripts': [
            'camera_node = pose_ros.camera_node:main',
            'pose_node = pose_ros.pose_node:main',
            'bridge_node = pose_ros.bridge_node:main',
            'pose_pipeline = pose_ros.pipeline:main',
        ],
    },
)
