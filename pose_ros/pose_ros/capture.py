# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Frame sources (camera, video file, image folder) and a capture thread, without ROS.

Every source has the same small interface: ``connect()``, ``read()`` (one BGR frame),
``close()``, plus ``live``, ``native_fps`` and ``description``. ``make_source`` picks the
source from one string, as the camera node's ``source`` parameter gives it.

CaptureWorker runs a source in a thread and keeps one frame ready in a slot, so that the
consumer never waits for a read. A live source (camera) overwrites the slot with the newest
frame; a recorded source (file, folder) reads exactly one frame ahead, so none is skipped.
The worker reconnects lost cameras and reports what happens as CaptureEvents.
"""

import dataclasses
import glob
import math
import os
import re
import sys
import threading
import time
from typing import Callable, Optional

import cv2
import numpy as np
from pose_ros.configuration_error import ConfigurationError

IMAGE_EXTENSIONS = ('.bmp', '.jpeg', '.jpg', '.pgm', '.png', '.ppm', '.tif', '.tiff', '.webp')
# Stated frame rates outside this range are treated as unknown.
_PLAUSIBLE_FPS = (0.1, 1000.0)


class SourceUnavailable(Exception):
    """A source that does not answer now but may later (camera absent or unplugged)."""


class EndOfStream(Exception):
    """A recorded source has no more frames."""


class UnreadableFrame(Exception):
    """One item of a source could not be read; the next one may be fine."""


def natural_key(text: str):
    """Sort key that orders 'frame2' before 'frame10'."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r'(\d+)', text)]


def target_size(native_width: int, native_height: int, width: int, height: int):
    """
    Return the (width, height) to deliver.

    0 keeps the native size; when only one of width and height is given, the other follows
    from the native aspect ratio.
    """
    if width <= 0 and height <= 0:
        return native_width, native_height
    if height <= 0:
        return width, max(1, round(native_height * width / native_width))
    if width <= 0:
        return max(1, round(native_width * height / native_height)), height
    return width, height


