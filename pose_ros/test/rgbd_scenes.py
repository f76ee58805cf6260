# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Synthetic RGB-D scenes with exact ground truth, made of real people from real photos.

A person cut out of Ultralytics' bus.jpg or zidane.jpg (bench/person_cutouts.py) stands as
a flat figure at a known distance, facing the camera, in front of a wall at another distance;
the colour image shows them on an empty street (the median of vtest.avi). The depth image,
aligned to the colour image, holds the person's distance on their silhouette and the wall's
elsewhere, and then what real sensors add, each optional: per-pixel and correlated noise
growing with z², holes (blobs inside the person, one over whole keypoints, and the stereo
shadow beside the left edge), flying pixels across the silhouette, wrists whose depth shows
the wall (a hand at the silhouette) and depth shifted against colour by a couple of pixels.

The truth is analytic: any pixel of a person's figure, lifted through the camera (with its
distortion), lies on the plane z = distance. So every 2D keypoint the model finds has an
exact 3D truth, and so does the person's torso centre.
"""

from dataclasses import dataclass, field, replace
import pathlib

import cv2
from media import VTEST
import numpy as np
from ros_helpers import load_repo_tool

WIDTH, HEIGHT = 640, 480
# A RealSense D435-like colour camera; DISTORTIONS give non-zero D for the same K.
K = (615.0, 0.0, 319.5, 0.0, 615.0, 239.5, 0.0, 0.0, 1.0)
DISTORTIONS = {
    'none': ('plumb_bob', (0.0, 0.0, 0.0, 0.0, 0.0)),
    'plumb_bob': ('plumb_bob', (0.12, -0.25, 0.001, -0.0005, 0.1)),
    # An Azure Kinect-like rational polynomial (k1, k2, p1, p2, k3, k4, k5, k6).
    'rational_polynomial': ('rational_polynomial',
                            (0.52, -2.6, 0.0006, -0.0003, 1.5, 0.39, -2.4, 1.4)),
}
CAMERA_HEIGHT = 0.9     # metres above the floor; y points down, so the floor is y = +0.9
HEAD_TOP = -0.85        # y of the top of a standing person's head (1.75 m tall)
TORSO = (5, 6, 12, 11)
WRISTS = (9, 10)
KEYPOINT_SURE = 0.5


@dataclass
class Figure:
    """One person in the scene: which cut-out, where, and how tall its box is in metres."""

    cutout: str
    distance: float          # z of the figure's plane, metres
    lateral: float = 0.0     # x of the box centre, metres
    box_height: float = 1.75  # metres the cut-out's box spans (1.75: head to feet)
    top: float = HEAD_TOP    # y of the box top, metres


@dataclass
class Nuisances:
    """What a real depth sensor adds; all off is clean depth."""

    noise: float = 0.0           # per-pixel sigma at 1 m, metres (grows with z^2)
    correlated_noise: float = 0.0  # sigma at 1 m of noise smooth over ~5 px
    holes: float = 0.0           # share of a person's pixels in hole blobs
    keypoint_holes: tuple = ()   # keypoints whose whole window is a hole
    shadow: int = 0              # px of stereo shadow (no depth) left of each silhouette
    flying: int = 0              # px each side of a silhouette with flying pixels
    hands_at_silhouette: bool = False  # the wall shows through at each wrist
    misalign: tuple = (0, 0)     # px the depth is shifted against colour (x, y)
    erode: int = 0               # px the person's depth silhouette is thinner than in colour


@dataclass
class RgbdScene:
    """A scene to render: figures, wall, camera distortion, nuisances and encoding."""

    name: str
    figures: list
    wall: float                  # z of the wall behind, metres
    nuisances: Nuisances = field(default_factory=Nuisances)
    distortion: str = 'none'
    encoding: str = '16UC1'
    description: str = ''


@dataclass
class FigureTruth:
    """The exact truth of one figure as rendered."""

    distance: float
    box: np.ndarray              # (4,) pixels, clipped to the image
    keypoints: np.ndarray        # (17, 3) reference keypoints (the cut-out's), pixels
    targets: np.ndarray          # (17, 3) where the model finds them here (else reference)
    position: np.ndarray         # (3,) centre of the sure torso keypoints on the plane, m
    mask: np.ndarray             # (H, W) bool: pixels showing this figure in colour


@dataclass
class RenderedScene:
    """One rendered frame: colour, depth in metres (NaN holes) and the truth."""

    scene: RgbdScene
    colour: np.ndarray
    depth: np.ndarray
    figures: list
    camera: object               # pose_ros.depth.camera_model.CameraModel
    detections: object = None    # the model's PoseDetections on ``colour``

    def camera_info(self, frame_id='camera_color_optical_frame'):
        """Return the scene's sensor_msgs/CameraInfo."""
        from sensor_msgs.msg import CameraInfo
        msg = CameraInfo(width=WIDTH, height=HEIGHT)
        msg.header.frame_id = frame_id
        msg.distortion_model = self.camera.distortion_model
        msg.d = [float(v) for v in self.camera.d]
        msg.k = [float(v) for v in self.camera.k.ravel()]
        msg.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        msg.p = [float(v) for v in np.hstack([self.camera.k, np.zeros((3, 1))]).ravel()]
        return msg

    def depth_msg(self, header=None):
        """Return the depth as a sensor_msgs/Image in the scene's encoding."""
        from pose_ros.depth.depth_image import metres_to_depth_msg
        return metres_to_depth_msg(self.depth, self.scene.encoding, header)

    def truth_points(self, pixels, figure_index):
        """Return (N, 3) exact 3D points of raw ``pixels`` on figure ``figure_index``."""
        return exact_back_project(self.camera, pixels, self.figures[figure_index].distance)


