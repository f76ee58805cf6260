# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""ament_flake8 over the package, as ROS 2's own packages do it."""

import pathlib

from ament_flake8.main import main_with_errors
import pytest

PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.flake8
@pytest.mark.linter
def test_flake8():
    rc, errors = main_with_errors(argv=[str(PACKAGE_DIR), str(PACKAGE_DIR.parent / 'bench'),
                                        str(PACKAGE_DIR.parent / 'tools')])
    assert rc == 0, f'Found {len(errors)} code style errors / warnings:\n' + '\n'.join(errors)