def resize_to(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Return ``image`` resized as target_size() says, or ``image`` itself if no change."""
    native_height, native_width = image.shape[:2]
    size = target_size(native_width, native_height, width, height)
    if size == (native_width, native_height):
        return image
    shrinking = size[0] * size[1] < native_width * native_height
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def plausible_fps(value) -> Optional[float]:
    """Return ``value`` as a frame rate, or None when it is missing or implausible."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if math.isfinite(value) and _PLAUSIBLE_FPS[0] <= value <= _PLAUSIBLE_FPS[1]:
        return value
    return None


def number_in_range(name: str, value, low: float, high: float) -> float:
    """Return ``value`` as a float, or raise ConfigurationError naming ``name`` and the range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f'{name} must be a number in [{low}, {high}], got {value!r}')
    if not low <= value <= high:
        raise ConfigurationError(f'{name} must be in [{low}, {high}], got {value}')
    return float(value)


def rising_stamp(candidate_ns: int, previous_ns: Optional[int]) -> int:
    """Return ``candidate_ns``, or 1 ns after ``previous_ns`` if it would not rise."""
    if previous_ns is None or candidate_ns > previous_ns:
        return candidate_ns
    return previous_ns + 1


class FrameSource:
    """The interface of all sources: connect (open), read BGR frames, close."""

    live = False  # True: frames happen in real time, stale ones are dropped
    description = ''  # names the device or path, for messages

    @property
    def native_fps(self) -> Optional[float]:
        """Frame rate the source states once open, or None when it has none."""
        return None

    def connect(self) -> None:
        """Open the source; raise SourceUnavailable (retry later) or ConfigurationError."""
        raise NotImplementedError

    def read(self) -> np.ndarray:
        """Return the next HxWx3 uint8 BGR frame; raise EndOfStream, SourceUnavailable, ..."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the source; it may be opened again."""


class _QuietOpenCV:
    """Silence OpenCV's own log while in effect (its warnings repeat on every retry)."""

    def __init__(self, quiet: bool):
        self._quiet = quiet
        self._previous = None

    def __enter__(self):
        if self._quiet:
            self._previous = cv2.utils.logging.getLogLevel()
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

    def __exit__(self, *exc):
        if self._previous is not None:
            cv2.utils.logging.setLogLevel(self._previous)


class _OpenCVSource(FrameSource):
    """What a camera and a video file share: one cv2.VideoCapture, opened and released."""

    _capture = None

    @property
    def native_fps(self) -> Optional[float]:
        """Frame rate the camera or the file states, or None."""
        if self._capture is None:
            return None
        return plausible_fps(self._capture.get(cv2.CAP_PROP_FPS))

    def close(self) -> None:
        """Release the capture; it may be opened again."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _open(self, target, backend, failure: Exception) -> cv2.VideoCapture:
        """Open ``target``; raise ``failure`` when OpenCV cannot."""
        self.close()
        capture = cv2.VideoCapture(target, backend)
        if not capture.isOpened():
            capture.release()
            raise failure
        self._capture = capture
        return capture

    def _next_frame(self):
        """Return OpenCV's (ok, frame) for the next frame of the open capture."""
        if self._capture is None:
            raise SourceUnavailable(f'{self.description} is not open')
        return self._capture.read()


class CameraSource(_OpenCVSource):
    """A V4L2 camera (index or /dev path) or a network stream URL, read with OpenCV."""

    live = True

    def __init__(self, device, width: int = 0, height: int = 0, fps: float = 0.0):
        self.device = device
        self.description = f'camera {device}'
        self._width, self._height, self._fps = width, height, fps
        self._attempts = 0

    def connect(self) -> None:
        """Open the camera and ask it for the configured size and rate."""
        target, backend = self._device_and_backend()
        # OpenCV explains a failure itself on the first attempt; retries would repeat it.
        with _QuietOpenCV(self._attempts > 0):
            self._attempts += 1
            capture = self._open(target, backend,
                                 SourceUnavailable(f'cannot open {self.description}'))
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, self._width),
                            (cv2.CAP_PROP_FRAME_HEIGHT, self._height),
                            (cv2.CAP_PROP_FPS, self._fps)):
            if value > 0:
                capture.set(prop, value)

    def read(self) -> np.ndarray:
        """Return the next camera frame; SourceUnavailable when the camera stopped answering."""
        ok, frame = self._next_frame()
        if not ok or frame is None:
            raise SourceUnavailable(f'{self.description} stopped delivering frames')
        return frame

    def _device_and_backend(self):
        if isinstance(self.device, str) and '://' in self.device:
            return self.device, cv2.CAP_ANY
        backend = cv2.CAP_V4L2 if sys.platform.startswith('linux') else cv2.CAP_ANY
        if isinstance(self.device, int):
            return self.device, backend
        # /dev/videoN and its by-id/by-path links, resolved anew at each (re)connect.
        match = re.fullmatch(r'/dev/video(\d+)', os.path.realpath(self.device))
        return (int(match.group(1)) if match else self.device), backend


class VideoFileSource(_OpenCVSource):
    """A video file, played once or in a loop, optionally resized."""

    def __init__(self, path: str, width: int = 0, height: int = 0, loop: bool = False):
        if not os.path.isfile(path):
            raise ConfigurationError(f'video file {path} does not exist')
        self.path = path
        self.description = f'video file {path}'
        self._width, self._height, self._loop = width, height, loop
        self._frames_since_open = 0

    def connect(self) -> None:
        """Open the file; ConfigurationError when OpenCV cannot read it as a video."""
        self._open(self.path, cv2.CAP_ANY,
                   ConfigurationError(f'cannot read {self.path} as a video'))
        self._frames_since_open = 0

    def read(self) -> np.ndarray:
        """Return the next frame, starting over at the end when looping."""
        ok, frame = self._next_frame()
        if not ok:
            if self._frames_since_open == 0:
                raise ConfigurationError(f'video file {self.path} has no frames')
            if not self._loop:
                raise EndOfStream(
                    f'end of video file {self.path} after {self._frames_since_open} frames')
            self.connect()  # reopening rewinds reliably; seeking is inexact in some containers
            return self.read()
        self._frames_since_open += 1
        return resize_to(frame, self._width, self._height)


