# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Seeded tracking scenes with known identities, in two splits: ``tuning`` and ``report``.

``scene(split, index)`` draws one sequence from its own seed; the two splits use disjoint
seeds, so tuning on one never sees the other. Each sequence has 2 to 8 people, real cut-outs
(``person_cutouts``) at several depths on the empty street of vtest.avi, drawn far ones first.
Its people come in episodes:

* ``cross``: two people meet and pass, at the same depth or at different depths (the far one
  is hidden); sometimes one stops or turns back while they overlap;
* ``behind``: a far person walks behind a nearer one for up to 2 s;
* ``side_by_side``: two people walk together, sometimes stopping together;
* ``pillar``: a person passes behind a pillar (hidden up to 2 s);
* ``walker``: one person walks, stops or turns back on their own.

Pairs wear similar clothing a third of the time (the same cut-out, the same colours).
Speeds run from 0 to 60 px per frame. Every frame gets camera noise and a little flicker.
The truth of a frame is each person's full box, the box of their visible pixels, and the
visible fraction.
"""

from dataclasses import dataclass, field

import cv2
import numpy as np

WIDTH, HEIGHT, FPS = 960, 540, 30.0
SPLIT_SEEDS = {'tuning': 100_000, 'report': 200_000}   # seed = split base + index
SEQUENCES = 50                  # per split
FRAMES = (60, 80)               # frames per sequence, inclusive
PEOPLE = (2, 8)
HORIZON = 0.45 * HEIGHT         # foot y at which a person would have no height
FOOT_Y = (0.6 * HEIGHT, 1.02 * HEIGHT)   # far to near
HEIGHT_PER_FOOT = 0.85 * HEIGHT / (HEIGHT - HORIZON)   # person height per px below horizon
MAX_HIDDEN_FRAMES = 2 * FPS     # longest full occlusion the generator plans
SIMILAR_CLOTHING = 1 / 3
CUTOUTS = ('bus_coat', 'bus_edge', 'bus_black')   # whole bodies (zidane.jpg's are half)
COLOUR_VARIANTS = 5             # 0: as photographed; others: other cloth colours
# (share, low, high) of walking speeds in px per frame
SPEEDS = ((0.35, 1.0, 5.0), (0.35, 5.0, 14.0), (0.2, 14.0, 30.0), (0.1, 30.0, 60.0))
EPISODES = (('cross', 0.4), ('behind', 0.15), ('side_by_side', 0.15), ('pillar', 0.1),
            ('walker', 0.2))


@dataclass
class Person:
    """One person: which cut-out, its colours, and where its feet are (frame, x, foot y)."""

    cutout: str
    variant: int
    waypoints: list     # [(frame, x, foot_y)], frames increasing; held before and after

    def position(self, frame: float) -> tuple:
        """Return (x, foot_y) at ``frame``, linear between waypoints."""
        frames = [w[0] for w in self.waypoints]
        x = np.interp(frame, frames, [w[1] for w in self.waypoints])
        y = np.interp(frame, frames, [w[2] for w in self.waypoints])
        return float(x), float(y)


@dataclass
class Scene:
    """One seeded sequence."""

    name: str
    seed: int
    frames: int
    people: list
    pillars: list = field(default_factory=list)   # [(x0, x1)] in front of everybody
    noise: float = 4.0
    episodes: list = field(default_factory=list)

    @property
    def description(self) -> str:
        """Return a one-line summary."""
        return f'{len(self.people)} people, {self.frames} frames: {", ".join(self.episodes)}'


def person_height(foot_y: float) -> float:
    """Return the on-screen height of a person whose feet are at ``foot_y``."""
    return HEIGHT_PER_FOOT * (foot_y - HORIZON)


def _speed(rng) -> float:
    shares = np.array([s[0] for s in SPEEDS])
    low, high = SPEEDS[rng.choice(len(SPEEDS), p=shares / shares.sum())][1:]
    return float(rng.uniform(low, high))


def _depth(rng) -> float:
    return float(rng.uniform(*FOOT_Y))


def _clothes(rng, similar_to=None) -> tuple:
    if similar_to is not None and rng.random() < SIMILAR_CLOTHING:
        return similar_to
    return str(rng.choice(CUTOUTS)), int(rng.integers(COLOUR_VARIANTS))


def _line(frames, x_at, t_at, speed, foot_y) -> list:
    """Waypoints of a straight walk through (t_at, x_at) at ``speed`` px/frame."""
    return [(0, x_at - speed * t_at, foot_y), (frames - 1, x_at + speed * (frames - 1 - t_at),
                                               foot_y)]


def _with_stop_or_turn(rng, waypoints, frames, at, allow=True) -> list:
    """Maybe make the walker stop for a while, or turn back, at frame ``at``."""
    if not allow or rng.random() < 0.5:
        return waypoints
    (t0, x0, y0), (t1, x1, y1) = waypoints
    speed = (x1 - x0) / max(1, t1 - t0)
    x_at = x0 + speed * (at - t0)
    if rng.random() < 0.5:   # stop for 10 to 45 frames, then go on
        pause = int(rng.integers(10, 46))
        return [(t0, x0, y0), (at, x_at, y0), (at + pause, x_at, y0),
                (t1 + pause, x_at + speed * (t1 - at), y1)]
    return [(t0, x0, y0), (at, x_at, y0), (t1, x_at - speed * (t1 - at), y1)]   # turn back


def _cross(rng, frames):
    meet = rng.uniform(0.3, 0.7) * (frames - 1)
    x_meet = rng.uniform(0.25, 0.75) * WIDTH
    first = _depth(rng)
    same_depth = rng.random() < 0.5
    if same_depth:
        second = float(np.clip(first + rng.uniform(-10, 10), *FOOT_Y))
    else:
        second = _depth(rng)
        while abs(second - first) < 40:
            second = _depth(rng)
    cutout_a = _clothes(rng)
    cutout_b = _clothes(rng, cutout_a)
    a = _line(frames, x_meet, meet, _speed(rng), first)
    b = _line(frames, x_meet, meet, -_speed(rng), second)
    if rng.random() < 0.5:
        a = _with_stop_or_turn(rng, a, frames, meet + rng.uniform(-8, 8))
    else:
        b = _with_stop_or_turn(rng, b, frames, meet + rng.uniform(-8, 8))
    label = 'cross (same depth)' if same_depth else 'cross (two depths)'
    return [Person(*cutout_a, a), Person(*cutout_b, b)], [], label


def _behind(rng, frames):
    near = rng.uniform(0.85, 1.0) * HEIGHT
    far = rng.uniform(FOOT_Y[0], near - 90)
    width_near, width_far = 0.3 * person_height(near), 0.3 * person_height(far)
    hidden = rng.uniform(10, MAX_HIDDEN_FRAMES)
    relative = max(0.5, (width_near - width_far) / hidden)
    speed = _speed(rng) * rng.choice([-1, 1])
    meet = rng.uniform(0.35, 0.65) * (frames - 1)
    x_meet = rng.uniform(0.3, 0.7) * WIDTH
    cutout_near = _clothes(rng)
    cutout_far = _clothes(rng, cutout_near)
    return ([Person(*cutout_near, _line(frames, x_meet, meet, speed, near)),
             Person(*cutout_far, _line(frames, x_meet, meet, speed + relative
                                       * rng.choice([-1, 1]), far))],
            [], f'behind ({hidden / FPS:.1f} s)')


def _side_by_side(rng, frames):
    foot = _depth(rng)
    other = float(np.clip(foot + rng.uniform(-30, 30), *FOOT_Y))
    gap = rng.uniform(0.2, 0.5) * person_height(foot)
    speed = _speed(rng) * rng.choice([-1, 1])
    middle = rng.uniform(0.3, 0.7) * WIDTH
    at = rng.uniform(0.3, 0.7) * (frames - 1)
    cutout_a = _clothes(rng)
    cutout_b = _clothes(rng, cutout_a)
    a = _line(frames, middle, at, speed, foot)
    b = _line(frames, middle + gap, at, speed, other)
    if rng.random() < 0.4:   # both stop together
        pause = int(rng.integers(10, 40))
        a, b = ([w[0], (at, w[0][1] + speed * at, w[0][2]),
                 (at + pause, w[0][1] + speed * at, w[0][2]),
                 (w[1][0] + pause, w[1][1], w[1][2])] for w in (a, b))
    return [Person(*cutout_a, a), Person(*cutout_b, b)], [], 'side by side'


def _pillar(rng, frames):
    width = rng.uniform(50, 160)
    x0 = rng.uniform(0.15, 0.85) * WIDTH - width / 2
    foot = _depth(rng)
    speed = max(_speed(rng), width / MAX_HIDDEN_FRAMES * 1.5) * rng.choice([-1, 1])
    meet = rng.uniform(0.3, 0.7) * (frames - 1)
    waypoints = _line(frames, x0 + width / 2, meet, speed, foot)
    waypoints = _with_stop_or_turn(rng, waypoints, frames, meet, allow=rng.random() < 0.3)
    return [Person(*_clothes(rng), waypoints)], [(x0, x0 + width)], 'pillar'


def _walker(rng, frames):
    foot = _depth(rng)
    speed = _speed(rng) * rng.choice([-1, 1])
    x = rng.uniform(0.1, 0.9) * WIDTH
    at = rng.uniform(0.2, 0.8) * (frames - 1)
    waypoints = _with_stop_or_turn(rng, _line(frames, x, at, speed, foot), frames, at)
    return [Person(*_clothes(rng), waypoints)], [], 'walker'


def scene(split: str, index: int) -> Scene:
    """Return sequence ``index`` of ``split`` ('tuning' or 'report'), drawn from its seed."""
    seed = SPLIT_SEEDS[split] + index
    rng = np.random.default_rng(seed)
    frames = int(rng.integers(FRAMES[0], FRAMES[1] + 1))
    wanted = int(rng.integers(PEOPLE[0], PEOPLE[1] + 1))
    makers = {'cross': _cross, 'behind': _behind, 'side_by_side': _side_by_side,
              'pillar': _pillar, 'walker': _walker}
    shares = np.array([e[1] for e in EPISODES])
    people, pillars, episodes = [], [], []
    while len(people) < wanted:
        name = EPISODES[rng.choice(len(EPISODES), p=shares / shares.sum())][0]
        if name in ('cross', 'behind', 'side_by_side') and wanted - len(people) < 2:
            name = 'walker'
        new_people, new_pillars, label = makers[name](rng, frames)
        people += new_people
        pillars += new_pillars
        episodes.append(label)
    return Scene(f'{split}_{index:03d}', seed, frames, people, pillars,
                 noise=float(rng.uniform(2.0, 8.0)), episodes=episodes)


def scenes(split: str) -> list:
    """Return every Scene of ``split``."""
    return [scene(split, index) for index in range(SEQUENCES)]


@dataclass
class Truth:
    """Ground truth of one frame for P persons."""

    ids: np.ndarray            # (P,) person numbers 0..P-1
    boxes: np.ndarray          # (P, 4) full box (clipped to the image)
    visible_boxes: np.ndarray  # (P, 4) box of the visible pixels (zeros when hidden)
    visibility: np.ndarray     # (P,) visible fraction of the person
    keypoints: np.ndarray      # (P, 17, 3) keypoints moved with the person (0: hidden)


TINTS = ((0, 0, 0), (60, 10, -20), (-20, 40, 10), (10, -10, 60), (40, 40, 40))   # BGR


def recoloured(cutout, variant: int):
    """Return the cut-out's pixels in other cloth colours (``variant`` 0: unchanged)."""
    if variant == 0:
        return cutout.image
    hsv = cv2.cvtColor(cutout.image, cv2.COLOR_BGR2HSV)
    hue = hsv[..., 0].astype(int)
    skin = (hsv[..., 1] > 40) & ((hue < 25) | (hue > 165)) & (hsv[..., 2] > 80)
    coloured = (hsv[..., 1] > 50) & ~skin
    hsv[..., 0] = np.where(coloured, (hue + 36 * variant) % 180, hue)
    image = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR).astype(np.int16)
    tint = np.array(TINTS[variant % len(TINTS)], np.int16)
    image = np.where(skin[..., None], image, image + tint)   # dark and grey cloth too
    return np.clip(image, 0, 255).astype(np.uint8)


