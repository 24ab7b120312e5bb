"""The per-frame energy gate of a stream: voicing with an adaptive noise floor and hysteresis,
the DC blocker in front of it, and the framing every stream segmenter shares.

Kept apart as in silero-vad: :class:`EnergyGate` is the stateful per-frame step (levels, an
adaptive noise floor, hysteresis); the decisions on top (utterances in
:mod:`.utterances`, voiced windows in :mod:`.windows`) subclass
:class:`FramedGate`, which buffers the audio, splits it into whole frames and runs the gate.
Positions are absolute sample indices of the stream; every class has ``reset()``.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

import numpy as np

from ..audio.levels import frame_rms_db
from ..config import StreamSpec
from .buffer import AudioBuffer

#: Frames below this (dBFS) are digital silence (a gap, a muted source), not the room's noise:
#: they do not pull the noise floor down.
DIGITAL_SILENCE_DB = -120.0


class EnergyGate:
    """Per-frame voicing with an adaptive noise floor and two thresholds (hysteresis).

    The floor is the minimum frame level of the ``spec.floor_seconds`` *before* the frame being
    decided (so it drops at once when the room gets quieter and follows rising noise after
    that long). Before any level is known (the start of a stream, or only digital silence so
    far) the floor is ``spec.min_level_db - spec.start_db``: a frame above the absolute
    minimum may start speech, so speech from the very first sample is heard; steady noise
    there gives one voiced frame, far fewer than ``min_speech``.
    """

    def __init__(self, spec: StreamSpec, sample_rate: int) -> None:
        self.spec = spec
        self.frame_len = max(1, round(spec.frame_seconds * sample_rate))
        self._span = max(1, round(spec.floor_seconds / spec.frame_seconds))  # levels the floor covers
        # the sliding minimum of the last _span levels: (index, level) with increasing levels
        self._minima: deque[tuple[int, float]] = deque()
        self._count = 0
        self.initial_floor = spec.min_level_db - spec.start_db
        self.reset()

    def reset(self, keep_floor: bool = False) -> None:
        """Forget the state; with ``keep_floor`` the noise floor's history stays."""
        if not keep_floor:
            self._minima.clear()
            self.floor = self.initial_floor

    def _remember(self, level: float) -> None:
        """Add a level to the floor's history (O(1) amortised sliding minimum)."""
        while self._minima and self._minima[-1][1] >= level:
            self._minima.pop()
        self._minima.append((self._count, level))
        self._count += 1
        while self._minima[0][0] <= self._count - 1 - self._span:
            self._minima.popleft()

    def step(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frame levels (dBFS, (n,)) -> (above start threshold, above stop threshold), bool (n,).

        Each frame is decided against the floor of the frames before it, then remembered.
        """
        start = np.zeros(len(levels), dtype=bool)
        stop = np.zeros(len(levels), dtype=bool)
        for i, level in enumerate(levels):
            loud = level > self.spec.min_level_db
            start[i] = loud and level > self.floor + self.spec.start_db
            stop[i] = loud and level > self.floor + self.spec.stop_db
            if level > DIGITAL_SILENCE_DB:
                self._remember(float(level))
                self.floor = self._minima[0][1]
        return start, stop


#: Samples per vectorised piece of :class:`DCBlocker` (bounds pole**-n to ~1e14 at 8 kHz).
DC_PIECE = 2048


class DCBlocker:
    """One-pole high-pass at ``cutoff`` Hz: a DC offset or rumble must not look like speech.

    ``y[n] = x[n] - x[n-1] + pole * y[n-1]`` (scipy's ``lfilter([1, -1], [1, -pole])`` with its
    state carried), vectorised in numpy: within a piece of DC_PIECE samples
    ``y[n] = pole**n * (pole * y[-1] + cumsum(d / pole**k)[n])`` with ``d = diff(x)``.
    """

    def __init__(self, sample_rate: int, cutoff: float = 20.0) -> None:
        self.pole = float(np.exp(-2.0 * np.pi * cutoff / sample_rate))
        self._powers = self.pole ** np.arange(DC_PIECE, dtype=np.float64)
        self.reset()

    def reset(self) -> None:
        self._last_x = 0.0  # the previous input and output sample
        self._last_y = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Filtered float64 copy of ``x`` (n,); the state carries over to the next call."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        y = np.empty_like(x)
        for a in range(0, len(x), DC_PIECE):
            piece = x[a:a + DC_PIECE]
            powers = self._powers[:len(piece)]
            d = np.diff(piece, prepend=self._last_x)
            y[a:a + len(piece)] = powers * (self.pole * self._last_y + np.cumsum(d / powers))
            self._last_x, self._last_y = float(piece[-1]), float(y[a + len(piece) - 1])
        return y


#: What a FramedGate's frames complete (utterance mode: Segment; window mode's VoicedFrames: nothing).
Item = TypeVar("Item")


class FramedGate(Generic[Item]):
    """Common base of the stream decisions: buffer the audio, split it into whole frames of
    the DC-blocked stream, run the gate, and call :meth:`_frame` for each frame.

    Subclasses implement ``_frame(pos, start, stop) -> list`` (what the frame completes),
    ``_keep_from() -> int`` (the first sample still needed) and ``flush() -> list``.
    """

    def __init__(self, spec: StreamSpec, sample_rate: int) -> None:
        self.spec = spec
        self.sample_rate = sample_rate
        self.gate = EnergyGate(spec, sample_rate)
        self.dc = DCBlocker(sample_rate)
        self.buffer = AudioBuffer()
        self._framed = 0  # absolute index of the first sample not yet framed
        self.reset()

    def reset(self, position: int = 0, keep_floor: bool = False) -> None:
        self.gate.reset(keep_floor)
        self.dc.reset()
        self.buffer.reset(position)
        self._framed = position
        self._unframed = np.zeros(0)  # high-passed samples from _framed on

    def _seconds(self, seconds: float) -> int:
        return round(seconds * self.sample_rate)

    def push(self, block: np.ndarray) -> list[Item]:
        """Add mono samples (n,); return what this block completes."""
        self.buffer.append(block)
        self._unframed = np.concatenate([self._unframed, self.dc(block)])
        n = len(self._unframed) // self.gate.frame_len
        if n == 0:
            return []
        frames, self._unframed = np.split(self._unframed, [n * self.gate.frame_len])
        start, stop = self.gate.step(frame_rms_db(frames, self.sample_rate, self.spec.frame_seconds))
        out: list[Item] = []
        for i in range(n):
            pos = self._framed + i * self.gate.frame_len
            out.extend(self._frame(pos, bool(start[i]), bool(stop[i])))
        self._framed += n * self.gate.frame_len
        self.buffer.trim(self._keep_from())
        return out

    def gap(self, n_samples: int) -> list[Item]:
        """Samples were lost (queue overflow): close what is open and skip ``n_samples``."""
        out = self.flush()
        self.reset(self.buffer.end + max(0, n_samples), keep_floor=True)
        return out

    def _frame(self, pos: int, start: bool, stop: bool) -> list[Item]:
        raise NotImplementedError

    def _keep_from(self) -> int:
        raise NotImplementedError

    def flush(self) -> list[Item]:
        raise NotImplementedError
