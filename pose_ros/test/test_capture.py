# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The capture module without ROS: sources, the capture thread, pacing and stamps."""

import pathlib
import threading
import time

import cv2
import numpy as np
from pose_ros import capture
import pytest

# The shared data folder sits beside the checkout, or inside it on some machines.
_REPO = pathlib.Path(__file__).resolve().parents[2]
VTEST = next((folder / 'shared' / 'data' / 'vtest.avi' for folder in (_REPO.parent, _REPO)
              if (folder / 'shared' / 'data' / 'vtest.avi').is_file()),
             _REPO.parent / 'shared' / 'data' / 'vtest.avi')


def write_video(path, frame_count, fps=10.0):
    """Write the first ``frame_count`` frames of vtest.avi to ``path`` (MJPG) and return them."""
    reader = cv2.VideoCapture(str(VTEST))
    frames = [reader.read()[1] for _ in range(frame_count)]
    reader.release()
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return frames


class FlakyCamera(capture.FrameSource):
    """
    A camera stand-in that gets unplugged: real vtest frames, paced like a camera.

    It fails to open ``missing_at_start`` times, delivers ``fail_after`` frames, stops
    answering (unplugged), fails ``reopen_failures`` opens, then streams for good.
    """

    live = True
    description = 'camera flaky0'

    def __init__(self, fail_after=5, reopen_failures=2, missing_at_start=0, fps=50.0):
        self._video = capture.VideoFileSource(str(VTEST), 160, 120, loop=True)
        self._open_failures_left = missing_at_start
        self._reopen_failures = reopen_failures
        self._fail_after = fail_after
        self._period = 1.0 / fps
        self.opens = 0
        self.frames = 0
        self.recovered_at = None  # time.monotonic() of the reconnect

    def connect(self):
        if self._open_failures_left > 0:
            self._open_failures_left -= 1
            raise capture.SourceUnavailable(f'cannot open {self.description}')
        self._video.connect()
        self.opens += 1
        if self.opens == 2:
            self.recovered_at = time.monotonic()

    def read(self):
        time.sleep(self._period)
        if self.opens == 1 and self.frames >= self._fail_after:
            self._open_failures_left = self._reopen_failures
            raise capture.SourceUnavailable(f'{self.description} stopped delivering frames')
        self.frames += 1
        return self._video.read()

    def close(self):
        self._video.close()


def collect(worker, timeout=5.0, until=None):
    """Take frames from ``worker`` until it finishes, ``until(frames)`` holds, or timeout."""
    frames = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not worker.finished:
        if until is not None and until(frames):
            break
        frame = worker.take()
        if frame is None:
            time.sleep(0.005)
        else:
            frames.append(frame)
    return frames