NOISY = Nuisances(noise=0.002, correlated_noise=0.0015)
REAL = Nuisances(noise=0.002, correlated_noise=0.0015, holes=0.08, keypoint_holes=(0, 6),
                 shadow=4, flying=2, hands_at_silhouette=True, misalign=(1, 1), erode=2)

SCENES = (
    RgbdScene('clean_2.5m', [Figure('bus_coat', 2.5)], 4.5,
              description='one person at 2.5 m, wall at 4.5 m, exact depth'),
    RgbdScene('noisy_2.5m', [Figure('bus_coat', 2.5)], 4.5, NOISY,
              description='sensor noise (sigma 2 mm x z² per pixel, 1.5 mm x z² smooth)'),
    RgbdScene('holes_2.5m', [Figure('bus_black', 2.5, 0.2)], 4.5,
              replace(NOISY, holes=0.12, keypoint_holes=(0, 5, 12), shadow=5),
              description='holes: 12% of the person in blobs, nose/shoulder/hip windows '
                          'empty, 5 px stereo shadow'),
    RgbdScene('hands_2.5m', [Figure('bus_black', 2.5, -0.2)], 4.5,
              replace(NOISY, hands_at_silhouette=True, misalign=(2, 1), erode=3),
              description='the wall shows through at both wrists; depth silhouette 3 px '
                          'thinner than colour and 2 px off'),
    RgbdScene('flying_2.5m', [Figure('bus_coat', 2.5)], 4.5, replace(NOISY, flying=3),
              description='flying pixels 3 px either side of the silhouette'),
    RgbdScene('near_wall_2.5m', [Figure('bus_black', 2.5)], 3.0, REAL,
              description='REAL, wall only 0.5 m behind the person'),
    RgbdScene('far_4m', [Figure('bus_coat', 4.0, 0.3)], 6.0, REAL,
              description='REAL, person at 4 m, wall at 6 m'),
    RgbdScene('two_people', [Figure('bus_black', 3.2, -0.25),
                             Figure('bus_coat', 2.0, 0.35, top=-0.75)], 5.0, REAL,
              description='REAL, a near person (2.0 m) partly in front of a far one (3.2 m)'),
    RgbdScene('close_1.5m', [Figure('bus_black', 1.5, 0.0, top=-0.5)], 3.5, REAL,
              description='REAL, upper body at 1.5 m'),
    RgbdScene('rational_2.5m', [Figure('bus_coat', 2.5, 0.35)], 4.5, REAL,
              distortion='rational_polynomial',
              description='REAL, rational_polynomial distortion (non-zero D)'),
    RgbdScene('plumb_bob_2.5m', [Figure('bus_black', 2.5, -0.4)], 4.5, NOISY,
              distortion='plumb_bob', description='sensor noise, plumb_bob distortion'),
    RgbdScene('crowd_10', [Figure('bus_black' if i % 2 else 'bus_coat', 6.5, x)
                           for i, x in enumerate((-3.1, -1.96, -0.66, 0.64, 1.94))]
              + [Figure('bus_coat' if i % 2 else 'bus_black', 4.0, x)
                 for i, x in enumerate((-1.6, -0.8, 0.0, 0.8, 1.6))], 8.0, REAL,
              description='REAL, ten people: five at 4 m, five at 6.5 m between them'),
)
CROWD = 'crowd_10'

