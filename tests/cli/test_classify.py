"""`ser-edge classify` and `ser-edge info` as users run them (a subprocess each)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from support.cli import run_cli
from support.signals import noise, to_int16, utterance, write_wav

LABELS = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]


@pytest.fixture(scope="module")
def good_wav(tmp_path_factory):
    return write_wav(tmp_path_factory.mktemp("good") / "speech.wav", to_int16(utterance(16000)), 16000)


def bad_files(folder) -> dict[str, str]:
    """Malformed inputs made here: name -> path."""
    rate = 16000
    out = {"missing": str(folder / "does-not-exist.wav")}
    (folder / "empty.wav").write_bytes(b"")
    out["empty"] = str(folder / "empty.wav")
    (folder / "text.wav").write_text("this is not audio\n" * 50)
    out["not-audio"] = str(folder / "text.wav")
    whole = write_wav(folder / "whole.wav", to_int16(utterance(rate)), rate).read_bytes()
    (folder / "truncated.wav").write_bytes(whole[:30])
    out["truncated"] = str(folder / "truncated.wav")
    out["zero-samples"] = str(write_wav(folder / "zero.wav", np.zeros(0, np.int16), rate))
    nan = utterance(rate)
    nan[1000:1100] = np.nan
    out["nan"] = str(write_wav(folder / "nan.wav", nan, rate))
    inf = utterance(rate)
    inf[5] = np.inf
    out["inf"] = str(write_wav(folder / "inf.wav", inf, rate))
    out["10ms"] = str(write_wav(folder / "short.wav", to_int16(utterance(rate)[8000:8160]), rate))
    out["dir"] = str(folder)
    return out


def test_one_json_line_per_file_and_bad_files_do_not_stop_the_batch(tmp_path, good_wav):
    bad = bad_files(tmp_path)
    files = [str(good_wav), *bad.values(), str(good_wav)]
    proc = run_cli("classify", "--json", "--model", "seed", *files)  # synthetic voices: the CLI mechanics
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in rows] == files
    assert rows[0]["label"] in LABELS and rows[-1]["label"] == rows[0]["label"]
    assert abs(sum(rows[0]["scores"].values()) - 1) < 1e-3
    errors = {r["file"]: r["error"] for r in rows if "error" in r}
    assert set(errors) == set(bad.values())
    err_lines = [line for line in proc.stderr.strip().splitlines()
                 if not line.startswith("ser-edge: warning:")]
    assert len(err_lines) == len(bad)
    for path in bad.values():
        assert sum(path in line for line in err_lines) >= 1


def test_silence_says_no_speech(tmp_path):
    quiet = write_wav(tmp_path / "quiet.wav", to_int16(noise(2.0, 16000, -80.0)), 16000)
    zeros = write_wav(tmp_path / "zeros.wav", np.zeros(32000, np.int16), 16000)
    proc = run_cli("classify", "--json", str(quiet), str(zeros))
    assert proc.returncode == 0, proc.stderr
    for row in map(json.loads, proc.stdout.splitlines()):
        assert row["label"] is None and row["speech"] is False
    table = run_cli("classify", str(quiet))
    assert "(no speech)" in table.stdout


def test_table_output(good_wav, example_wavs):
    proc = run_cli("classify", "--model", "seed", str(good_wav), *map(str, example_wavs))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 + len(example_wavs)  # a pipe: no header (a terminal gets one: test_new_user.py)
    for line in lines:
        assert line.split()[1] in LABELS


@pytest.mark.parametrize("kind", ["missing", "directory", "not-onnx", "no-contract"])
def test_bad_model_is_a_usage_error(tmp_path, good_wav, kind):
    model = tmp_path / "m.onnx"
    if kind == "directory":
        model = tmp_path
    elif kind == "not-onnx":
        model.write_text("hello")
    elif kind == "no-contract":
        onnx_fixtures = pytest.importorskip("support.onnx_fixtures")
        pytest.importorskip("onnx")
        onnx_fixtures.tiny_model(model, metadata={})
    proc = run_cli("classify", "--model", str(model), str(good_wav))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    if kind == "no-contract":
        assert "ser_edge.labels" in proc.stderr


def test_info_shows_contract_and_sha256():
    import hashlib

    from ser_edge.model import shipped_model_path

    proc = run_cli("info", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["labels"] == LABELS
    assert info["frontend"]["type"] == "frames16k" and info["frontend"]["sample_rate"] == 16000  # v2
    assert info["sha256"] == hashlib.sha256(shipped_model_path().read_bytes()).hexdigest()
    text = run_cli("info")
    assert text.returncode == 0 and info["sha256"] in text.stdout


def test_usage_errors_exit_2():
    assert run_cli("classify").returncode == 2
    assert run_cli("no-such-command").returncode == 2


def test_timeline_gives_one_event_per_utterance(tmp_path):
    rate = 16000
    gap = noise(2.0, rate, -70.0, seed=3)
    # speech at 0.5-2.0 s and 5.0-6.5 s
    talk = np.concatenate([utterance(rate, seed=1), gap, utterance(rate, seed=2)])
    wav = write_wav(tmp_path / "long.wav", to_int16(talk), rate)
    proc = run_cli("classify", "--timeline", "--json", "--model", "seed", str(wav))
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(events) == 2
    for event, (start, end) in zip(events, [(0.5, 2.0), (5.0, 6.5)], strict=True):
        assert event["file"] == str(wav) and event["label"] in LABELS
        assert event["start"] <= start + 0.3 and event["end"] >= end - 0.3
        assert event["end"] - event["start"] < 4.0


def test_the_default_model_labels_a_real_recording(example_wavs):
    """The default (v2) model on real speech from the shared data: speech, a label, its scores."""
    proc = run_cli("classify", "--json", str(example_wavs[0]))
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["speech"] is True and row["label"] in LABELS
    assert abs(sum(row["scores"].values()) - 1) < 1e-3 and row["confidence"] == max(row["scores"].values())