class Events(list):
    """A thread-safe record of CaptureEvents."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()

    def __call__(self, event):
        with self._lock:
            self.append(event)

    def kinds(self):
        with self._lock:
            return [event.kind for event in self]


@pytest.fixture
def short_video(tmp_path):
    path = tmp_path / 'five.avi'
    write_video(path, 5)
    return path


@pytest.fixture
def image_folder(tmp_path):
    """Images whose names sort differently by characters and naturally; one unreadable."""
    folder = tmp_path / 'images'
    folder.mkdir()
    for number in (10, 2, 1):
        cv2.imwrite(str(folder / f'frame{number}.png'), np.full((60, 80, 3), number, np.uint8))
    (folder / 'frame3.jpg').write_text('not an image')
    (folder / 'notes.txt').write_text('not listed: no image extension')
    return folder


def test_make_source_picks_the_kind_of_source(tmp_path, short_video, image_folder):
    camera = capture.make_source('0')
    assert isinstance(camera, capture.CameraSource) and camera.device == 0 and camera.live
    assert capture.make_source('/dev/video3').device == '/dev/video3'
    assert isinstance(capture.make_source('rtsp://127.0.0.1/stream'), capture.CameraSource)
    video = capture.make_source(str(short_video))
    assert isinstance(video, capture.VideoFileSource) and not video.live
    assert isinstance(capture.make_source(str(image_folder)), capture.ImageFolderSource)
    glob_source = capture.make_source(str(image_folder / 'frame1*.png'))
    assert [pathlib.Path(p).name for p in glob_source.paths] == ['frame1.png', 'frame10.png']
    single = capture.make_source(str(image_folder / 'frame2.png'))
    assert isinstance(single, capture.ImageFolderSource) and len(single.paths) == 1


@pytest.mark.parametrize('name', ['missing.avi', 'missing_folder', 'missing_folder/*.jpg'])
def test_a_path_that_does_not_exist_is_a_configuration_error_naming_it(tmp_path, name):
    path = str(tmp_path / name)
    with pytest.raises(capture.ConfigurationError, match=path.replace('*', r'\*')):
        capture.make_source(path)


def test_an_empty_folder_or_source_is_a_configuration_error(tmp_path):
    with pytest.raises(capture.ConfigurationError, match='no image files'):
        capture.make_source(str(tmp_path))
    with pytest.raises(capture.ConfigurationError, match='empty'):
        capture.make_source('  ')


def test_a_file_that_is_not_a_video_fails_to_open(tmp_path):
    path = tmp_path / 'text.avi'
    path.write_text('not a video')
    source = capture.make_source(str(path))
    with pytest.raises(capture.ConfigurationError, match=str(path)):
        source.connect()
        source.read()


def test_video_file_gives_native_frames_and_rate():
    source = capture.VideoFileSource(str(VTEST))
    source.connect()
    try:
        assert source.native_fps == pytest.approx(10.0)
        frame = source.read()
        assert frame.shape == (576, 768, 3) and frame.dtype == np.uint8
    finally:
        source.close()


@pytest.mark.parametrize('width, height, expected', [
    (320, 0, (240, 320, 3)), (0, 144, (144, 192, 3)), (100, 50, (50, 100, 3))])
def test_video_file_is_resized_as_asked(width, height, expected):
    source = capture.VideoFileSource(str(VTEST), width, height)
    source.connect()
    try:
        assert source.read().shape == expected
    finally:
        source.close()


def test_target_size_keeps_native_or_aspect():
    assert capture.target_size(768, 576, 0, 0) == (768, 576)
    assert capture.target_size(768, 576, 384, 0) == (384, 288)
    assert capture.target_size(768, 576, 0, 288) == (384, 288)
    assert capture.target_size(768, 576, 10, 20) == (10, 20)


def test_short_video_ends_or_loops(short_video):
    source = capture.VideoFileSource(str(short_video))
    source.connect()
    frames = [source.read() for _ in range(5)]
    with pytest.raises(capture.EndOfStream, match='after 5 frames'):
        source.read()
    source.close()

    looping = capture.VideoFileSource(str(short_video), loop=True)
    looping.connect()
    again = [looping.read() for _ in range(12)]
    looping.close()
    assert np.array_equal(again[5], frames[0]) and np.array_equal(again[11], frames[1])


def test_image_folder_reads_in_natural_order_and_skips_unreadable(image_folder):
    source = capture.ImageFolderSource(str(image_folder), loop=True)
    source.connect()
    values = []
    for _ in range(5):
        try:
            values.append(int(source.read()[0, 0, 0]))
        except capture.UnreadableFrame as skipped:
            assert 'frame3.jpg' in str(skipped)
            values.append('skipped')
    assert values == [1, 2, 'skipped', 10, 1]


def test_image_folder_ends_without_loop(image_folder):
    source = capture.ImageFolderSource(str(image_folder / '*.png'), width=40)
    source.connect()
    assert [source.read().shape for _ in range(3)] == [(30, 40, 3)] * 3
    with pytest.raises(capture.EndOfStream):
        source.read()


def test_folder_without_a_readable_image_is_a_configuration_error(tmp_path):
    for name in ('a.jpg', 'b.png'):
        (tmp_path / name).write_text('broken')
    source = capture.ImageFolderSource(str(tmp_path), loop=True)
    source.connect()
    with pytest.raises(capture.UnreadableFrame):
        source.read()
    with pytest.raises(capture.ConfigurationError, match='no file .* is a readable image'):
        source.read()


def test_missing_camera_is_unavailable_and_named():
    source = capture.CameraSource('/dev/video97')
    for _ in range(2):  # the second attempt runs with OpenCV's own log silenced
        with pytest.raises(capture.SourceUnavailable, match='/dev/video97'):
            source.connect()
    assert cv2.utils.logging.getLogLevel() != cv2.utils.logging.LOG_LEVEL_SILENT


def test_worker_reads_a_file_one_frame_ahead_without_skipping(short_video):
    events = Events()
    worker = capture.CaptureWorker(capture.VideoFileSource(str(short_video)), on_event=events)
    worker.start()
    try:
        time.sleep(0.2)
        assert worker.frames_read == 1  # read ahead by one, then waits for the consumer
        frames = collect(worker)
    finally:
        worker.stop()
    assert [frame.index for frame in frames] == [0, 1, 2, 3, 4]
    assert worker.outcome == capture.ENDED and worker.finished
    assert events.kinds() == [capture.OPENED, capture.ENDED]
    assert 'after 5 frames' in events[-1].message


def test_worker_retries_a_camera_missing_at_start():
    events = Events()
    camera = FlakyCamera(fail_after=1000, missing_at_start=3)
    worker = capture.CaptureWorker(camera, reconnect_interval=0.02, on_event=events)
    worker.start()
    try:
        frames = collect(worker, until=lambda frames: len(frames) >= 3)
    finally:
        worker.stop()
    assert len(frames) >= 3
    assert events.kinds()[:4] == [capture.OPEN_FAILED] * 3 + [capture.OPENED]
    assert {event.level for event in events[:3]} == {'error'}
    assert 'flaky0' in events[0].message


def test_worker_reconnects_an_unplugged_camera_and_resumes():
    events = Events()
    camera = FlakyCamera(fail_after=5, reopen_failures=2)
    worker = capture.CaptureWorker(camera, reconnect_interval=0.02, on_event=events)
    worker.start()
    try:
        frames = collect(worker, until=lambda frames: len(frames) >= 10)
    finally:
        worker.stop()
    assert len(frames) >= 10 and camera.opens == 2
    assert events.kinds()[:5] == [capture.OPENED, capture.LOST, capture.OPEN_FAILED,
                                  capture.OPEN_FAILED, capture.RECONNECTED]
    assert events.kinds().count(capture.LOST) == 1
    assert events[1].level == 'warning' and 'stopped delivering' in events[1].message
    # After the warning, failed reopen attempts are not errors again.
    assert {event.level for event in events[2:4]} == {'debug'}
    stamps = [frame.stamp_ns for frame in frames]
    assert stamps == sorted(stamps)


def test_worker_keeps_only_the_newest_live_frame():
    worker = capture.CaptureWorker(FlakyCamera(fail_after=1000, fps=200))
    worker.start()
    try:
        time.sleep(0.3)
        frame = worker.take()
    finally:
        worker.stop()
    assert frame.index > 5 and worker.dropped >= frame.index - 1


def test_worker_stops_promptly_while_waiting_to_reconnect():
    worker = capture.CaptureWorker(capture.CameraSource('/dev/video97'), reconnect_interval=30)
    worker.start()
    time.sleep(0.1)
    start = time.monotonic()
    worker.stop()
    assert time.monotonic() - start < 1.0
    assert worker.outcome == capture.STOPPED and worker.finished


def test_worker_reports_a_configuration_error_as_failed(tmp_path):
    path = tmp_path / 'text.avi'
    path.write_text('not a video')
    events = Events()
    worker = capture.CaptureWorker(capture.VideoFileSource(str(path)), on_event=events)
    worker.start()
    collect(worker)
    worker.stop()
    assert worker.outcome == capture.FAILED
    assert events.kinds() == [capture.FAILED] and str(path) in events[0].message


def test_pace_monitor_says_once_that_a_source_is_too_slow():
    monitor = capture.PaceMonitor(asked_fps=20, window_s=2.0)
    reports = []
    for tick in range(200):  # 10 s of ticks at 20 Hz; a frame every second tick
        reports.append(monitor.tick(tick % 2 == 0, tick / 20))
    measured = [r for r in reports if r is not None]
    assert len(measured) == 1 and measured[0] == pytest.approx(10, rel=0.1)


def test_pace_monitor_is_quiet_for_a_source_that_keeps_up_or_has_not_started():
    monitor = capture.PaceMonitor(asked_fps=20, window_s=2.0)
    assert all(monitor.tick(False, tick / 20) is None for tick in range(100))
    assert all(monitor.tick(tick % 10 != 0, 5 + tick / 20) is None for tick in range(200))


def test_stamps_always_rise():
    assert capture.rising_stamp(5, None) == 5
    assert capture.rising_stamp(7, 5) == 7
    assert capture.rising_stamp(5, 5) == 6
    assert capture.rising_stamp(3, 5) == 6


def test_number_in_range_accepts_integers_and_names_bad_values():
    assert capture.number_in_range('fps', 10, 0.0, 100.0) == 10.0
    with pytest.raises(capture.ConfigurationError, match='fps'):
        capture.number_in_range('fps', -1, 0.0, 100.0)
    with pytest.raises(capture.ConfigurationError, match='fps'):
        capture.number_in_range('fps', 'fast', 0.0, 100.0)
