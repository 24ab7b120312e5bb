"""Error papercuts a new user met (issue 14, item 8), each as the user ran it (a subprocess)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from support.cli import run_cli
from support.signals import noise, to_int16, utterance, write_wav

RATE = 16000


@pytest.fixture(scope="module")
def one_utterance(tmp_path_factory):
    x = np.concatenate([noise(1.0, RATE, -70.0, seed=5), utterance(RATE, 1), noise(1.0, RATE, -70.0, seed=6)])
    return write_wav(tmp_path_factory.mktemp("one") / "one.wav", to_int16(x), RATE), x


def without_soundfile(tmp_path) -> dict[str, str]:
    """The environment of a machine without the ``flac`` extra: ``import soundfile`` fails."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "soundfile.py").write_text("raise ImportError('soundfile is blocked for this test')\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])}


def test_flac_without_soundfile_names_each_file_and_the_fix_once(tmp_path):
    sf = pytest.importorskip("soundfile", reason="soundfile writes the FLAC files of this test")
    files = [str(tmp_path / f"{name}.flac") for name in "abcd"]
    for path in files:
        sf.write(path, np.zeros(1600, np.float32), RATE)
    proc = run_cli("classify", *files, env=without_soundfile(tmp_path))
    assert proc.returncode == 1
    assert proc.stdout == ""  # no table header when every input failed
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(files)
    for path, line in zip(files, lines, strict=True):
        assert line.startswith(f"ser-edge: {path}: ") and "pip install soundfile" in line


def test_no_table_header_when_every_input_failed(tmp_path):
    proc = run_cli("classify", str(tmp_path / "missing.wav"))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "missing.wav" in proc.stderr


def test_listen_on_a_directory_says_it_is_a_directory(tmp_path):
    proc = run_cli("listen", "--input", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"ser-edge: {tmp_path}: is a directory, expected an audio file"


def test_s16le_read_as_f32le_is_one_line_with_a_format_hint(one_utterance):
    _, x = one_utterance
    proc = run_cli("listen", "--input", "-", "--rate", "22050", "--format", "f32le",
                   input=to_int16(x).tobytes().decode("latin-1"), encoding="latin-1")
    assert proc.returncode == 1
    assert "Warning" not in proc.stderr and "Traceback" not in proc.stderr
    notes = ("ser-edge: summary:", "ser-edge: warning:", "ser-edge: listening to")
    errors = [line for line in proc.stderr.splitlines()
              if line.startswith("ser-edge: ") and not line.startswith(notes)]
    assert len(errors) == 1 and "check --format" in errors[0], proc.stderr


def test_timeline_of_silence_says_no_speech(tmp_path):
    silent = write_wav(tmp_path / "silent.wav", np.zeros(2 * RATE, np.int16), RATE)
    text = run_cli("classify", "--timeline", str(silent))
    assert text.returncode == 0, text.stderr
    assert text.stdout.strip() == f"{silent}  (no speech)"  # the label column of classify
    as_json = run_cli("classify", "--timeline", "--json", str(silent))
    assert as_json.returncode == 0, as_json.stderr
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == \
        [{"file": str(silent), "label": None, "speech": False, "arousal": None, "valence": None}]


def test_one_utterance_is_singular(one_utterance):
    path, _ = one_utterance
    proc = run_cli("listen", "--input", str(path), "--json", "--model", "seed")  # a synthetic voice
    assert proc.returncode == 0, proc.stderr
    assert ", 1 utterance, 1 event, 0 overflows" in proc.stderr
