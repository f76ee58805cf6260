# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""ament_flake8 over the package, as ROS 2's own packages do it."""

import pathlib

from ament_flake8.main import main_with_errors
import pytest

PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1]
# The package, plus the repo's Python outside it (benchmarks and tools).
LINTED = [str(p) for p in (PACKAGE_DIR, PACKAGE_DIR.parent / 'bench',
                           PACKAGE_DIR.parent / 'tools') if p.is_dir()]


@pytest.mark.flake8
@pytest.mark.linter
def test_flake8():
    rc, errors = main_with_errors(argv=LINTED)
    assert rc == 0, f'Found {len(errors)} code style errors / warnings:\n' + '\n'.join(errors)
