# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Pairing colour with depth by nearest stamp within depth_slop, without message_filters."""

import threading
import time

from pose_ros.depth.depth_pairing import (DepthPairing, NO_DEPTH_YET, PAIRED, STOPPED,
                                          TOO_FAR)
import pytest


class FakeClock:
    """A settable monotonic clock."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_nearest_stamp_within_the_slop_wins():
    pairing = DepthPairing(slop=0.05)
    for stamp in (10.0, 10.033, 10.066, 10.1):
        pairing.put(stamp, f'depth@{stamp}')
    result = pairing.nearest(10.07)
    assert result.paired and result.status == PAIRED
    assert result.item == 'depth@10.066'
    assert result.offset == pytest.approx(-0.004)
    assert pairing.nearest(10.05).item == 'depth@10.066'   # 16 ms beats 17 ms
    assert pairing.nearest(9.96).item == 'depth@10.0'


def test_outside_the_slop_nothing_is_paired_and_the_offset_is_told():
    pairing = DepthPairing(slop=0.05)
    pairing.put(10.0, 'a')
    result = pairing.nearest(10.2)
    assert not result.paired and result.item is None
    assert result.status == TOO_FAR and result.offset == pytest.approx(-0.2)
    assert pairing.nearest(9.9).status == TOO_FAR


def test_no_depth_at_all_says_so():
    result = DepthPairing(slop=0.05).nearest(1.0)
    assert result.status == NO_DEPTH_YET and not result.paired


def test_a_slop_of_zero_pairs_equal_stamps_only():
    pairing = DepthPairing(slop=0.0)
    pairing.put(5.0, 'exact')
    assert pairing.nearest(5.0).item == 'exact'
    assert not pairing.nearest(5.001).paired
    with pytest.raises(ValueError, match='depth_slop'):
        DepthPairing(slop=-0.1)


def test_waits_for_a_depth_frame_still_on_its_way():
    pairing = DepthPairing(slop=0.05)
    pairing.put(9.98, 'early')
    threading.Timer(0.05, pairing.put, args=(10.001, 'late')).start()
    start = time.monotonic()
    result = pairing.nearest(10.0, wait=1.0)
    assert result.item == 'late'
    assert time.monotonic() - start < 0.5


def test_never_waits_once_depth_has_stopped():
    clock = FakeClock()
    pairing = DepthPairing(slop=0.05, stopped_after=1.0, clock=clock)
    pairing.put(10.0, 'old')
    clock.now += 3.0
    start = time.monotonic()
    result = pairing.nearest(13.0, wait=2.0)
    assert time.monotonic() - start < 0.2
    assert result.status == STOPPED and result.silent_for == pytest.approx(3.0)


def test_the_buffer_is_bounded():
    pairing = DepthPairing(slop=0.05, keep=5)
    for index in range(100):
        pairing.put(index * 0.1, index)
    assert pairing.nearest(9.9).item == 99
    assert pairing.nearest(0.0).status == TOO_FAR   # long gone
    assert pairing.received == 100
    pairing.clear()
    assert pairing.nearest(9.9).status == NO_DEPTH_YET
