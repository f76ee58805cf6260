# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""A one-minute version of bench/soak.py: the pipeline stays up, bounded and responsive."""

import json
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_short_soak_of_the_pipeline(tmp_path):
    out = tmp_path / 'soak.json'
    run = subprocess.run(
        [sys.executable, str(REPO / 'bench' / 'soak.py'), '--minutes', '1', '--sample-s', '3',
         '--max-growth-mb', '64', '--quiet', '--out', str(out)],
        capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result['exit_code'] == 0 and not result['traceback']
    assert result['fps'] > 1.0 and result['ws_messages'] > 60
    assert result['latency_p95_ms'] < 2000
