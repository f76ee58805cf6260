# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""
Every source file carries a copyright line and the license of its package.

ament_copyright has no PyPI wheel, so this is the same check done directly: pose_ros
files (and bench/, tools/) are AGPL-3.0-only, pose_ros_msgs files are Apache-2.0.
"""

import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
HEADER_LINES = 5


def _sources(*roots, suffixes=('.py',)):
    for root in roots:
        for path in sorted((REPO / root).rglob('*')):
            if path.suffix in suffixes and not {'__pycache__', 'out', 'artifacts'} & set(
                    path.relative_to(REPO).parts):
                yield path


def _header_problem(path, license_id):
    head = path.read_text(encoding='utf-8').splitlines()[:HEADER_LINES]
    if not any('Copyright' in line for line in head):
        return f'{path.relative_to(REPO)}: no copyright line in the first {HEADER_LINES} lines'
    if not any(f'SPDX-License-Identifier: {license_id}' in line for line in head):
        return f'{path.relative_to(REPO)}: no "SPDX-License-Identifier: {license_id}"'
    return None


@pytest.mark.copyright
@pytest.mark.linter
def test_copyright_pose_ros():
    files = list(_sources('pose_ros', 'bench', 'tools'))
    assert files, 'no sources found: the check would pass vacuously'
    problems = [p for p in (_header_problem(f, 'AGPL-3.0-only') for f in files) if p]
    assert not problems, '\n'.join(problems)


@pytest.mark.copyright
@pytest.mark.linter
def test_copyright_pose_ros_msgs():
    cmake = REPO / 'pose_ros_msgs' / 'CMakeLists.txt'
    problems = [_header_problem(cmake, 'Apache-2.0')]
    problems = [p for p in problems if p]
    assert not problems, '\n'.join(problems)


@pytest.mark.copyright
@pytest.mark.linter
def test_package_licenses_declared():
    assert '<license>AGPL-3.0-only</license>' in (REPO / 'pose_ros' / 'package.xml').read_text()
    assert '<license>Apache-2.0</license>' in (REPO / 'pose_ros_msgs' / 'package.xml').read_text()
    assert (REPO / 'pose_ros' / 'LICENSE').is_file()
    assert (REPO / 'pose_ros_msgs' / 'LICENSE').is_file()
