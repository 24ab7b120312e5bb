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


def test_arousal_and_valence_follow_the_scores_in_a_column_of_their_own() -> None:
    out = io.StringIO()
    sink = TextSink(out)
    sink(Event(12.34, 14.8, "angry", 0.81, SCORES, calibration=3, arousal=0.8612, valence=0.18))
    sink(Event(15.0, 16.0, "happy", 0.5, {"happy": 0.5, "surprised": 0.3, "fearful": 0.2},
               arousal=0.75, valence=0.8))  # the widest pair of the 8 labels
    sink(Event(17.0, 18.0, "calm", 0.9, {"calm": 0.9, "sad": 0.1}))  # a model without them
    first, widest, none = out.getvalue().splitlines()
    assert first == ("   12.34-   14.80 s  angry        0.81  (sad 0.10, fearful 0.05)        "
                     "arousal 0.86 valence 0.18  calibrated on 3")
    assert widest.endswith("  (surprised 0.30, fearful 0.20)  arousal 0.75 valence 0.80")
    assert first.index("arousal") == widest.index("arousal")
    assert none == "   17.00-   18.00 s  calm         0.90  (sad 0.10)"
