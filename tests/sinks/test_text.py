"""The text sink's line: the calibration note follows the scores only when a calibration is set."""

from __future__ import annotations

import io

from ser_edge.sinks.text import TextSink
from ser_edge.stream.events import Event

SCORES = {"angry": 0.81, "sad": 0.10, "fearful": 0.05, "calm": 0.04}


def _line(calibration: int | None) -> str:
    out = io.StringIO()
    TextSink(out)(Event(12.34, 14.8, "angry", 0.81, SCORES, calibration=calibration))
    return out.getvalue().rstrip("\n")


def test_uncalibrated_lines_are_unchanged() -> None:
    assert _line(None) == "   12.34-   14.80 s  angry        0.81  (sad 0.10, fearful 0.05)"


def test_calibrated_lines_say_on_how_many_utterances() -> None:
    assert _line(12) == "   12.34-   14.80 s  angry        0.81  (sad 0.10, fearful 0.05)  calibrated on 12"
    assert _line(0).endswith("(sad 0.10, fearful 0.05)  uncalibrated")