class ImageFolderSource(FrameSource):
    """The images of a folder or a glob (or one image file), in natural name order."""

    def __init__(self, pattern: str, width: int = 0, height: int = 0, loop: bool = False):
        if os.path.isdir(pattern):
            paths = [os.path.join(pattern, name) for name in os.listdir(pattern)
                     if name.lower().endswith(IMAGE_EXTENSIONS)]
            what = f'image folder {pattern}'
        elif glob.has_magic(pattern):
            paths = glob.glob(pattern)
            what = f'image glob {pattern}'
        elif os.path.isfile(pattern):
            paths = [pattern]
            what = f'image {pattern}'
        else:
            raise ConfigurationError(f'image folder {pattern} does not exist')
        self.paths = sorted((p for p in paths if os.path.isfile(p)), key=natural_key)
        if not self.paths:
            raise ConfigurationError(
                f'{what} has no image files ({", ".join(IMAGE_EXTENSIONS)})')
        self.description = what
        self._width, self._height, self._loop = width, height, loop
        self._next = 0
        self._unreadable_in_a_row = 0

    def connect(self) -> None:
        """Start again at the first image."""
        self._next = 0

    def read(self) -> np.ndarray:
        """Return the next image; UnreadableFrame names a file that is not an image."""
        if self._next >= len(self.paths):
            if not self._loop:
                raise EndOfStream(f'end of {self.description} after {len(self.paths)} images')
            self._next = 0
        path = self.paths[self._next]
        self._next += 1
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            self._unreadable_in_a_row += 1
            if self._unreadable_in_a_row >= len(self.paths):
                raise ConfigurationError(f'no file of {self.description} is a readable image')
            raise UnreadableFrame(f'skipping {path}: not a readable image')
        self._unreadable_in_a_row = 0
        return resize_to(image, self._width, self._height)


def make_source(spec, width: int = 0, height: int = 0, fps: float = 0.0,
                loop: bool = False) -> FrameSource:
    """
    Return the source that ``spec`` names, or raise ConfigurationError.

    A number or a /dev path is a camera (so is a URL such as rtsp://...), a folder or a glob
    is a sequence of images, an image file is a one-image sequence, any other file a video.
    """
    spec = str(spec).strip()
    if not spec:
        raise ConfigurationError('source is empty: give a camera (0, /dev/video0), '
                                 'a video file, or an image folder or glob')
    if spec.isdigit():
        return CameraSource(int(spec), width, height, fps)
    if spec.startswith('/dev/') or '://' in spec:
        return CameraSource(spec, width, height, fps)
    path = os.path.expanduser(spec)
    if os.path.isdir(path) or glob.has_magic(path):
        return ImageFolderSource(path, width, height, loop)
    if os.path.isfile(path):
        if path.lower().endswith(IMAGE_EXTENSIONS):
            return ImageFolderSource(path, width, height, loop)
        return VideoFileSource(path, width, height, loop)
    raise ConfigurationError(
        f'source {spec} does not exist: expected a camera (0, /dev/video0), '
        'a video file, or an image folder or glob')


@dataclasses.dataclass(frozen=True)
class Frame:
    """One captured frame and when its read finished."""

    image: np.ndarray
    stamp_ns: int
    index: int  # frames read since the worker started, from 0


@dataclasses.dataclass(frozen=True)
class CaptureEvent:
    """Something the capture thread reports, with the log level it deserves."""

    kind: str
    level: str
    message: str


# CaptureEvent kinds
OPENED = 'opened'
OPEN_FAILED = 'open_failed'
LOST = 'lost'
RECONNECTED = 'reconnected'
SKIPPED = 'skipped'
ENDED = 'ended'
FAILED = 'failed'
# Worker outcomes
STOPPED = 'stopped'


