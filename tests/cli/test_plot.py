"""Pictures of a recording's emotions over time: ``ser_edge.plot`` and ``classify --timeline --plot``.

The PNG is written and valid, every emotion has one fixed colour in every run, and a missing
matplotlib names the ``plot`` extra."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from ser_edge.errors import MissingExtraError
from ser_edge.plot import EXTRA_COLOURS, PALETTE, emotion_colour, plot_timeline, require_matplotlib
from ser_edge.stream.events import Event

LABELS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the IHDR chunk of a PNG; fails when ``path`` is not a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    assert data[-8:-4] == b"IEND", f"{path} is cut off"
    return struct.unpack(">II", data[16:24])


def event(start: float, end: float, label: str, confidence: float) -> Event:
    return Event(start, end, label, confidence, {label: confidence})


def test_plot_timeline_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    events = [event(0.5, 2.0, "angry", 0.8), event(3.0, 4.5, "sad", 0.4), event(5.0, 5.6, "other", 0.3)]
    out = plot_timeline(events, tmp_path / "t.png", title="talk.wav", labels=LABELS, duration=8.0)
    assert out == tmp_path / "t.png" and out.stat().st_size > 1000
    width, height = png_size(out)
    assert width > 300 and height > 200


def test_plot_timeline_of_no_events_is_still_a_picture(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    png_size(plot_timeline([], tmp_path / "silent.png", title="silent.wav", duration=3.0))


def test_every_shipped_label_has_its_own_fixed_colour():
    assert set(PALETTE) == set(LABELS)
    assert len(set(PALETTE.values())) == len(LABELS)
    assert [emotion_colour(k) for k in LABELS] == [PALETTE[k] for k in LABELS]
    assert emotion_colour("bored") in EXTRA_COLOURS


def test_the_palette_is_the_same_in_every_process():
    code = ("import json; from ser_edge.plot import emotion_colour; "
            f"print(json.dumps([emotion_colour(k) for k in {[*LABELS, 'bored', 'excited', 'x']!r}]))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    first, second = (json.loads(r.stdout) for r in runs)
    assert first == second and first[:8] == [PALETTE[k] for k in LABELS]


def test_without_matplotlib_the_error_names_the_plot_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'ser-edge\[plot\]'"):
        require_matplotlib()
    with pytest.raises(MissingExtraError, match="matplotlib"):
        plot_timeline([event(0, 1, "sad", 0.5)], tmp_path / "x.png", title="x")
    assert not (tmp_path / "x.png").exists()
