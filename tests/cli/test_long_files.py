"""``ser-edge classify`` on a file longer than LONG_FILE_SECONDS: one result averaged over its
utterances with a hint on stderr; ``--timeline`` reads it block by block."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from support.cli import run_cli
from support.signals import utterance, write_wav


def test_a_file_with_many_utterances_says_so(tmp_path: Path) -> None:
    rate = 16000
    x = np.concatenate([utterance(rate, seed=k) for k in range(16)])  # 40 s
    path = write_wav(tmp_path / "long.wav", x, rate)
    plain = run_cli("classify", "--model", "seed", str(path))  # synthetic voices: the seed model
    assert plain.returncode == 0
    assert len(plain.stdout.strip().splitlines()) == 1  # one row (a pipe: no header)
    assert f"{path}: 16 utterances; see --timeline" in plain.stderr.splitlines()
    row = json.loads(run_cli("classify", "--json", "--model", "seed", str(path)).stdout)
    assert row["utterances"] == 16 and row["duration"] == 40.0 and row["label"] in row["scores"]
    timeline = run_cli("classify", "--timeline", "--json", "--model", "seed", str(path))
    events = [json.loads(line) for line in timeline.stdout.splitlines()]
    assert timeline.returncode == 0 and len(events) == 16 and all(e["file"] == str(path) for e in events)


def test_a_short_file_keeps_its_output(tmp_path: Path) -> None:
    rate = 16000
    path = write_wav(tmp_path / "short.wav", utterance(rate), rate)
    proc = run_cli("classify", "--json", str(path))
    assert proc.returncode == 0 and "utterances" not in proc.stderr
    assert set(json.loads(proc.stdout)) == {"file", "label", "confidence", "scores", "speech", "arousal",
                                            "valence", "duration"}