class CaptureWorker:
    """Read a FrameSource in a thread into a one-frame slot, reconnecting when it drops."""

    def __init__(self, source: FrameSource, reconnect_interval: float = 1.0,
                 on_event: Optional[Callable[[CaptureEvent], None]] = None,
                 on_frame: Optional[Callable[[], None]] = None,
                 clock: Callable[[], int] = time.time_ns):
        self.source = source
        self.reconnect_interval = reconnect_interval
        self._on_event = (lambda event: None) if on_event is None else on_event
        self._on_frame = (lambda: None) if on_frame is None else on_frame
        self._clock = clock
        self._condition = threading.Condition()
        self._frame = None
        self._stopping = threading.Event()
        self._outcome = None
        self._thread = threading.Thread(
            target=self._run, name=f'capture {source.description}', daemon=True)
        self.frames_read = 0
        self.dropped = 0  # live frames overwritten before anyone took them

    def start(self) -> None:
        """Start the capture thread."""
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """
        Ask the thread to stop and wait up to ``timeout`` s; return whether it is over.

        A read or open under way is not interrupted: a source that hangs keeps the thread
        (and the source) busy until it returns, and only then is the source closed.
        """
        self._stopping.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def take(self) -> Optional[Frame]:
        """Return the waiting frame and empty the slot, or None at once if there is none."""
        with self._condition:
            frame, self._frame = self._frame, None
            self._condition.notify_all()
            return frame

    @property
    def outcome(self) -> Optional[str]:
        """None while capturing, then ENDED, FAILED or STOPPED."""
        return self._outcome

    @property
    def finished(self) -> bool:
        """Return True when the thread is over and its last frame was taken."""
        with self._condition:
            return self._outcome is not None and self._frame is None

    def _emit(self, kind: str, level: str, message: str) -> None:
        self._on_event(CaptureEvent(kind, level, message))

    def _run(self) -> None:
        try:
            outcome, level, message = self._capture_loop()
        except EndOfStream as end:
            outcome, level, message = ENDED, 'info', str(end)
        except ConfigurationError as error:
            outcome, level, message = FAILED, 'error', str(error)
        except Exception as error:  # an OpenCV error must end in a message, not a dead thread
            outcome, level, message = FAILED, 'error', \
                f'capture from {self.source.description} failed: {error!r}'
        finally:
            try:
                self.source.close()
            except Exception:  # closing a broken device must not hide why it broke
                pass
        with self._condition:
            self._outcome = outcome
            self._condition.notify_all()
        if outcome != STOPPED:
            self._emit(outcome, level, message)

    def _capture_loop(self):
        ever_opened = False
        while not self._stopping.is_set():
            try:
                self.source.connect()
            except SourceUnavailable as error:
                # Errors until the source first worked; after a loss the warning said it all.
                self._emit(OPEN_FAILED, 'debug' if ever_opened else 'error',
                           f'{error}; retrying every {self.reconnect_interval:g} s')
                self._stopping.wait(self.reconnect_interval)
                continue
            if ever_opened:
                self._emit(RECONNECTED, 'info', f'{self.source.description} is back')
            else:
                fps = self.source.native_fps
                stated = f' ({fps:g} fps)' if fps else ''
                self._emit(OPENED, 'info', f'opened {self.source.description}{stated}')
            ever_opened = True
            try:
                self._stream()
            except SourceUnavailable as error:
                self._emit(LOST, 'warning', f'{error}; reconnecting every '
                                            f'{self.reconnect_interval:g} s')
                self.source.close()
                self._stopping.wait(self.reconnect_interval)
        return STOPPED, 'info', 'stopped'

    def _stream(self) -> None:
        while not self._stopping.is_set():
            if not self.source.live and not self._wait_for_empty_slot():
                return
            try:
                image = self.source.read()
            except UnreadableFrame as skipped:
                self._emit(SKIPPED, 'warning', str(skipped))
                continue
            frame = Frame(image, self._clock(), self.frames_read)
            self.frames_read += 1
            with self._condition:
                if self._frame is not None:
                    self.dropped += 1
                self._frame = frame
            self._on_frame()

    def _wait_for_empty_slot(self) -> bool:
        with self._condition:
            while self._frame is not None and not self._stopping.is_set():
                self._condition.wait(0.5)
        return not self._stopping.is_set()


class PaceMonitor:
    """
    Notice, once, that a source delivers fewer frames than the publish rate asks for.

    Call tick() at each publish tick. Counting starts with the first frame after a reset, so
    start-up and reconnection gaps do not count.
    """

    def __init__(self, asked_fps: float, window_s: float = 2.0, tolerance: float = 0.85):
        self.asked_fps = asked_fps
        self.window_s = window_s
        self.tolerance = tolerance
        self.reported = False
        self.reset()

    def reset(self) -> None:
        """Forget the current window (after a reconnect, for instance)."""
        self._start = None
        self._ticks = 0
        self._frames = 0

    def tick(self, got_frame: bool, now_s: float) -> Optional[float]:
        """Count one tick; return the measured rate the first time it falls short."""
        if self.reported:
            return None
        if self._start is None:
            if not got_frame:
                return None
            self._start = now_s
        self._ticks += 1
        self._frames += got_frame
        if now_s - self._start < self.window_s:
            return None
        ratio = self._frames / self._ticks
        self.reset()
        if ratio >= self.tolerance:
            return None
        self.reported = True
        return self.asked_fps * ratio
