"""The per-frame energy gate of the segmenters: voicing with an adaptive noise floor and
hysteresis, and the DC blocker in front of it."""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy.signal import lfilter

from ..config import StreamSpec

#: Frames below this (dBFS) are digital silence (a gap, a muted source), not the room's noise:
#: they do not pull the noise floor down.
DIGITAL_SILENCE_DB = -120.0


class EnergyGate:
    """Per-frame voicing with an adaptive noise floor and two thresholds (hysteresis).

    The floor is the minimum frame level of the last ``spec.floor_seconds`` (so it drops at
    once when the room gets quieter and follows rising noise after that long).
    """

    def __init__(self, spec: StreamSpec, sample_rate: int) -> None:
        self.spec = spec
        self.frame_len = max(1, round(spec.frame_seconds * sample_rate))
        self._span = max(1, round(spec.floor_seconds / spec.frame_seconds))  # levels the floor covers
        # the sliding minimum of the last _span levels: (index, level) with increasing levels
        self._minima: deque[tuple[int, float]] = deque()
        self._count = 0
        self.reset()

    def reset(self, keep_floor: bool = False) -> None:
        """Forget the state; with ``keep_floor`` the noise floor's history stays."""
        if not keep_floor:
            self._minima.clear()
            self.floor = float("nan")

    def _remember(self, level: float) -> None:
        """Add a level to the floor's history (O(1) amortised sliding minimum)."""
        while self._minima and self._minima[-1][1] >= level:
            self._minima.pop()
        self._minima.append((self._count, level))
        self._count += 1
        while self._minima[0][0] <= self._count - 1 - self._span:
            self._minima.popleft()

    def step(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frame levels (dBFS, (n,)) -> (above start threshold, above stop threshold), bool (n,)."""
        start = np.zeros(len(levels), dtype=bool)
        stop = np.zeros(len(levels), dtype=bool)
        for i, level in enumerate(levels):
            if level > DIGITAL_SILENCE_DB:
                self._remember(float(level))
            self.floor = self._minima[0][1] if self._minima else float("nan")
            loud = level > self.spec.min_level_db
            start[i] = loud and level > self.floor + self.spec.start_db
            stop[i] = loud and level > self.floor + self.spec.stop_db
        return start, stop


class DCBlocker:
    """One-pole high-pass at ``cutoff`` Hz: a DC offset or rumble must not look like speech."""

    def __init__(self, sample_rate: int, cutoff: float = 20.0) -> None:
        pole = float(np.exp(-2.0 * np.pi * cutoff / sample_rate))
        self._b, self._a = np.array([1.0, -1.0]), np.array([1.0, -pole])
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros(1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Filtered float64 copy of ``x`` (n,); the state carries over to the next call."""
        y, self._state = lfilter(self._b, self._a, np.asarray(x, dtype=np.float64), zi=self._state)
        return y
