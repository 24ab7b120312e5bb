"""The malformed-input corpus (tests/malformed.py) through ``ser-edge classify --json`` in ONE
process, interleaved with good files: one JSON error and one stderr line per bad input, exit 1,
no traceback, and the good files classified exactly as when they are alone."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from support.cli import run_cli
from support.malformed import corpus
from support.paths import EXAMPLES
from support.signals import utterance, write_wav

LABELS = {"neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"}


def well_formed(row: dict) -> None:
    fields = {"file", "label", "confidence", "scores", "speech", "arousal", "valence", "duration"}
    assert set(row) == fields, row
    if row["label"] is None:
        assert row["speech"] is False and row["scores"] == {} and row["confidence"] == 0.0
        return
    values = list(row["scores"].values())
    assert row["label"] in LABELS and set(row["scores"]) == LABELS
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)
    assert sum(values) == pytest.approx(1.0, abs=1e-4) and row["confidence"] == max(values)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("malformed")
    paths, expect, clean = corpus(folder)
    stereo = np.stack([utterance(48000, 5), 0.5 * utterance(48000, 5)], axis=1).astype(np.float32)
    good = [clean, write_wav(folder / "good-stereo-float.wav", stereo, 48000),
            *sorted(EXAMPLES.glob("*.wav"))[:2]]  # the shared examples when present
    return paths, expect, clean, [str(g) for g in good]


def test_corpus_through_one_classify_process(files):
    paths, expect, clean, good = files
    alone = run_cli("classify", "--json", *good)
    assert alone.returncode == 0, alone.stderr
    alone_rows = {r["file"]: r for r in map(json.loads, alone.stdout.splitlines())}

    order = []  # a good file after every three bad ones
    for i, name in enumerate(paths):
        order.append(str(paths[name]))
        if i % 3 == 2:
            order.append(good[(i // 3) % len(good)])
    proc = run_cli("classify", "--json", *order, timeout=300)  # a hang fails here
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in rows] == order  # exactly one row per input, in order
    by_name = {str(p): n for n, p in paths.items()}
    lines = proc.stderr.strip().splitlines()
    stderr = [line for line in lines if line.startswith("ser-edge: ")]
    # libsndfile's MP3 decoder (mpg123) writes "Note: ..." and, now and then,
    # "[src/libmpg123/...] warning: ..." lines to fd 2 itself on junk after a frame sync
    foreign = [line for line in lines if line not in stderr]
    assert all(line.startswith("Note: ") or line.startswith("[src/libmpg123/") for line in foreign), lines
    clean_row = alone_rows[str(clean)]
    for row in rows:
        name = by_name.get(row["file"])
        if name is None or expect[name] != "error":
            assert "error" not in row, row
            well_formed(row)
        if name is None:
            assert row == alone_rows[row["file"]]  # good files: same result as alone
        elif expect[name] == "error":
            assert set(row) == {"file", "error"} and "\n" not in row["error"], row
            assert sum(row["file"] in line for line in stderr) == 1, (name, stderr)
        elif expect[name] == "same":
            assert {**row, "file": clean_row["file"]} == clean_row, name
    n_errors = sum(1 for n in paths if expect[n] == "error")
    assert len(stderr) == n_errors
    assert n_errors >= 25 and sum(1 for n in paths if expect[n] == "same") >= 6
