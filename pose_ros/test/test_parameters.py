# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""The parameter table without ROS: types, limits, messages, and agreement with the code."""

from pose_ros import parameters
from pose_ros.configuration_error import ConfigurationError
from pose_ros.parameters import BRIDGE, CAMERA, check, check_all, POSE, row_of, TABLES
import pytest


@pytest.mark.parametrize('node', list(TABLES))
def test_every_default_passes_its_own_check_and_names_are_unique(node):
    table = TABLES[node]
    assert len({row.name for row in table}) == len(table)
    for row in table:
        assert check(row, row.default) == row.default, row.name
        assert row.description, row.name
        if row.low is not None:
            assert row.kind in (int, float) and row.high is not None, row.name


def test_the_table_agrees_with_the_modules_that_use_the_values():
    from pose_ros.image_qos import IMAGE_QOS_CHOICES
    from pose_ros.model_loading import DEFAULT_MODEL
    from pose_ros.tracking import tracker_names, TrackerConfig
    assert row_of(POSE, 'tracker').choices == tracker_names()
    assert row_of(POSE, 'image_qos').choices == IMAGE_QOS_CHOICES
    assert row_of(POSE, 'model').default == DEFAULT_MODEL
    config = TrackerConfig()
    names = {'name': 'tracker', 'max_age': 'track_max_age', 'min_hits': 'track_min_hits',
             'keypoint_threshold': 'track_keypoint_threshold',
             'match_threshold': 'track_match_threshold',
             'appearance_weight': 'track_appearance_weight',
             'occluded_max_age': 'track_occluded_max_age'}
    for field in config.__dataclass_fields__:
        row = row_of(POSE, names.get(field, field))
        assert row.default == getattr(config, field), field


@pytest.mark.parametrize('table, name, value, says', [
    (BRIDGE, 'port', 'abc', 'parameter port:=abc is invalid: expected an integer from 0 to '
                            '65535'),
    (BRIDGE, 'port', 70000, 'port:=70000 is invalid: expected an integer from 0 to 65535'),
    (POSE, 'imgsz', 640.0, 'imgsz:=640.0 is invalid: expected an integer from 32 to 2048'),
    (POSE, 'imgsz', True, 'imgsz:=true is invalid: expected an integer'),
    (POSE, 'conf', 'high', 'conf:=high is invalid: expected a number from 0 to 1'),
    (POSE, 'conf', float('nan'), 'conf:=nan is invalid'),
    (POSE, 'half', 'maybe', 'half:=maybe is invalid: expected true or false'),
    (POSE, 'half', 1, 'half:=1 is invalid: expected true or false'),
    (POSE, 'tracker', 'sort', 'tracker:=sort is invalid: expected one of pose, bytetrack, '
                              'botsort, none'),
    (POSE, 'device', 'gpu', 'device:=gpu is invalid: expected auto, cpu, cuda or cuda:N'),
    (POSE, 'image_qos', 'fast', 'image_qos:=fast is invalid: expected one of auto, reliable, '
                                'best_effort'),
    (BRIDGE, 'mode', '', "mode:='' is invalid: expected one of server, client"),
    (BRIDGE, 'allowed_origins', [1, 2], 'allowed_origins:=[1, 2] is invalid: expected a list '
                                        'of strings'),
    (CAMERA, 'qos_reliability', 'sometimes', 'qos_reliability:=sometimes is invalid'),
    (CAMERA, 'loop', 'yes please', "loop:='yes please' is invalid: expected true or false"),
])
def test_a_bad_value_gives_one_line_naming_parameter_value_and_what_is_allowed(
        table, name, value, says):
    with pytest.raises(ConfigurationError) as raised:
        check(row_of(table, name), value)
    message = str(raised.value)
    assert says in message and '\n' not in message


@pytest.mark.parametrize('table, name, given, value', [
    (CAMERA, 'fps', 10, 10.0),             # an integer for a number
    (CAMERA, 'source', 0, '0'),            # rclpy reads source:=0 as an integer
    (POSE, 'device', 0, '0'),
    (POSE, 'device', 'CUDA:1', 'CUDA:1'),  # model_loading lowercases it
    (POSE, 'conf', 1, 1.0),
    (BRIDGE, 'token', 12345, '12345'),
    (BRIDGE, 'allowed_origins', ['http://a'], ('http://a',)),
])
def test_values_that_mean_the_obvious_are_converted(table, name, given, value):
    assert check(row_of(table, name), given) == value
    assert type(check(row_of(table, name), given)) is type(value)


def test_every_bad_value_is_named_in_one_line():
    with pytest.raises(ConfigurationError) as raised:
        check_all(BRIDGE, {'port': 'abc', 'mode': 'bogus', 'host': '0.0.0.0'})
    message = str(raised.value)
    assert 'port:=abc' in message and 'mode:=bogus' in message and '\n' not in message
    assert 'host' not in message


def test_only_the_run_time_thresholds_are_changeable():
    dynamic = {row.name for table in TABLES.values() for row in table if row.dynamic}
    assert dynamic == {'conf', 'iou', 'max_det', 'keypoint_conf'}
    descriptor = parameters.descriptor_of(row_of(POSE, 'conf'))
    assert not descriptor.read_only and descriptor.floating_point_range[0].to_value == 1.0
    descriptor = parameters.descriptor_of(row_of(POSE, 'tracker'))
    assert descriptor.read_only and 'bytetrack' in descriptor.additional_constraints


def test_show_writes_values_as_typed_after_the_colon_equals():
    assert parameters.show(True) == 'true'
    assert parameters.show('two words') == "'two words'"
    assert parameters.show(['a', 'b']) == '[a, b]'
