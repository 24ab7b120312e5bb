"""Cut a stream of mono audio into utterances (energy VAD); the framing all segmenters share.

Kept apart as in silero-vad: :class:`~ser_edge.stream.gate.EnergyGate` is the stateful
per-frame step (levels, an adaptive noise floor, hysteresis), the segmenters are the decision
state machines on top (:class:`UtteranceSegmenter` here, the window ones in :mod:`.windows`).
All positions are absolute sample indices of the stream; every class has ``reset()``.
Segmenters take blocks of any length (``push``) and carry the partial frame over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import StreamSpec
from ..frontend.activity import frame_rms_db
from .buffer import AudioBuffer
from .gate import DCBlocker, EnergyGate


@dataclass(frozen=True)
class Segment:
    """A piece of the stream to classify.

    ``start``/``end``: the speech (or window) in stream samples; ``samples``: mono float32 (n,)
    from ``audio_start``, including the context around the speech.
    """

    start: int
    end: int
    audio_start: int
    samples: np.ndarray
    decided_at: int


class FramedSegmenter:
    """Common base: buffer the audio, split it into whole frames, run the gate."""

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

    def push(self, block: np.ndarray) -> list[Segment]:
        """Add mono samples (n,); return the segments this block completes."""
        self.buffer.append(block)
        self._unframed = np.concatenate([self._unframed, self.dc(block)])
        n = len(self._unframed) // self.gate.frame_len
        if n == 0:
            return []
        frames, self._unframed = np.split(self._unframed, [n * self.gate.frame_len])
        start, stop = self.gate.step(frame_rms_db(frames, self.sample_rate, self.spec.frame_seconds))
        out: list[Segment] = []
        for i in range(n):
            pos = self._framed + i * self.gate.frame_len
            out.extend(self._frame(pos, bool(start[i]), bool(stop[i])))
        self._framed += n * self.gate.frame_len
        self.buffer.trim(self._keep_from())
        return out

    def gap(self, n_samples: int) -> list[Segment]:
        """Samples were lost (queue overflow): close what is open and skip ``n_samples``."""
        out = self.flush()
        self.reset(self.buffer.end + max(0, n_samples), keep_floor=True)
        return out

    def _frame(self, pos: int, start: bool, stop: bool) -> list[Segment]:
        raise NotImplementedError

    def _keep_from(self) -> int:
        raise NotImplementedError

    def flush(self) -> list[Segment]:
        raise NotImplementedError


class UtteranceSegmenter(FramedSegmenter):
    """Energy VAD: one Segment per utterance, with context, emitted once it has ended."""

    def reset(self, position: int = 0, keep_floor: bool = False) -> None:
        super().reset(position, keep_floor)
        self._start: int | None = None   # first voiced sample of the current (candidate) utterance
        self._last_voiced = 0            # end of the last voiced frame
        self._voiced = 0                 # voiced frames since _start
        self._pending: list[tuple[int, int, int]] = []  # (start, end, decided) awaiting context

    def _frame(self, pos: int, start: bool, stop: bool) -> list[Segment]:
        flen, spec = self.gate.frame_len, self.spec
        if self._start is None:
            if start:
                self._start, self._last_voiced, self._voiced = pos, pos + flen, 1
        elif stop:
            self._last_voiced, self._voiced = pos + flen, self._voiced + 1
        confirmed = self._start is not None and self._voiced * flen >= self._seconds(spec.min_speech)
        if self._start is not None and pos + flen - self._last_voiced >= self._seconds(spec.hangover):
            if confirmed:
                self._pending.append((self._start, self._last_voiced, pos + flen))
            self._start = None
        elif confirmed and pos + flen - self._start >= self._seconds(spec.max_utterance):
            self._pending.append((self._start, pos + flen, pos + flen))
            self._start, self._voiced = pos + flen, 0
        return self._ready(pos + flen)

    def _ready(self, now: int) -> list[Segment]:
        post = self._seconds(self.spec.post_context)
        done = [p for p in self._pending if p[1] + post <= now]
        self._pending = [p for p in self._pending if p[1] + post > now]
        return [self._segment(s, e, now) for s, e, _ in done]

    def _segment(self, start: int, end: int, decided: int) -> Segment:
        a = max(self.buffer.begin, start - self._seconds(self.spec.pre_context))
        b = end + self._seconds(self.spec.post_context)
        return Segment(start, end, a, self.buffer.slice(a, b), decided)

    def _keep_from(self) -> int:
        marks = [self._framed] + [p[0] for p in self._pending]
        if self._start is not None:
            marks.append(self._start)
        return min(marks) - self._seconds(self.spec.pre_context)

    def flush(self) -> list[Segment]:
        """End of stream: emit pending utterances and one still in progress (if long enough)."""
        flen = self.gate.frame_len
        if self._start is not None and self._voiced * flen >= self._seconds(self.spec.min_speech):
            self._pending.append((self._start, self._last_voiced, self.buffer.end))
        self._start = None
        out = [self._segment(s, e, self.buffer.end) for s, e, _ in self._pending]
        self._pending = []
        return out
