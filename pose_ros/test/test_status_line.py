# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""pose_node's info line: '1 person', at most one every few seconds, drops only when any."""

from pose_ros.status_line import people, StatusLine


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_one_person_and_many_people():
    assert (people(0), people(1), people(2)) == ('0 people', '1 person', '2 people')


def test_first_frame_at_once_then_one_line_per_period_with_new_drops_only():
    clock = Clock()
    status = StatusLine(period_s=5.0, clock=clock)
    assert status.update(1, 0.0, 0) == '1 person in view'
    lines = []
    for frame in range(120):  # 12 s at 10 FPS, 3 stale frames dropped on frame 30
        clock.now += 0.1
        lines.append(status.update(3, 9.8, 3 if frame >= 30 else 0))
    said = [line for line in lines if line]
    assert said == ['3 people in view, 9.8 FPS, 3 stale frames dropped',
                    '3 people in view, 9.8 FPS']


def test_restart_says_it_again_at_once():
    clock = Clock()
    status = StatusLine(period_s=5.0, clock=clock)
    assert status.update(2, 5.0, 7)
    clock.now += 1.0
    assert status.update(2, 5.0, 7) is None
    status.restart(dropped=7)
    assert status.update(0, 5.0, 8) == '0 people in view, 5.0 FPS, 1 stale frame dropped'
