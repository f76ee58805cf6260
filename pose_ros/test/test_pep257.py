# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""ament_pep257 over the package, as ROS 2's own packages do it."""

import pathlib

from ament_pep257.main import main
import pytest

PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1]
# The package, plus the repo's Python outside it (benchmarks and tools).
LINTED = [str(p) for p in (PACKAGE_DIR, PACKAGE_DIR.parent / 'bench',
                           PACKAGE_DIR.parent / 'tools') if p.is_dir()]


@pytest.mark.linter
@pytest.mark.pep257
def test_pep257():
    rc = main(argv=LINTED)
    assert rc == 0, 'Found code style errors / warnings'
