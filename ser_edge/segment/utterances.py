"""Cut a stream of mono audio into utterances (energy VAD).

Kept apart as in silero-vad: :class:`~ser_edge.segment.gate.EnergyGate` is the stateful
per-frame step (levels, an adaptive noise floor, hysteresis); :class:`UtteranceSegmenter` is
the decision state machine on top (window mode's is the classifier's window stream,
:mod:`ser_edge.frontend.mfcc_mean.windows`). All positions are absolute sample indices of the stream;
``reset()`` starts over. Blocks of any length (``push``); the partial frame is carried over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gate import FramedGate


@dataclass(frozen=True)
class Segment:
    """A piece of the stream to classify.

    ``start``/``end``: the speech in stream samples; ``samples``: mono float32 (n,), the speech
    with the context around it (``spec.pre_context`` before ``start`` as far as the stream
    holds it, ``spec.post_context`` after ``end``), its DC offset removed (a constant shifts
    the lowest MFCCs, not the emotion): ready to classify.
    """

    start: int
    end: int
    samples: np.ndarray
    decided_at: int


class UtteranceSegmenter(FramedGate[Segment]):
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
        samples = self.buffer.slice(a, b)
        return Segment(start, end, samples - samples.mean(), decided)

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