# Scenes the 3D stage was never tuned on: other distances, places, walls, cameras and noise
# seeds, with the same kinds of nuisance. Reported apart from SCENES (bench/depth_eval.py).
HELD_OUT = (
    RgbdScene('held_out_2.2m', [Figure('bus_black', 2.2, -0.3)], 3.4, REAL,
              description='REAL, person at 2.2 m, wall at 3.4 m'),
    RgbdScene('held_out_3.0m', [Figure('bus_coat', 3.0, 0.4)], 4.0, REAL, distortion='plumb_bob',
              description='REAL, person at 3.0 m, wall at 4.0 m, plumb_bob distortion'),
    RgbdScene('held_out_pair', [Figure('bus_coat', 2.6, -0.2, top=-0.8),
                                Figure('bus_black', 3.6, 0.5)], 5.5, REAL,
              description='REAL, two people at 2.6 and 3.6 m, overlapping'),
    RgbdScene('held_out_5m', [Figure('bus_black', 5.0, -0.6)], 7.0, REAL,
              description='REAL, person at 5 m, wall at 7 m'),
    RgbdScene('held_out_edges_2.8m', [Figure('bus_coat', 2.8, 0.1)], 3.5,
              replace(NOISY, hands_at_silhouette=True, flying=3, erode=2, misalign=(-1, 2)),
              distortion='rational_polynomial',
              description='hands at the silhouette, 3 px of flying pixels, a thinner and '
                          'shifted depth silhouette, rational_polynomial distortion'),
)
HELD_OUT_SEED = 101
CLEAN = 'clean_2.5m'


def default_estimator():
    """Return the pose model on the CPU as pose_node loads it at its defaults (backend too)."""
    from pose_ros import inference_backend, model_loading
    from pose_ros.parameters import defaults, POSE
    from pose_ros.pose_estimator import PoseEstimator
    values = defaults(POSE)
    weights = model_loading.resolve_model_path(values['model'])
    choice = inference_backend.choose_model(weights, values['backend'], 'cpu',
                                            log=lambda text: None)
    return PoseEstimator(choice.path, device='cpu', imgsz=values['imgsz'],
                         conf=values['conf'], iou=values['iou'], max_det=values['max_det'],
                         square_input=values['square_input'])


def scene_named(name: str, encoding: str = '16UC1') -> RgbdScene:
    """Return the scene called ``name`` (of SCENES or HELD_OUT) in ``encoding``."""
    return replace(next(s for s in SCENES + HELD_OUT if s.name == name), encoding=encoding)


def camera_model(distortion: str = 'none'):
    """Return the CameraModel of the scenes' camera with the named distortion."""
    from pose_ros.depth.camera_model import CameraModel
    model, d = DISTORTIONS[distortion]
    return CameraModel(K, d, model, WIDTH, HEIGHT)


def exact_back_project(camera, pixels, distance) -> np.ndarray:
    """
    Return (N, 3) points at z = ``distance`` seen at raw ``pixels``, to 1e-6 px.

    The ray is found independently of the code under test: by Newton iterations on OpenCV's
    forward projection (projectPoints), checked to reproject onto the pixels.
    """
    pixels = np.asarray(pixels, np.float64).reshape(-1, 2)
    k = camera.k
    rays = np.column_stack([(pixels[:, 0] - k[0, 2]) / k[0, 0],
                            (pixels[:, 1] - k[1, 2]) / k[1, 1]])
    if camera.distorted:
        for _ in range(50):
            projected = _project_rays(camera, rays)
            error = projected - pixels
            if np.max(np.abs(error)) < 1e-9:
                break
            step = 1e-7
            jx = (_project_rays(camera, rays + [step, 0.0]) - projected) / step
            jy = (_project_rays(camera, rays + [0.0, step]) - projected) / step
            det = jx[:, 0] * jy[:, 1] - jy[:, 0] * jx[:, 1]
            rays = rays - np.column_stack([
                (jy[:, 1] * error[:, 0] - jy[:, 0] * error[:, 1]) / det,
                (-jx[:, 1] * error[:, 0] + jx[:, 0] * error[:, 1]) / det])
        assert np.max(np.abs(_project_rays(camera, rays) - pixels)) < 1e-6
    return np.column_stack([rays * distance, np.full(len(rays), float(distance))])


