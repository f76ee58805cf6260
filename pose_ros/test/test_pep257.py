# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""ament_pep257 over the package, as ROS 2's own packages do it."""

import pathlib

from ament_pep257.main import main
import pytest

PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.linter
@pytest.mark.pep257
def test_pep257():
    rc = main(argv=[str(PACKAGE_DIR), str(PACKAGE_DIR.parent / 'bench'),
                    str(PACKAGE_DIR.parent / 'tools')])
    assert rc == 0, 'Found code style errors / warnings'
