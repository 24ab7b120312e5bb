"""Speaker calibration with the shipped model on real speech (RAVDESS actor 1, from shared data):
``classify --calibrate`` and ``listen --calibration FILE`` end to end, including a restart that
resumes the saved state."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ser_edge import Calibration, EmotionClassifier

from support.cli import run_cli
from support.paths import AUDIO, need
from support.signals import to_int16, write_wav

sf = pytest.importorskip("soundfile")
RATE = 48000


def _actor_files(n: int) -> list:
    folder = need(AUDIO / "ravdess" / "Actor_01")
    return sorted(folder.glob("03-01-*.flac"))[:: 60 // n][:n]


def _stream(path, files) -> None:
    """The files one after another, 1 s of quiet room tone between them, as one 48 kHz WAV."""
    rng = np.random.default_rng(0)
    parts = []
    for f in files:
        x, rate = sf.read(f, dtype="float32", always_2d=True)
        assert rate == RATE
        parts += [x.mean(axis=1), 1e-4 * rng.standard_normal(RATE).astype(np.float32)]
    write_wav(path, to_int16(np.concatenate(parts)), RATE)


def test_the_v2_model_has_calibration_and_uses_it_from_the_first_utterance():
    clf = EmotionClassifier.load("v2")
    assert clf.calibration_spec is not None
    files = _actor_files(6)
    clf.calibration = Calibration(clf.calibration_spec)
    first = clf.predict_file(files[0])
    rest = [clf.predict_file(f) for f in files[1:]]
    assert first.calibration == 0 and [p.calibration for p in rest] == [1, 2, 3, 4, 5]
    assert clf.calibration.count == 6
    uncalibrated = EmotionClassifier.load("v2").predict_file(files[-1])
    assert uncalibrated.calibration is None and uncalibrated.scores != rest[-1].scores


def test_classify_calibrate_gathers_the_files_first(tmp_path):
    files = [str(f) for f in _actor_files(5)]
    done = run_cli("classify", "--calibrate", "--json", *files, timeout=300)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["calibration"] for r in results] == [5] * 5
    assert "statistics from 5 utterances" in done.stderr


def test_listen_saves_the_calibration_and_a_restart_resumes_it(tmp_path):
    wav, state = tmp_path / "actor01.wav", tmp_path / "calibration.json"
    _stream(wav, _actor_files(4))
    first = run_cli("listen", "--input", str(wav), "--calibration", str(state), "--json", timeout=300)
    assert first.returncode == 0, first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert [e["calibration"] for e in events] == list(range(len(events))) and len(events) >= 3
    saved = json.loads(state.read_text())
    assert saved["count"] == len(events) and saved["format"] == "ser-edge calibration"
    again = run_cli("listen", "--input", str(wav), "--calibration", str(state), "--json", timeout=300)
    assert again.returncode == 0, again.stderr
    resumed = [json.loads(line)["calibration"] for line in again.stdout.splitlines()]
    assert resumed[0] == len(events) and json.loads(state.read_text())["count"] == 2 * len(events)
