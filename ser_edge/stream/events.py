"""What the streaming engine produces: events, the stream's statistics, score smoothing."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..model.dimensions import dimensions_json


@dataclass(frozen=True)
class Event:
    """One classified piece of the stream; ``start``/``end`` in stream seconds.

    ``decided_at``: stream seconds at which the segment was complete (its latency is
    ``decided_at - end`` plus the classification time); not part of :meth:`to_dict`.
    ``calibration``: the Prediction's (None: the classifier has no calibration; else the
    utterances the speaker statistics came from, 0 when the calibrated output was not used).
    ``arousal`` (calm 0 .. aroused 1) and ``valence`` (negative 0 .. positive 1) in [0, 1]: the
    Prediction's (None: the model has none).
    """

    start: float
    end: float
    label: str
    confidence: float
    scores: dict[str, float]
    decided_at: float = 0.0
    calibration: int | None = None
    arousal: float | None = None
    valence: float | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready ``{"start", "end", "label", "confidence", "scores", "speech", "arousal",
        "valence"}`` (``speech`` always true: an event is classified speech; arousal and valence
        null when None; the fields and decimals of
        :meth:`~ser_edge.classifier.Prediction.to_dict`), and ``"calibration"`` when not None."""
        out: dict[str, object] = {
            "start": round(self.start, 3), "end": round(self.end, 3), "label": self.label,
            "confidence": round(self.confidence, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()}, "speech": True,
            **dimensions_json(self.arousal, self.valence)}
        if self.calibration is not None:
            out["calibration"] = self.calibration
        return out


def count(n: int, plural: str) -> str:
    """``n`` and the noun phrase ``plural``, singular for 1 (its first word ending in s loses
    it): ``count(1, "windows with speech")`` is ``"1 window with speech"``."""
    words = plural.split(" ")
    noun = next((i for i, w in enumerate(words) if w.endswith("s")), None)
    if n == 1 and noun is not None:
        words[noun] = words[noun][:-1]
    return f"{n} {' '.join(words)}"


@dataclass
class StreamStats:
    """What the stream did so far; ``duration`` in seconds of audio."""

    duration: float = 0.0
    segments: int = 0
    events: int = 0
    overflows: int = 0
    reconnects: int = 0
    dropped_seconds: float = 0.0
    nonfinite_samples: int = 0
    unclassifiable: int = 0
    discarded_bytes: int = 0  # input bytes that formed no whole sample frame (a cut-off PCM tail)
    labels: dict[str, int] = field(default_factory=dict)
    segment_name: str = "utterances"

    def summary(self) -> str:
        """One line for the user."""
        return (f"{self.duration:.1f} s of audio, {count(self.segments, self.segment_name)}, "
                f"{count(self.events, 'events')}, {count(self.overflows, 'overflows')} "
                f"({self.dropped_seconds:.2f} s lost)"
                + (f", {count(self.reconnects, 'reconnections')}" if self.reconnects else "")
                + (f", {count(self.nonfinite_samples, 'non-finite samples')} zeroed"
                   if self.nonfinite_samples else "")
                + (f", {self.unclassifiable} not classifiable" if self.unclassifiable else "")
                + (f", {self.discarded_bytes} byte{'s' if self.discarded_bytes > 1 else ''} of an "
                   "incomplete last sample frame discarded" if self.discarded_bytes else ""))


class ScoreSmoother:
    """Average the scores (and arousal and valence) of the last ``n`` events; forgets them after
    a pause of ``gap`` s."""

    def __init__(self, n: int, gap: float) -> None:
        self.n, self.gap = n, gap
        self._recent: deque[Event] = deque(maxlen=n)

    def reset(self) -> None:
        self._recent.clear()

    def __call__(self, event: Event) -> Event:
        if self.n <= 1:
            return event
        if self._recent and event.start - self._recent[-1].end > self.gap:
            self._recent.clear()
        self._recent.append(event)
        labels = list(event.scores)
        mean = {k: float(np.mean([e.scores.get(k, 0.0) for e in self._recent])) for k in labels}
        best = max(labels, key=mean.__getitem__)
        return Event(event.start, event.end, best, mean[best], mean, event.decided_at, event.calibration,
                     self._mean("arousal"), self._mean("valence"))

    def _mean(self, dimension: str) -> float | None:
        """The mean ``arousal`` or ``valence`` of the recent events (None when one has none)."""
        values = [getattr(e, dimension) for e in self._recent]
        return None if any(v is None for v in values) else float(np.mean(values))
