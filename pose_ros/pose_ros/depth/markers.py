# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
RViz markers of the 3D skeletons: visualization_msgs/MarkerArray, one colour per track id.

Per person, in the persons' frame and stamp: the bones as a LINE_LIST (namespace ``bones``),
the joints as a SPHERE_LIST (``joints``) and the id as TEXT_VIEW_FACING above the head
(``id``), in the colour the debug image and the viewer give that id. Markers carry a short
lifetime, and a person who left gets a DELETE of their markers in the next array, so RViz
never keeps a stale skeleton.
"""

from builtin_interfaces.msg import Duration
from geometry_msgs.msg import Point
import numpy as np
from pose_ros.coco import colour_for_id, SKELETON_EDGES
from std_msgs.msg import ColorRGBA
from visualization_msgs.msg import Marker, MarkerArray

NAMESPACES = ('bones', 'joints', 'id')
BONE_WIDTH = 0.03        # metres
JOINT_DIAMETER = 0.06    # metres
TEXT_HEIGHT = 0.15       # metres (height of a capital letter)
TEXT_ABOVE = 0.25        # metres above the highest head keypoint
HEAD = (0, 1, 2, 3, 4)


def marker_id(person, index: int) -> int:
    """Return the marker id of a person: the track id, or -(index + 1) when untracked."""
    return int(person.track_id) if int(person.track_id) > 0 else -(index + 1)


class SkeletonMarkers:
    """Builds each frame's MarkerArray and remembers whose markers are shown."""

    def __init__(self, lifetime: float = 1.0):
        self.lifetime = float(lifetime)
        self._shown = set()

    def build(self, header, persons: list) -> MarkerArray:
        """Return the markers of ``persons`` (with 3D) plus DELETEs for those who left."""
        array = MarkerArray()
        shown = set()
        for index, person in enumerate(persons):
            markers = self._person_markers(header, person, marker_id(person, index))
            if markers:
                array.markers.extend(markers)
                shown.add(marker_id(person, index))
        for gone in sorted(self._shown - shown):
            for namespace in NAMESPACES:
                array.markers.append(Marker(header=header, ns=namespace, id=gone,
                                            action=Marker.DELETE))
        self._shown = shown
        return array

    def forget(self) -> None:
        """Forget what was shown (e.g. after the last subscriber left)."""
        self._shown = set()

    def _person_markers(self, header, person, number) -> list:
        if person.keypoints_3d is None:
            return []
        points = np.asarray(person.keypoints_3d, np.float64)[:, :3]
        found = np.all(np.isfinite(points), axis=1)
        if not np.any(found):
            return []
        colour = _colour(person.track_id)
        bones = self._marker(header, 'bones', number, Marker.LINE_LIST, colour,
                             (BONE_WIDTH, 0.0, 0.0))
        bones.points = [_point(points[j]) for a, b in SKELETON_EDGES
                        if found[a] and found[b] for j in (a, b)]
        joints = self._marker(header, 'joints', number, Marker.SPHERE_LIST, colour,
                              (JOINT_DIAMETER,) * 3)
        joints.points = [_point(p) for p in points[found]]
        label = self._marker(header, 'id', number, Marker.TEXT_VIEW_FACING, colour,
                             (0.0, 0.0, TEXT_HEIGHT))
        label.text = str(person.track_id)
        head = [j for j in HEAD if found[j]] or list(np.flatnonzero(found))
        top = points[head[int(np.argmin(points[head, 1]))]]
        label.pose.position = _point((top[0], top[1] - TEXT_ABOVE, top[2]))
        if not bones.points:   # no bone left to draw: remove the last frame's
            bones = Marker(header=header, ns='bones', id=number, action=Marker.DELETE)
        return [bones, joints, label]

    def _marker(self, header, namespace, number, kind, colour, scale) -> Marker:
        marker = Marker(header=header, ns=namespace, id=number, type=kind,
                        action=Marker.ADD, color=colour)
        marker.pose.orientation.w = 1.0
        marker.scale.x, marker.scale.y, marker.scale.z = (float(v) for v in scale)
        seconds = int(self.lifetime)
        marker.lifetime = Duration(sec=seconds,
                                   nanosec=int(round((self.lifetime - seconds) * 1e9)))
        return marker


def _colour(track_id) -> ColorRGBA:
    blue, green, red = colour_for_id(track_id)
    return ColorRGBA(r=red / 255.0, g=green / 255.0, b=blue / 255.0, a=1.0)


def _point(xyz) -> Point:
    return Point(x=float(xyz[0]), y=float(xyz[1]), z=float(xyz[2]))
