# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
The depth that belongs to the person under each keypoint, robust at the silhouette.

One pixel under a keypoint is often wrong: a wrist at the silhouette samples the wall behind,
holes (no reading) sit where the sensor saw nothing, and flying pixels lie between person and
background. So each keypoint reads a small window, and only depths that make a surface count:

0. **Coherent samples only.** A sample counts when at least three of its eight neighbours
   agree with it (within the noise tolerance below): flying pixels and speckle have depths
   of their own, a surface agrees with itself.
1. **The person's own depth.** Windows at points inside the torso (shoulders and hips); the
   densest surface among their samples is the torso depth. Without a torso, the median of the
   keypoints' nearest surfaces stands in.
2. **Each keypoint.** In its window, a *surface* is a depth with at least ``min_support``
   samples within the sensor's noise tolerance (a few centimetres, growing with z²). Of the
   surfaces within the keypoint's anatomical
   reach of the torso depth (a wrist may lie 0.9 m in front of the chest, a shoulder 0.3 m),
   the nearest to the camera is the person's: a person occludes what is behind them, and a
   hand held in front of the chest is nearer than the chest. Its median (refined twice) is the
   keypoint's depth.
3. A keypoint with no such surface, or below the confidence threshold, stays NaN: no guess.
"""

from dataclasses import dataclass

import numpy as np

LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP = 5, 6, 11, 12
TORSO = (LEFT_SHOULDER, RIGHT_SHOULDER, RIGHT_HIP, LEFT_HIP)

# Metres a keypoint's surface may lie in front of (first) or behind (second) the torso's.
KEYPOINT_REACH = np.array([
    (0.35, 0.30), (0.35, 0.30), (0.35, 0.30), (0.35, 0.30), (0.35, 0.30),   # head
    (0.30, 0.30), (0.30, 0.30),                                              # shoulders
    (0.60, 0.40), (0.60, 0.40),                                              # elbows
    (0.90, 0.50), (0.90, 0.50),                                              # wrists
    (0.30, 0.30), (0.30, 0.30),                                              # hips
    (0.60, 0.50), (0.60, 0.50),                                              # knees
    (0.80, 0.60), (0.80, 0.60),                                              # ankles
])
# Torso sample points: the torso centre, and each torso keypoint drawn towards the centre.
_TOWARDS_CENTRE = (0.35, 0.65)


@dataclass
class DepthSampling:
    """How depth is read around keypoints (defaults suit RealSense-class sensors)."""

    window_radius: int = 4          # pixels: a (2r+1)^2 window per keypoint
    min_support: int = 4            # samples that make a surface
    tolerance: float = 0.03         # metres: samples this close are one surface ...
    tolerance_per_m2: float = 0.005  # ... plus this times z^2 (stereo noise grows with z^2)
    min_depth: float = 0.1          # metres: readings outside [min_depth, max_depth] are holes
    max_depth: float = 20.0
    min_neighbours: int = 3         # of its 8 neighbours that must agree for a sample to count

    def surface_tolerance(self, z):
        """Return the half-width in metres of one surface at depth ``z``."""
        return self.tolerance + self.tolerance_per_m2 * np.square(z)


def window_samples(depth: np.ndarray, points: np.ndarray, radius: int,
                   sampling: DepthSampling = None) -> np.ndarray:
    """
    Return the depths of a square window around each point: (..., (2r+1)^2), NaN for none.

    ``points`` is (..., 2) pixels (x, y); NaN points and pixels outside the image give NaN.
    """
    sampling = sampling or DepthSampling()
    points = np.asarray(points, np.float64)
    shape = points.shape[:-1]
    flat = points.reshape(-1, 2)
    offsets = np.arange(-radius, radius + 1)
    dx, dy = np.meshgrid(offsets, offsets)
    valid_point = np.all(np.isfinite(flat), axis=1)
    centre = np.where(valid_point[:, None], np.rint(np.nan_to_num(flat)), -10 ** 6)
    xs = centre[:, 0:1].astype(np.int64) + dx.ravel()[None, :]
    ys = centre[:, 1:2].astype(np.int64) + dy.ravel()[None, :]
    height, width = depth.shape
    inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
    samples = np.full(xs.shape, np.nan, np.float32)
    samples[inside] = depth[ys[inside], xs[inside]]
    samples[(samples < sampling.min_depth) | (samples > sampling.max_depth)] = np.nan
    return samples.reshape(*shape, xs.shape[1])


def coherent_samples(depth: np.ndarray, points: np.ndarray, radius: int,
                     sampling: DepthSampling = None) -> np.ndarray:
    """
    Return window_samples, less the samples that none of their neighbours agree with.

    A sample counts when at least ``min_neighbours`` of its 8 neighbours lie within its
    surface tolerance. Flying pixels between person and background have depths of their
    own, unlike their neighbours'; a surface, however noisy, agrees with itself.
    """
    sampling = sampling or DepthSampling()
    points = np.asarray(points, np.float64)
    size = 2 * radius + 3
    wide = window_samples(depth, points, radius + 1, sampling).reshape(-1, size, size)
    tolerance = sampling.surface_tolerance(wide)
    agreeing = np.zeros(wide.shape, np.int8)
    inner = wide[:, 1:-1, 1:-1]
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                neighbour = wide[:, 1 + dy:size - 1 + dy, 1 + dx:size - 1 + dx]
                with np.errstate(invalid='ignore'):
                    agreeing[:, 1:-1, 1:-1] += np.abs(neighbour - inner) <= \
                        tolerance[:, 1:-1, 1:-1]
    samples = np.where(agreeing >= sampling.min_neighbours, wide, np.nan)[:, 1:-1, 1:-1]
    return samples.reshape(*points.shape[:-1], (size - 2) ** 2)


def _sorted_support(samples, sampling):
    """
    Return the samples sorted per row (NaN last) and each one's support.

    Support: how many samples of the same row lie within its tolerance (0 for NaN). One
    searchsorted over all rows at once: each row is shifted by its own offset, far apart
    from the others, so the flattened array stays sorted.
    """
    ordered = np.sort(samples, axis=-1)
    rows = ordered.reshape(-1, ordered.shape[-1])
    finite = np.isfinite(rows)
    spacing = 4.0 * (sampling.max_depth + sampling.surface_tolerance(sampling.max_depth)) + 1.0
    offsets = np.arange(rows.shape[0], dtype=np.float64)[:, None] * spacing
    shifted = (np.where(finite, rows, spacing / 2.0) + offsets).ravel()
    tolerance = np.where(finite, sampling.surface_tolerance(np.nan_to_num(rows)), 0.0).ravel()
    support = (np.searchsorted(shifted, shifted + tolerance, side='right')
               - np.searchsorted(shifted, shifted - tolerance, side='left'))
    support = np.where(finite.ravel(), support, 0).reshape(ordered.shape)
    return ordered, support


def _refine(samples, seed, sampling, rounds=2):
    """Return the median of the samples around ``seed``, re-centred ``rounds`` times."""
    centre = seed
    for _ in range(rounds):
        tolerance = sampling.surface_tolerance(centre)[..., None]
        near = np.abs(samples - centre[..., None]) <= tolerance
        with np.errstate(all='ignore'):
            picked = np.where(near, samples, np.nan)
            counted = np.sum(near, axis=-1)
            centre = np.where(counted > 0,
                              _nanmedian(picked), np.nan)
    return centre


def _nanmedian(values):
    """Return the median of each row ignoring NaN (NaN for rows with nothing)."""
    if values.shape[-1] == 0:
        return np.full(values.shape[:-1], np.nan)
    ordered = np.sort(values, axis=-1)            # NaN sort last
    counts = np.sum(np.isfinite(values), axis=-1)
    low = np.clip((counts - 1) // 2, 0, None)
    high = np.clip(counts // 2, 0, None)
    low_value = np.take_along_axis(ordered, low[..., None], axis=-1)[..., 0]
    high_value = np.take_along_axis(ordered, high[..., None], axis=-1)[..., 0]
    return np.where(counts > 0, (low_value + high_value) / 2.0, np.nan)


def densest_surface(samples: np.ndarray, sampling: DepthSampling = None) -> np.ndarray:
    """Return the depth of the best-supported surface of each row of samples (NaN if none)."""
    sampling = sampling or DepthSampling()
    samples, support = _sorted_support(np.asarray(samples, np.float64), sampling)
    best = np.argmax(support, axis=-1)   # ties: the nearest
    seed = np.take_along_axis(samples, best[..., None], axis=-1)[..., 0]
    seed = np.where(np.max(support, axis=-1) >= sampling.min_support, seed, np.nan)
    return _refine(samples, seed, sampling)


def nearest_surface(samples: np.ndarray, low=None, high=None,
                    sampling: DepthSampling = None) -> np.ndarray:
    """
    Return the depth of the nearest supported surface of each row, within [low, high].

    ``low`` and ``high`` broadcast against the rows (NaN or None: no bound).
    """
    sampling = sampling or DepthSampling()
    samples, support = _sorted_support(np.asarray(samples, np.float64), sampling)
    candidate = support >= sampling.min_support
    with np.errstate(invalid='ignore'):
        if low is not None:
            low = np.asarray(low, np.float64)[..., None]
            candidate &= ~(samples < low)
        if high is not None:
            high = np.asarray(high, np.float64)[..., None]
            candidate &= ~(samples > high)
    seed = np.min(np.where(candidate, samples, np.inf), axis=-1)
    seed = np.where(np.isfinite(seed), seed, np.nan)
    refined = _refine(samples, seed, sampling)
    with np.errstate(invalid='ignore'):
        if low is not None:
            refined = np.where(refined < low[..., 0], np.nan, refined)
        if high is not None:
            refined = np.where(refined > high[..., 0], np.nan, refined)
    return refined


def torso_points(keypoints: np.ndarray, min_confidence: float) -> np.ndarray:
    """
    Return (P, 1 + 4 * 2, 2) pixels inside each person's torso, NaN where not available.

    The torso needs at least two confident torso keypoints (shoulders and hips); its points
    are their centre and each keypoint drawn part of the way towards that centre.
    """
    keypoints = np.asarray(keypoints, np.float64).reshape(-1, 17, 3)
    corners = keypoints[:, TORSO, :2].copy()
    seen = keypoints[:, TORSO, 2] >= min_confidence
    corners[~seen] = np.nan
    count = np.sum(seen, axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        centre = np.sum(np.where(seen[..., None], corners, 0.0), axis=1) / count[:, None]
    centre[count < 2] = np.nan
    points = [centre[:, None, :]]
    for fraction in _TOWARDS_CENTRE:
        points.append(corners + fraction * (centre[:, None, :] - corners))
    return np.concatenate(points, axis=1)


def torso_centre(keypoints: np.ndarray, min_confidence: float) -> np.ndarray:
    """Return (P, 2): the mean pixel of each person's confident torso keypoints (NaN if < 2)."""
    return torso_points(keypoints, min_confidence)[:, 0, :]


