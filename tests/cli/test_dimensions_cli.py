"""Arousal and valence on the command line: ``classify`` (text, ``--json``, ``--timeline``),
``listen --json`` and ``info``, for the shipped models (derived from the label probabilities), a
model with trained heads (its heads' values) and a model whose labels have no point (none)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from ser_edge import EmotionClassifier
from ser_edge.model import expected_dimensions

from support.cli import run_cli
from support.paths import ROOT

pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")

from support.onnx_fixtures import add_dimension_heads, contract, tiny_frames_model, tiny_model  # noqa: E402

EXAMPLES = [str(p) for p in sorted((ROOT / "examples" / "audio").glob("*.wav"))]


def json_rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def derived(row: dict) -> np.ndarray:
    """The mapping's expectation under a JSON row's (4-decimal) scores."""
    labels = list(row["scores"])
    return expected_dimensions(np.array([row["scores"][k] for k in labels]), labels)


def decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("model", [[], ["--model", "seed"]], ids=["default", "seed"])
def test_classify_derives_them_from_the_label_probabilities_of_a_shipped_model(model):
    rows = json_rows(run_cli("classify", "--json", *model, *EXAMPLES).stdout)
    text = run_cli("classify", *model, *EXAMPLES)
    assert text.returncode == 0 and len(rows) == len(EXAMPLES) == len(text.stdout.splitlines())
    for row, line in zip(rows, text.stdout.splitlines(), strict=True):
        assert list(row)[:7] == ["file", "label", "confidence", "scores", "speech", "arousal", "valence"]
        assert np.allclose([row["arousal"], row["valence"]], derived(row), atol=1e-3), row
        assert decimals(row["arousal"]) <= 4 and decimals(row["valence"]) <= 4
        shown = re.search(r"  arousal (\d\.\d\d) valence (\d\.\d\d)$", line)
        assert shown is not None, line
        assert [float(x) for x in shown.groups()] == pytest.approx([row["arousal"], row["valence"]],
                                                                    abs=0.0051)


def test_classify_reports_the_heads_of_a_model_that_has_them(tmp_path):
    path = str(add_dimension_heads(tiny_frames_model(tmp_path / "heads.onnx"), source="joined"))
    rows = json_rows(run_cli("classify", "--json", "--model", path, *EXAMPLES).stdout)
    clf = EmotionClassifier.load(path)
    assert len(rows) == len(EXAMPLES)
    for row, wav in zip(rows, EXAMPLES, strict=True):
        pred = clf.predict_file(wav)  # the API: the heads' output (tests/test_dimensions.py)
        assert (row["arousal"], row["valence"]) == (round(pred.arousal, 4), round(pred.valence, 4))
        assert not np.allclose([row["arousal"], row["valence"]], derived(row), atol=1e-2)
    info = run_cli("info", "--model", path)
    assert "dimensions arousal, valence in [0, 1] from trained heads" in info.stdout, info.stdout
    assert "+ dimensions ['batch', 2]" in info.stdout
    assert json.loads(run_cli("info", "--json", "--model", path).stdout)["dimensions"]["source"] == "heads"


def test_labels_without_a_point_give_null_and_no_text(tmp_path):
    path = str(tiny_model(tmp_path / "other.onnx", metadata=contract(labels=list("abcdefgh"))))
    rows = json_rows(run_cli("classify", "--json", "--model", path, *EXAMPLES).stdout)
    text = run_cli("classify", "--model", path, *EXAMPLES)
    assert text.returncode == 0 and rows and all(r["arousal"] is None and r["valence"] is None for r in rows)
    assert all(r["label"] in "abcdefgh" for r in rows) and "arousal" not in text.stdout
    info = run_cli("info", "--model", path).stdout
    assert "dimensions none" in info and json.loads(run_cli("info", "--json", "--model", path).stdout)[
        "dimensions"]["source"] is None


def test_info_says_the_default_model_derives_them():
    lines = [x for x in run_cli("info").stdout.splitlines() if x.startswith("dimensions")]
    assert lines == ["dimensions arousal, valence in [0, 1] derived from the label probabilities "
                     "(no trained heads)"]


def test_listen_and_the_timeline_give_them_per_event():
    listened = json_rows(run_cli("listen", "--input", EXAMPLES[0], "--json").stdout)
    timeline = json_rows(run_cli("classify", "--timeline", "--json", EXAMPLES[0]).stdout)
    assert listened and timeline
    for row in listened + timeline:
        assert np.allclose([row["arousal"], row["valence"]], derived(row), atol=1e-3), row
    pairs = [[(r["arousal"], r["valence"]) for r in rows] for rows in (listened, timeline)]
    assert pairs[0] == pairs[1]
    text = run_cli("listen", "--input", EXAMPLES[0]).stdout
    assert re.search(r"\)\s+arousal \d\.\d\d valence \d\.\d\d$", text.splitlines()[0]), text


def test_silence_has_null_arousal_and_valence(tmp_path):
    import soundfile as sf

    silence = tmp_path / "silence.wav"
    sf.write(str(silence), np.zeros(32000, dtype=np.float32), 16000)
    (row,) = json_rows(run_cli("classify", "--json", str(silence)).stdout)
    (event,) = json_rows(run_cli("classify", "--timeline", "--json", str(silence)).stdout)
    for r in (row, event):
        assert r["label"] is None and r["speech"] is False and r["arousal"] is None and r["valence"] is None
