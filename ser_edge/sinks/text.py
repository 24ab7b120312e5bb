"""Where events go: readable lines or JSON lines on a text stream, flushed at once."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ..stream.events import Event, StreamStats

#: The text outputs' columns after the file/time columns (``classify``, ``--timeline``, ``listen``).
RESULT_HEADER = f"{'LABEL':<11} {'CONF':>5}  (NEXT)"
#: The width of the (NEXT) column when arousal and valence follow it: ``(surprised 0.10, fearful 0.05)``.
NEXT_WIDTH = 30
#: The time column's header (``--timeline``, ``listen``).
SPAN_HEADER = f"{'START':>8}-{'END':>8} s"


def result_cells(label: str, confidence: float, scores: dict[str, float], calibration: int | None,
                 arousal: float | None = None, valence: float | None = None) -> str:
    """The columns every text output shares for one result: ``angry        0.81  (sad 0.10,
    fearful 0.05)``, then :func:`dimensions_note` and :func:`calibration_note`."""
    others = sorted(((p, k) for k, p in scores.items() if k != label), reverse=True)[:2]
    rest = f"({', '.join(f'{k} {p:.2f}' for p, k in others)})"
    dimensions = dimensions_note(arousal, valence)
    if dimensions:  # in a column of their own: the next labels padded to the widest 8-label pair
        rest = rest.ljust(NEXT_WIDTH)
    return f"{label:<11} {confidence:5.2f}  {rest}" + dimensions + calibration_note(calibration)


def dimensions_note(arousal: float | None, valence: float | None) -> str:
    """The text outputs' arousal and valence (each in [0, 1]): ``  arousal 0.86 valence 0.18``;
    nothing when the model has none."""
    if arousal is None or valence is None:
        return ""
    return f"  arousal {arousal:.2f} valence {valence:.2f}"


def span(start: float, end: float) -> str:
    """The time column: ``   12.34-   14.80 s`` (seconds of the stream or the file)."""
    return f"{start:8.2f}-{end:8.2f} s"


class LineSink:
    """One line per event on ``out`` (default: stdout), flushed at once; ``header`` (if any) before
    the first event, only when ``out`` is a terminal (a pipe or a file gets the lines alone)."""

    header: str | None = None

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.started = False

    def line(self, event: Event) -> str:
        raise NotImplementedError

    def __call__(self, event: Event) -> None:
        if not self.started:
            self.started = True
            if self.header is not None and is_terminal(self.out):
                self.out.write(self.header + "\n")
        self.out.write(self.line(event) + "\n")
        self.out.flush()

    def close(self, stats: StreamStats | None = None) -> None:
        """Nothing to release: every line was flushed when written."""


def is_terminal(out: TextIO) -> bool:
    """Whether ``out`` is a terminal (a stream without ``isatty`` is not)."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


class TextSink(LineSink):
    """``   12.34-   14.80 s  angry        0.81  (sad 0.10, fearful 0.05)`` per event, followed by
    ``  arousal 0.86 valence 0.18`` (when the model has them) and ``  calibrated on 12`` when
    the event's speaker calibration was used (``uncalibrated`` when a calibration is set but still
    below its minimum); the layout of ``classify`` and ``classify --timeline``
    (:func:`result_cells`), with a header on a terminal."""

    header = f"{SPAN_HEADER}  {RESULT_HEADER}"

    def line(self, event: Event) -> str:
        return f"{span(event.start, event.end)}  " + result_cells(
            event.label, event.confidence, event.scores, event.calibration, event.arousal, event.valence)


def calibration_note(utterances: int | None) -> str:
    """The text outputs' suffix for a prediction's ``calibration`` (None: no suffix)."""
    if utterances is None:
        return ""
    return f"  calibrated on {utterances}" if utterances else "  uncalibrated"


class JsonSink(LineSink):
    """One JSON object per event: ``{"start", "end", "label", "confidence", "scores", "speech",
    "arousal", "valence"}``
    (:meth:`~ser_edge.stream.events.Event.to_dict`: the fields of ``classify --json``), never a
    header."""

    def line(self, event: Event) -> str:
        return json.dumps(event.to_dict(), ensure_ascii=False)


def make_sink(json_lines: bool, out: TextIO | None = None) -> TextSink | JsonSink:
    """The sink for ``--json`` (JSON lines) or readable lines."""
    return JsonSink(out) if json_lines else TextSink(out)
