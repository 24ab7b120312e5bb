"""Where events go: readable lines or JSON lines on a text stream, flushed at once."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ..stream.events import Event, StreamStats


class LineSink:
    """One line per event on ``out`` (default: stdout), flushed at once."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def line(self, event: Event) -> str:
        raise NotImplementedError

    def __call__(self, event: Event) -> None:
        self.out.write(self.line(event) + "\n")
        self.out.flush()

    def close(self, stats: StreamStats | None = None) -> None:
        """Nothing to release: every line was flushed when written."""


class TextSink(LineSink):
    """``  12.34-  14.80 s  angry       0.81  (sad 0.10, fearful 0.05)`` per event, followed by
    ``  calibrated on 12`` when the event's speaker calibration was used (``uncalibrated`` when a
    calibration is set but still below its minimum)."""

    def line(self, event: Event) -> str:
        others = sorted(((p, k) for k, p in event.scores.items() if k != event.label), reverse=True)[:2]
        rest = ", ".join(f"{k} {p:.2f}" for p, k in others)
        line = f"{event.start:8.2f}-{event.end:8.2f} s  {event.label:<11} {event.confidence:5.2f}  ({rest})"
        return line + calibration_note(event.calibration)


def calibration_note(utterances: int | None) -> str:
    """The text outputs' suffix for a prediction's ``calibration`` (None: no suffix)."""
    if utterances is None:
        return ""
    return f"  calibrated on {utterances}" if utterances else "  uncalibrated"


class JsonSink(LineSink):
    """One JSON object per event: ``{"start", "end", "label", "confidence", "scores"}``."""

    def line(self, event: Event) -> str:
        return json.dumps(event.to_dict(), ensure_ascii=False)


def make_sink(json_lines: bool, out: TextIO | None = None) -> TextSink | JsonSink:
    """The sink for ``--json`` (JSON lines) or readable lines."""
    return JsonSink(out) if json_lines else TextSink(out)
