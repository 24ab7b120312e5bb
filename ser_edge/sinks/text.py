"""Where events go: readable lines or JSON lines on a text stream, flushed at once."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ..stream.events import Event


class TextSink:
    """``  12.34-  14.80 s  angry       0.81  (sad 0.10, fearful 0.05)`` per event."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def __call__(self, event: Event) -> None:
        others = sorted(((p, k) for k, p in event.scores.items() if k != event.label), reverse=True)[:2]
        rest = ", ".join(f"{k} {p:.2f}" for p, k in others)
        self.out.write(f"{event.start:8.2f}-{event.end:8.2f} s  {event.label:<11} "
                       f"{event.confidence:5.2f}  ({rest})\n")
        self.out.flush()


class JsonSink:
    """One JSON object per event: ``{"start", "end", "label", "confidence", "scores"}``."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def __call__(self, event: Event) -> None:
        self.out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        self.out.flush()


def make_sink(json_lines: bool, out: TextIO | None = None) -> TextSink | JsonSink:
    """The sink for ``--json`` (JSON lines) or readable lines."""
    return JsonSink(out) if json_lines else TextSink(out)