def _project_rays(camera, rays):
    points = np.column_stack([rays, np.ones(len(rays))]).reshape(-1, 1, 3)
    zero = np.zeros(3)
    pixels, _ = cv2.projectPoints(points, zero, zero, camera.k, camera.d)
    return pixels.reshape(-1, 2)


class SceneMaker:
    """
    Renders RgbdScenes; cuts the people out once.

    ``estimator`` is the model under test: it places the keypoint nuisances and gives each
    rendered scene its ``detections``. The people are cut out with the model at Ultralytics'
    own settings, as for the tracking scenes, so the figures do not change with the node's.
    """

    def __init__(self, estimator, people=('bus_coat', 'bus_black')):
        from pose_ros import model_loading
        from pose_ros.pose_estimator import PoseEstimator
        cutouts = load_repo_tool('bench/person_cutouts.py')
        self.estimator = estimator
        cutter = PoseEstimator(model_loading.resolve_model_path(model_loading.DEFAULT_MODEL),
                               device='cpu')
        self.cutouts = cutouts.cut_out_people(cutter, people)
        self.background = cutouts.street_background(pathlib.Path(VTEST), WIDTH, HEIGHT)

    def render(self, scene: RgbdScene, seed: int = 0) -> RenderedScene:
        """Return the colour image, the depth in metres and the truth of ``scene``."""
        rng = np.random.default_rng(seed)
        camera = camera_model(scene.distortion)
        colour = self.background.astype(np.float32)
        depth = np.full((HEIGHT, WIDTH), float(scene.wall), np.float64)
        owner = np.full((HEIGHT, WIDTH), -1, np.int32)
        figures = [None] * len(scene.figures)
        for index in sorted(range(len(scene.figures)), key=lambda i: -scene.figures[i].distance):
            figure = scene.figures[index]
            cutout = self.cutouts[figure.cutout]
            warp, box, keypoints = _placement(figure, cutout)
            pixels = cv2.warpAffine(cutout.image, warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
            alpha = cv2.warpAffine(cutout.alpha, warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
            colour = colour * (1 - alpha[..., None]) + pixels * alpha[..., None]
            mask = alpha > 0.5
            depth[mask] = figure.distance
            owner[mask] = index
            figures[index] = FigureTruth(figure.distance, np.clip(box, 0, [WIDTH, HEIGHT] * 2),
                                         keypoints, keypoints, None, mask)
        for index, truth in enumerate(figures):
            truth.mask = owner == index
            torso = truth.keypoints[list(TORSO)]
            centre = torso[torso[:, 2] > KEYPOINT_SURE, :2].mean(axis=0)
            truth.position = exact_back_project(camera, centre, truth.distance)[0]
        colour = np.clip(colour + rng.normal(0.0, 2.0, colour.shape), 0, 255).astype(np.uint8)
        rendered = RenderedScene(scene, colour, None, figures, camera)
        # Holes and hands go where the model will look: at the keypoints it finds here.
        detections = self.estimator.predict(colour)
        rendered.detections = detections
        for index, figure in zip(match_figures(rendered, detections.boxes), detections.keypoints):
            if index is not None:
                figures[index].targets = np.asarray(figure, np.float64)
        rendered.depth = _add_nuisances(depth, owner, figures, scene, rng).astype(np.float32)
        return rendered


def _placement(figure, cutout):
    """Return the affine warp, box and keypoints of a cut-out placed as ``figure`` says."""
    fx, fy, cx, cy = K[0], K[4], K[2], K[5]
    box_height_px = cutout.box[3] - cutout.box[1]
    scale = fy * figure.box_height / (figure.distance * box_height_px)
    left = cx + fx * figure.lateral / figure.distance - scale * (cutout.box[2] / 2)
    top = cy + fy * figure.top / figure.distance
    warp = np.array([[scale, 0, left], [0, scale, top]], np.float64)
    box = np.array([left, top, left + scale * cutout.box[2], top + scale * cutout.box[3]])
    keypoints = cutout.keypoints.copy()
    keypoints[:, :2] = keypoints[:, :2] * scale + (left, top)
    return warp, box, keypoints


def _add_nuisances(depth, owner, figures, scene, rng):
    n = scene.nuisances
    person = owner >= 0
    if n.misalign != (0, 0):
        shift = np.float32([[1, 0, n.misalign[0]], [0, 1, n.misalign[1]]])
        depth = cv2.warpAffine(depth, shift, (WIDTH, HEIGHT), flags=cv2.INTER_NEAREST,
                               borderMode=cv2.BORDER_REPLICATE)
        owner = cv2.warpAffine(owner.astype(np.float32), shift, (WIDTH, HEIGHT),
                               flags=cv2.INTER_NEAREST,
                               borderMode=cv2.BORDER_REPLICATE).astype(np.int32)
        person = owner >= 0
    if n.erode:
        size = 2 * n.erode + 1
        thinner = cv2.erode(person.astype(np.uint8), np.ones((size, size), np.uint8)) > 0
        depth[person & ~thinner] = scene.wall
        person = thinner
    if n.hands_at_silhouette:
        for truth in figures:
            for wrist in WRISTS:
                x, y, confidence = truth.targets[wrist]
                if confidence > KEYPOINT_SURE:
                    hole = np.zeros(depth.shape, np.uint8)
                    cv2.circle(hole, (int(round(x)), int(round(y))), 3, 1, -1)
                    depth[hole > 0] = scene.wall
                    person[hole > 0] = False
    if n.flying:
        size = 2 * n.flying + 1
        kernel = np.ones((size, size), np.uint8)
        band = (cv2.dilate(person.astype(np.uint8), kernel) > 0) & \
            ~(cv2.erode(person.astype(np.uint8), kernel) > 0)
        near = cv2.erode(depth.astype(np.float32), kernel)      # min: the person's depth
        far = cv2.dilate(depth.astype(np.float32), kernel)      # max: the wall's
        flying = band & (rng.random(depth.shape) < 0.6)
        mix = rng.random(depth.shape)
        depth = np.where(flying, near + mix * (far - near), depth)
    if n.noise or n.correlated_noise:
        z2 = np.square(depth)
        smooth = cv2.GaussianBlur(rng.normal(0.0, 1.0, depth.shape), (0, 0), 2.5)
        smooth /= max(smooth.std(), 1e-9)
        depth = depth + z2 * (n.noise * rng.normal(0.0, 1.0, depth.shape)
                              + n.correlated_noise * smooth)
    if n.holes:
        for index, truth in enumerate(figures):
            area = np.count_nonzero(owner == index)
            holes = np.zeros(depth.shape, np.uint8)
            ys, xs = np.nonzero(owner == index)
            while xs.size and np.count_nonzero(holes & (owner == index)) < n.holes * area:
                pick = rng.integers(xs.size)
                axes = tuple(int(v) for v in rng.integers(2, 9, 2))
                cv2.ellipse(holes, (int(xs[pick]), int(ys[pick])), axes,
                            float(rng.uniform(0, 180)), 0, 360, 1, -1)
            depth[holes > 0] = np.nan
    for truth in figures:
        for joint in n.keypoint_holes:
            x, y, confidence = truth.targets[joint]
            if confidence > KEYPOINT_SURE:
                hole = np.zeros(depth.shape, np.uint8)
                cv2.circle(hole, (int(round(x)), int(round(y))), 6, 1, -1)
                depth[hole > 0] = np.nan
    if n.shadow:
        left_edge = person & ~np.roll(person, 1, axis=1)
        shadow = np.zeros(depth.shape, bool)
        for step in range(1, n.shadow + 1):
            shadow |= np.roll(left_edge, -step, axis=1)
        depth[shadow & ~person] = np.nan
    return depth


@dataclass
class Evaluation:
    """Errors of the 3D stage on rendered scenes, gathered over persons and keypoints."""

    errors: list = field(default_factory=list)        # metres, per published 3D keypoint
    confident: int = 0          # 2D keypoints at or above the confidence threshold
    nan: int = 0                # ... of those without a 3D point
    wrong: int = 0              # ... of those with a 3D point more than WRONG from the truth
    position_errors: list = field(default_factory=list)   # metres, per matched person
    persons: int = 0            # persons published
    matched: int = 0            # ... matched to a figure
    keypoints_3d_counts: list = field(default_factory=list)   # len(keypoints_3d) per person

    def add(self, other: 'Evaluation') -> None:
        """Add another evaluation's counts to this one."""
        for name in ('errors', 'position_errors', 'keypoints_3d_counts'):
            getattr(self, name).extend(getattr(other, name))
        for name in ('confident', 'nan', 'wrong', 'persons', 'matched'):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict:
        """Return median and p95 in mm, shares of NaN and wrong, and position errors."""
        errors = np.asarray(self.errors) * 1000.0
        positions = np.asarray(self.position_errors) * 1000.0
        share = (lambda n: n / self.confident) if self.confident else (lambda n: float('nan'))
        return {
            'keypoints': self.confident,
            'median_mm': float(np.median(errors)) if errors.size else float('nan'),
            'p95_mm': float(np.percentile(errors, 95)) if errors.size else float('nan'),
            'max_mm': float(errors.max()) if errors.size else float('nan'),
            'nan_share': share(self.nan),
            'wrong_share': share(self.wrong),
            'wrong': self.wrong,
            'position_max_mm': float(positions.max()) if positions.size else float('nan'),
            'position_median_mm': float(np.median(positions)) if positions.size
            else float('nan'),
            'persons': self.persons,
            'matched': self.matched,
        }


WRONG = 0.3   # metres: a 3D keypoint further than this from the truth is wrong


def match_figures(rendered: RenderedScene, boxes) -> list:
    """Return, per detected box, the index of the figure it shows (IoU >= 0.5) or None."""
    matches = []
    for box in np.asarray(boxes, np.float64).reshape(-1, 4):
        ious = [_iou(box, truth.box) for truth in rendered.figures]
        best = int(np.argmax(ious)) if ious else None
        matches.append(best if best is not None and ious[best] >= 0.5 else None)
    return matches


def evaluate(rendered: RenderedScene, persons, min_confidence: float) -> Evaluation:
    """Compare persons with 3D (TrackedPerson) against the scene's exact truth."""
    result = Evaluation()
    matches = match_figures(rendered, [p.box for p in persons])
    for person, figure in zip(persons, matches):
        result.persons += 1
        points = None if person.keypoints_3d is None else np.asarray(person.keypoints_3d)
        result.keypoints_3d_counts.append(0 if points is None else len(points))
        if figure is None or points is None:
            continue
        result.matched += 1
        keypoints = np.asarray(person.keypoints, np.float64)
        truth = rendered.truth_points(keypoints[:, :2], figure)
        confident = keypoints[:, 2] >= min_confidence
        found = np.all(np.isfinite(points[:, :3]), axis=1)
        error = np.linalg.norm(points[:, :3] - truth, axis=1)
        result.confident += int(np.count_nonzero(confident))
        result.nan += int(np.count_nonzero(confident & ~found))
        result.wrong += int(np.count_nonzero(found & (error > WRONG)))
        result.errors.extend(error[found].tolist())
        if np.all(np.isfinite(person.position)):
            result.position_errors.append(
                float(np.linalg.norm(person.position - rendered.figures[figure].position)))
        else:
            result.position_errors.append(float('inf'))
    return result


def _iou(a, b) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def naive_lift(persons, depth, camera, min_confidence, radius=0):
    """
    Set keypoints_3d the naive way, for comparison: the median depth of a window.

    ``radius`` 0 reads the one pixel under each keypoint. No person depth, no outlier
    rejection: what the 3D stage is measured against.
    """
    from pose_ros.depth.keypoint_depth import window_samples
    for person in persons:
        keypoints = np.asarray(person.keypoints, np.float64)
        samples = window_samples(depth, keypoints[:, :2], radius)
        with np.errstate(all='ignore'):
            z = np.array([np.nanmedian(row) if np.isfinite(row).any() else np.nan
                          for row in samples])
        z[keypoints[:, 2] < min_confidence] = np.nan
        points = camera.back_project(keypoints[:, :2], z)
        found = np.isfinite(z)
        person.keypoints_3d = np.column_stack([points, np.where(found, keypoints[:, 2], 0.0)])
        person.position = np.nanmedian(points, axis=0) if found.any() else np.full(3, np.nan)
    return persons