@dataclass
class PersonDepths:
    """Depths of P persons in metres; NaN where not trusted."""

    reference: np.ndarray    # (P,) the person's own depth: the torso's, else the fallback
    from_torso: np.ndarray   # (P,) bool: reference is the torso's depth
    keypoints: np.ndarray    # (P, 17) each keypoint's depth


def person_depths(depth: np.ndarray, keypoints: np.ndarray, min_confidence: float,
                  sampling: DepthSampling = None) -> PersonDepths:
    """
    Return the depths of every person and keypoint, NaN where not trusted.

    ``depth`` is an HxW array of metres aligned to the image of ``keypoints`` (P, 17, 3).
    Keypoints below ``min_confidence`` get NaN.
    """
    sampling = sampling or DepthSampling()
    keypoints = np.asarray(keypoints, np.float64).reshape(-1, 17, 3)
    count = keypoints.shape[0]
    if count == 0:
        return PersonDepths(np.zeros(0), np.zeros(0, bool), np.zeros((0, 17)))
    radius = sampling.window_radius
    confident = keypoints[:, :, 2] >= min_confidence
    pixels = np.where(confident[..., None], keypoints[:, :, :2], np.nan)
    samples = coherent_samples(depth, pixels, radius, sampling)         # (P, 17, K)

    torso_samples = coherent_samples(depth, torso_points(keypoints, min_confidence), radius,
                                     sampling).reshape(count, -1)
    reference = densest_surface(torso_samples, sampling)
    from_torso = np.isfinite(reference)
    missing = ~from_torso
    if np.any(missing):   # no torso: the median of the keypoints' nearest surfaces
        nearest = nearest_surface(samples[missing], sampling=sampling)
        with np.errstate(all='ignore'):
            reference[missing] = _nanmedian(nearest)

    low = reference[:, None] - KEYPOINT_REACH[None, :, 0]
    high = reference[:, None] + KEYPOINT_REACH[None, :, 1]
    depths = nearest_surface(samples, low, high, sampling)
    depths[~confident] = np.nan
    return PersonDepths(reference, from_torso, depths)
