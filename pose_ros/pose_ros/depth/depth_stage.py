# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The 3D stage as pose_node runs it: depth and camera_info messages in, 3D persons out.

Depth images and camera_info arrive on the executor thread (``add_depth``,
``set_camera_info``); the pose worker calls ``lift`` once per colour frame, after inference
and tracking. Both take the image's stamp from the node, which puts the arrival time in
place of a stamp of 0 (a driver that never sets it), so unstamped streams pair by arrival.
``lift`` always leaves every person with 17 ``keypoints_3d``: lifted when a depth image
pairs with the frame and the camera is known, otherwise all unknown (NaN). What went wrong
comes back as a DepthProblem, whose ``kind`` lets the node throttle each kind of message on
its own, so persons keep flowing in 2D whatever happens to depth.
"""

from dataclasses import dataclass
from typing import Optional

from pose_ros.depth import depth_pairing
from pose_ros.depth.camera_model import CameraModel, CameraModelError
from pose_ros.depth.depth_image import check_depth_size, depth_msg_to_metres, DepthImageError
from pose_ros.depth.lifting import PersonLifter

# DepthProblem kinds
NO_CAMERA_INFO = 'no_camera_info'
BAD_CAMERA_INFO = 'bad_camera_info'
NO_DEPTH = 'no_depth'             # none received yet
DEPTH_STOPPED = 'depth_stopped'   # none for a while
DEPTH_UNPAIRED = 'depth_unpaired'  # arriving, but never within depth_slop
DEPTH_SIZE = 'depth_size'         # another size than the colour image
BAD_DEPTH = 'bad_depth'           # an unknown encoding, a broken message


@dataclass
class DepthProblem:
    """Why a frame got no 3D: a kind (for throttling) and a message naming the fix."""

    kind: str
    message: str


class DepthStage:
    """Pair, decode and lift; see the module docstring."""

    def __init__(self, depth_topic: str, camera_info_topic: str, slop: float,
                 history: int = 10, stopped_after: float = 1.0):
        self.depth_topic = depth_topic
        self.camera_info_topic = camera_info_topic
        self.slop = float(slop)
        self.pairing = depth_pairing.DepthPairing(slop, stopped_after=stopped_after)
        self.lifter = PersonLifter(history)
        self._camera_info = None
        self._camera_source = None
        self._camera = None
        self._camera_error = ''
        self.lifted = 0       # frames with 3D
        self.unlifted = 0     # frames without
        self.last_problem: Optional[DepthProblem] = None

    # -- executor thread ------------------------------------------------------------------
    def add_depth(self, msg, stamp: float) -> None:
        """Buffer a depth image (sensor_msgs/Image) taken at ``stamp`` seconds."""
        self.pairing.put(stamp, msg)

    def set_camera_info(self, msg) -> None:
        """Keep the latest sensor_msgs/CameraInfo."""
        self._camera_info = msg

    # -- worker thread --------------------------------------------------------------------
    def lift(self, persons: list, stamp: float, width: int, height: int,
             min_confidence: float) -> Optional[DepthProblem]:
        """Give ``persons`` (of the colour image taken at ``stamp``) 3D; return any problem."""
        problem = self._lift(persons, stamp, width, height, min_confidence)
        if problem is None:
            self.lifted += 1
        else:
            self.lifter.unknown(persons)
            self.unlifted += 1
        self.last_problem = problem
        return problem

    def reset(self) -> None:
        """Forget buffered depth images and track histories (on deactivate)."""
        self.pairing.clear()
        self.lifter.reset()

    def _lift(self, persons, stamp, width, height, min_confidence):
        camera, problem = self._camera_model(width, height)
        if problem is not None:
            return problem
        paired = self.pairing.nearest(stamp, wait=self.slop)
        if not paired.paired:
            return self._pairing_problem(paired)
        try:
            depth = depth_msg_to_metres(paired.item)
        except DepthImageError as error:
            return DepthProblem(BAD_DEPTH, f'depth image on {self.depth_topic} unusable: '
                                f'{error}; persons are published without 3D')
        try:
            check_depth_size(depth, width, height)
        except DepthImageError as error:
            return DepthProblem(DEPTH_SIZE, f'depth image on {self.depth_topic} unusable: '
                                f'{error}; persons are published without 3D')
        self.lifter.lift(persons, depth, camera, stamp, min_confidence)
        return None

    def _camera_model(self, width, height):
        info = self._camera_info
        if info is None:
            return None, DepthProblem(
                NO_CAMERA_INFO, f'no camera_info on {self.camera_info_topic} yet: 3D needs the '
                "colour camera's intrinsics (camera_node: set camera_info_url; a driver "
                'publishes it beside the image); persons are published without 3D')
        if info is not self._camera_source:
            self._camera_source, self._camera = info, None
            try:
                self._camera = CameraModel.from_camera_info(info)
            except CameraModelError as error:
                self._camera_error = str(error)
        if self._camera is None:
            return None, DepthProblem(BAD_CAMERA_INFO, f'camera_info on '
                                      f'{self.camera_info_topic} unusable: {self._camera_error}')
        try:
            self._camera.check_size(width, height)
        except CameraModelError as error:
            return None, DepthProblem(BAD_CAMERA_INFO, f'camera_info on '
                                      f'{self.camera_info_topic} unusable: {error}')
        return self._camera, None

    def _pairing_problem(self, paired):
        if paired.status == depth_pairing.NO_DEPTH_YET:
            return DepthProblem(NO_DEPTH, f'no depth image received on {self.depth_topic} yet; '
                                'persons are published without 3D')
        if paired.status == depth_pairing.STOPPED:
            return DepthProblem(DEPTH_STOPPED, f'depth stopped: no image on {self.depth_topic} '
                                f'for {paired.silent_for:.1f} s; persons are published '
                                'without 3D')
        return DepthProblem(DEPTH_UNPAIRED, f'the nearest depth image on {self.depth_topic} is '
                            f'{paired.offset:+.3f} s from the colour image, more than '
                            f'depth_slop {self.slop:g} s: are both from one camera (or are the '
                            'clocks synchronised)? persons are published without 3D')
