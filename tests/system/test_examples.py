"""The example scripts check what users type and log what really happened: an unknown --label
is refused, a replay's CSV rows carry stream time (never an invented wall clock), and the
plot's colours per emotion are the same in every picture."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from support.examples import run_example, same_three


@pytest.fixture(scope="module")
def same3(tmp_path_factory) -> Path:
    return same_three(tmp_path_factory.mktemp("examples") / "same3.wav")


def test_react_to_emotion_refuses_a_label_the_model_does_not_have(same3):
    proc = run_example("react_to_emotion.py", "--input", str(same3), "--label", "angy")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "--label: 'angy' is not one of the model's labels: "
        "neutral, calm, happy, sad, angry, fearful, disgust, surprised"]
    assert proc.stdout == ""  # refused before listening


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_csv_log_of_a_replay_logs_stream_time_and_no_wall_clock(same3, tmp_path):
    out = tmp_path / "emotions.csv"
    for _ in range(2):  # two runs append to one file
        # same3 is a synthetic voice: the seed model labels it (the default model hears no speech)
        proc = run_example("log_emotions_csv.py", str(out), "--input", str(same3), "--model", "seed")
        assert proc.returncode == 0, proc.stderr
        assert "3 events appended" in proc.stderr
    rows = read_rows(out)
    assert list(rows[0])[:6] == ["time", "source", "start", "end", "label", "confidence"]
    assert len(rows) == 6
    assert {r["time"] for r in rows} == {""}  # a replay has no wall-clock time
    assert {r["source"] for r in rows} == {"same3.wav"}
    duration = 4 * 1.5 + 3 * 2.5  # the file's length in seconds
    starts = [float(r["start"]) for r in rows]
    assert starts[:3] == starts[3:] and all(0 <= s < float(r["end"]) <= duration
                                            for s, r in zip(starts, rows, strict=True))
    assert all(abs(sum(float(v) for k, v in r.items() if k.startswith("p_")) - 1) < 0.01 for r in rows)


def test_csv_log_refuses_a_file_with_other_columns(same3, tmp_path):
    out = tmp_path / "old.csv"
    out.write_text("time,start,end,label,confidence\n2024-01-01T10:00:00+00:00,0.5,2.0,sad,0.5\n")
    proc = run_example("log_emotions_csv.py", str(out), "--input", str(same3))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "expected time,source,start" in proc.stderr
    assert out.read_text().count("\n") == 2  # untouched


def write_log(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A log_emotions_csv.py file of (time, source, label) rows."""
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["time", "source", "start", "end", "label", "confidence"])
        for i, (time, source, label) in enumerate(rows):
            writer.writerow([time, source, f"{2 * i:.2f}", f"{2 * i + 1:.2f}", label, "0.5"])
    return path


def test_plot_table_counts_live_rows_per_hour_and_replays_per_file(tmp_path):
    mic = "microphone"
    log = write_log(tmp_path / "log.csv", [
        ("2024-05-01T10:15:00+02:00", mic, "sad"), ("2024-05-01T10:50:00+02:00", mic, "angry"),
        ("2024-05-01T11:05:00+02:00", mic, "sad"), ("", "talk.wav", "angry"), ("", "talk.wav", "angry")])
    proc = run_example("plot_emotions.py", str(log), "--text")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "when                  angry       sad",
        "2024-05-01 10:00          1         1",
        "2024-05-01 11:00          0         1",
        "talk.wav                  2         0",
    ]


def has_colour(png: Path, hex_colour: str) -> bool:
    """True when some pixel of ``png`` is exactly ``hex_colour`` (``"#RRGGBB"``)."""
    from matplotlib.image import imread

    pixels = np.round(imread(png)[..., :3] * 255).astype(int).reshape(-1, 3)
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return bool((pixels == rgb).all(axis=1).any())


def test_plot_colours_per_emotion_are_fixed(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    from ser_edge.plot import PALETTE

    # angry is the only label of one log and the second most frequent of the other: a colour
    # cycle would give it two different colours
    one = write_log(tmp_path / "one.csv", [("", "a.wav", "angry")])
    two = write_log(tmp_path / "two.csv", [("", "b.wav", "sad"), ("", "b.wav", "sad"),
                                           ("", "b.wav", "angry")])
    for log in (one, two):
        png = log.with_suffix(".png")
        proc = run_example("plot_emotions.py", str(log), "-o", str(png))
        assert proc.returncode == 0, proc.stderr
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert has_colour(png, PALETTE["angry"]), log.name
    assert has_colour(two.with_suffix(".png"), PALETTE["sad"])
