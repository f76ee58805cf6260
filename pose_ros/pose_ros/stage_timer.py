# Copyright 2026 pose_ros contributors
# SPDX-License-Identifier: AGPL-3.0-only
"""Per-stage wall-clock timing of the frame pipeline, kept as running means."""

import contextlib
import time


class StageTimer:
    """Accumulate milliseconds per named stage; ``last`` holds the latest frame's values."""

    def __init__(self):
        self.totals = {}
        self.counts = {}
        self.last = {}

    @contextlib.contextmanager
    def stage(self, name):
        """Time the body of a ``with`` block as stage ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, (time.perf_counter() - start) * 1000.0)

    def add(self, name, milliseconds):
        """Record one measurement of ``name``."""
        self.totals[name] = self.totals.get(name, 0.0) + milliseconds
        self.counts[name] = self.counts.get(name, 0) + 1
        self.last[name] = milliseconds

    def means(self) -> dict:
        """Return the mean milliseconds of every stage seen so far."""
        return {name: self.totals[name] / self.counts[name] for name in self.totals}

    def reset(self):
        """Forget all measurements."""
        self.totals.clear()
        self.counts.clear()
        self.last.clear()