class Renderer:
    """Draws the frames of one Scene: cut-outs, pillars, noise; and its truth."""

    def __init__(self, scene_: Scene, cutouts: dict, background: np.ndarray):
        self.scene = scene_
        self.cutouts = cutouts
        self.background = background.astype(np.float32)
        self.rng = np.random.default_rng(scene_.seed + 7)
        self.images = {}
        self.pillar_mask = np.zeros((HEIGHT, WIDTH), np.float32)
        for x0, x1 in scene_.pillars:
            self.pillar_mask[:, max(0, int(x0)):max(0, int(x1))] = 1.0
        shade = np.linspace(0.8, 1.1, WIDTH, dtype=np.float32)[None, :, None]
        self.pillar_pixels = np.full((HEIGHT, WIDTH, 3), (120, 128, 135), np.float32) * shade
        self.pillar_columns = np.flatnonzero(self.pillar_mask[0] > 0)
        # camera noise: windows of one larger noise field, a fresh offset every frame
        self.noise = self.rng.standard_normal((HEIGHT + 64, WIDTH + 64, 3), np.float32)

    def _image(self, person: Person, facing_left: bool):
        key = (person.cutout, person.variant, facing_left)
        if key not in self.images:
            cutout = self.cutouts[person.cutout]
            image, alpha = recoloured(cutout, person.variant), cutout.alpha
            keypoints = cutout.keypoints.copy()
            if facing_left:
                image, alpha = image[:, ::-1].copy(), alpha[:, ::-1].copy()
                keypoints[:, 0] = cutout.box[2] - keypoints[:, 0]
                keypoints = keypoints[[0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]]
            self.images[key] = (image, alpha, keypoints)
        return self.images[key]

    def _facing_left(self, person: Person, index: int) -> bool:
        for back in range(index, -1, -1):
            step = person.position(back + 1)[0] - person.position(back)[0]
            if abs(step) > 1e-6:
                return step < 0
        return False

    def render(self, index: int) -> tuple:
        """Return (BGR frame, Truth) of frame ``index``."""
        count = len(self.scene.people)
        canvas = self.background.copy()
        order = sorted(range(count), key=lambda p: self.scene.people[p].position(index)[1])
        alphas = {}
        boxes = np.zeros((count, 4))
        keypoints = np.zeros((count, 17, 3))
        areas = np.zeros(count)
        for number in order:
            person = self.scene.people[number]
            x, foot = person.position(index)
            cutout = self.cutouts[person.cutout]
            image, alpha, crop_keypoints = self._image(person, self._facing_left(person, index))
            scale = person_height(foot) / cutout.box[3]
            offset = np.array([x - scale * cutout.box[2] / 2, foot - scale * cutout.box[3]])
            warp = np.array([[scale, 0, offset[0]], [0, scale, offset[1]]])
            full = cv2.warpAffine(alpha, warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
            box = np.array([offset[0], offset[1], offset[0] + scale * cutout.box[2],
                            offset[1] + scale * cutout.box[3]])
            x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
            x1, y1 = min(WIDTH, int(np.ceil(box[2])) + 1), min(HEIGHT, int(np.ceil(box[3])) + 1)
            if x1 > x0 and y1 > y0:
                shifted = warp.copy()
                shifted[:, 2] -= (x0, y0)
                pixels = cv2.warpAffine(image, shifted, (x1 - x0, y1 - y0),
                                        flags=cv2.INTER_LINEAR).astype(np.float32)
                a = full[y0:y1, x0:x1, None]
                canvas[y0:y1, x0:x1] = canvas[y0:y1, x0:x1] * (1 - a) + pixels * a
            alphas[number] = (full, (x0, y0, max(x0, x1), max(y0, y1)))
            boxes[number] = np.clip(box, 0, [WIDTH, HEIGHT, WIDTH, HEIGHT])
            areas[number] = alpha.sum() * scale ** 2
            keypoints[number, :, :2] = crop_keypoints[:, :2] * scale + offset
            keypoints[number, :, 2] = crop_keypoints[:, 2]
        if self.pillar_columns.size:
            columns = self.pillar_columns
            canvas[:, columns] = self.pillar_pixels[:, columns]
        canvas *= self.rng.normal(1.0, 0.01)   # flicker
        dy, dx = self.rng.integers(0, 64, 2)
        canvas += self.noise[dy:dy + HEIGHT, dx:dx + WIDTH] * self.scene.noise
        frame = np.clip(canvas, 0, 255).astype(np.uint8)
        return frame, self._truth(order, alphas, boxes, areas, keypoints)

    def _truth(self, order, alphas, boxes, areas, keypoints) -> Truth:
        count = len(order)
        visible_boxes = np.zeros((count, 4))
        visibility = np.zeros(count)
        for rank, number in enumerate(order):
            full, (x0, y0, x1, y1) = alphas[number]
            shown = full[y0:y1, x0:x1] * (1 - self.pillar_mask[y0:y1, x0:x1])
            for nearer in order[rank + 1:]:
                shown *= 1 - alphas[nearer][0][y0:y1, x0:x1]
            visibility[number] = shown.sum() / max(areas[number], 1e-6)
            ys, xs = np.nonzero(shown > 0.5)
            if xs.size:
                visible_boxes[number] = (x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1,
                                         y0 + ys.max() + 1)
            points = keypoints[number, :, :2]
            inside = ((points[:, 0] >= x0) & (points[:, 0] < x1) & (points[:, 1] >= y0)
                      & (points[:, 1] < y1))
            seen = np.zeros(17, bool)
            seen[inside] = shown[points[inside, 1].astype(int) - y0,
                                 points[inside, 0].astype(int) - x0] > 0.5
            keypoints[number, :, 2] = np.where(seen & (keypoints[number, :, 2] > 0.5),
                                               keypoints[number, :, 2], 0.0)
        return Truth(np.arange(count), boxes, visible_boxes, np.clip(visibility, 0, 1),
                     keypoints)
