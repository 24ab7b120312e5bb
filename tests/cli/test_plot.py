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

from support.cli import run_cli
from support.examples import same_three
from support.paths import EXAMPLES, need
from support.signals import to_int16, write_wav

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


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Path:
    """Three synthetic utterances with gaps (no shared data needed)."""
    return same_three(tmp_path_factory.mktemp("plot") / "talk.wav")


def test_classify_timeline_plot_writes_the_picture(talk, tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    out = tmp_path / "talk.png"
    proc = run_cli("classify", "--timeline", "--plot", str(out), "--model", "seed", str(talk))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 3  # the timeline is still printed
    width, height = png_size(out)
    assert width > 300 and height > 200


@pytest.mark.parametrize(("extra", "files", "message"), [
    ([], 1, "--plot: needs --timeline"),
    (["--timeline"], 2, "--plot: draws one recording, got 2 files"),
    (["--timeline", "--plot", "out.jpg"], 1, "--plot: expected a file name ending in .png, .svg, .pdf"),
    (["--timeline", "--plot", "no/such/folder/out.png"], 1, "--plot: the folder 'no/such/folder'"),
])
def test_plot_usage_errors_exit_2_before_the_model_loads(talk, tmp_path, extra, files, message):
    model = str(tmp_path / "none.onnx")
    proc = run_cli("classify", "--plot", str(tmp_path / "out.png"), "--model", model, *extra,
                   *[str(talk)] * files, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and message in proc.stderr
    assert "none.onnx" not in proc.stderr  # refused before the (missing) model is looked at
    assert list(tmp_path.iterdir()) == []


def test_classify_plot_without_matplotlib_names_the_extra(talk, tmp_path, monkeypatch, capsys):
    from ser_edge.cli.main import main

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code = main(["classify", "--timeline", "--plot", str(tmp_path / "x.png"), str(talk),
                 "--model", str(tmp_path / "none.onnx")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["ser-edge: --plot: the optional package 'matplotlib' is not installed: "
                   "pip install 'ser-edge[plot]'"]


def test_plot_of_real_recordings(tmp_path):
    """The two shared example recordings (RAVDESS, TESS) twice, with gaps: four coloured bars."""
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    wavs = sorted(need(EXAMPLES).glob("*.wav"))
    assert len(wavs) == 2
    path = concatenate(wavs * 2, tmp_path / "examples.wav")
    out = tmp_path / "examples.png"
    proc = run_cli("classify", "--timeline", "--json", "--plot", str(out), str(path))
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(events) == 4
    from matplotlib.image import imread

    pixels = {tuple(p) for p in (imread(out)[..., :3] * 255).round().astype(int).reshape(-1, 3)}
    for e in events:
        rgb = tuple(int(emotion_colour(e["label"])[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in pixels, e["label"]


def concatenate(wavs: list[Path], out: Path) -> Path:
    """The ``wavs`` one after another at the first one's rate, 1 s of silence around each."""
    from math import gcd

    import numpy as np
    from scipy.signal import resample_poly

    from ser_edge.audio.read import read_audio

    parts, rate = [], None
    for wav in wavs:
        x, r = read_audio(str(wav))
        rate = rate or r
        g = gcd(rate, r)
        parts += [np.zeros(rate, np.float32), resample_poly(x, rate // g, r // g).astype(np.float32)]
    return write_wav(out, to_int16(np.concatenate([*parts, np.zeros(rate, np.float32)])), rate)
