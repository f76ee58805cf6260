# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Pieces shared by the performance benchmarks (latency, memory): the pipeline as deployed.

The pipeline runs with the installed config/pose.yaml, as ``make run`` does, with a few
overrides (source, rate, device); the bare model is built with the same pose settings.
"""

import pathlib

from bench_common import NodeProcess

# Unthrottled: camera_node's fps parameter tops out at 1000; the camera then publishes as
# fast as it can read and send frames.
UNTHROTTLED_FPS = 1000.0


def params_file() -> pathlib.Path:
    """Return the installed config/pose.yaml."""
    from ament_index_python.packages import get_package_share_directory
    return pathlib.Path(get_package_share_directory('pose_ros')) / 'config' / 'pose.yaml'


def pose_settings() -> dict:
    """Return the pose node's parameters from config/pose.yaml."""
    import yaml
    return yaml.safe_load(params_file().read_text())['/**/pose']['ros__parameters']


def bare_estimator(device, overrides=None):
    """Return a PoseEstimator with pose.yaml's settings and backend (as pose_node builds it)."""
    from pose_ros import inference_backend, model_loading
    from pose_ros.pose_estimator import PoseEstimator
    settings = {**pose_settings(), **(overrides or {})}
    weights = model_loading.resolve_model_path(settings['model'])
    choice = inference_backend.choose_model(weights, settings['backend'], device,
                                            log=lambda text: None)
    return PoseEstimator(choice.path, device=device,
                         half=settings['half'], imgsz=settings['imgsz'], conf=settings['conf'],
                         iou=settings['iou'], max_det=settings['max_det'],
                         square_input=settings['square_input'])


def start_pipeline(mode, camera, pose, bridge=None):
    """
    Start the pipeline; return its NodeProcess list, pose last when there are several.

    ``mode`` 'pipeline' runs pose_pipeline (all nodes in one process); 'nodes' runs
    camera_node, bridge_node and pose_node as separate processes, as the launch file does.
    ``camera``, ``pose`` and ``bridge`` are parameter overrides on top of config/pose.yaml;
    ``bridge`` None leaves the bridge out.
    """
    base = ['--params-file', str(params_file())]
    if mode == 'pipeline':
        ros_args = list(base)
        for prefix, params in (('camera', camera), ('pose', pose), ('pose_bridge', bridge)):
            for key, value in (params or {}).items():
                ros_args += ['-p', f'{prefix}:{key}:={value}']
        options = ['--no-bridge'] if bridge is None else []
        return [NodeProcess('pose_pipeline', ros_args=ros_args, args=options)]
    if mode != 'nodes':
        raise ValueError(f'mode must be pipeline or nodes, got {mode}')

    def ros_args(params):
        args = list(base)
        for key, value in params.items():
            args += ['-p', f'{key}:={value}']
        return args

    pose_process = NodeProcess('pose_node', ros_args=ros_args(pose))
    # The camera starts once pose_node is warm, so that few frames go out before it listens.
    if not pose_process.wait_for_output('warm-up', 120):
        pose_process.kill()
        raise RuntimeError('pose_node did not warm up:\n' + pose_process.output()[-3000:])
    processes = [NodeProcess('camera_node', ros_args=ros_args(camera))]
    if bridge is not None:
        processes.append(NodeProcess('bridge_node', ros_args=ros_args(bridge)))
    return processes + [pose_process]


def diagnostic_values(array):
    """Return pose_node's diagnostics key/values from a DiagnosticArray, or None."""
    for status in array.status:
        if 'pose estimation' in status.name:
            return {kv.key: kv.value for kv in status.values}
    return None
