"""``ser-edge classify --jobs N``: worker processes give what one process gives, in input order."""

from __future__ import annotations

import json

import numpy as np
import pytest

from support.cli import run_cli
from support.signals import noise, to_int16, utterance, write_wav


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> list[str]:
    """Synthetic files of different lengths and rates (so workers finish out of order), a
    silent one and two that cannot be read."""
    folder = tmp_path_factory.mktemp("jobs")
    files = []
    for i, (rate, repeat) in enumerate([(16000, 6), (22050, 1), (48000, 3), (16000, 1), (44100, 2)]):
        x = np.concatenate([utterance(rate, seed=i)] * repeat)
        files.append(str(write_wav(folder / f"speech_{i}.wav", to_int16(x), rate)))
    files.insert(2, str(write_wav(folder / "quiet.wav", to_int16(noise(2.0, 16000, -80.0)), 16000)))
    (folder / "text.wav").write_text("not audio\n" * 20)
    files.insert(4, str(folder / "text.wav"))
    files.append(str(folder / "missing.wav"))
    return files


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("ser-edge: warning:")]


@pytest.mark.parametrize("extra", [[], ["--timeline"]], ids=["whole", "timeline"])
def test_jobs_2_prints_what_jobs_1_prints_in_input_order(batch, extra):
    one = run_cli("classify", "--json", "--model", "seed", *extra, *batch)
    two = run_cli("classify", "--json", "--model", "seed", "--jobs", "2", *extra, *batch)
    assert one.returncode == two.returncode == 1
    assert "Traceback" not in two.stderr
    assert two.stdout == one.stdout
    files = [json.loads(line)["file"] for line in two.stdout.splitlines()]
    assert sorted(set(files), key=files.index) == batch  # every file, in input order
    assert _errors(two.stderr) == _errors(one.stderr)
    assert len([line for line in _errors(two.stderr) if "text.wav" in line]) == 1
    assert len([line for line in _errors(two.stderr) if "missing.wav" in line]) == 1


def test_jobs_table_output_and_more_jobs_than_files(batch):
    one = run_cli("classify", "--model", "seed", *batch[:3])
    many = run_cli("classify", "--model", "seed", "--jobs", "8", *batch[:3])
    assert many.returncode == one.returncode == 0
    assert many.stdout == one.stdout and len(many.stdout.splitlines()) == 3  # a row each, no header in a pipe


def test_calibrate_with_jobs_uses_the_same_statistics(example_wavs):
    files = [str(p) for p in example_wavs[:4]]
    one = run_cli("classify", "--json", "--calibrate", *files)
    two = run_cli("classify", "--json", "--calibrate", "--jobs", "2", *files)
    assert one.returncode == two.returncode == 0, two.stderr
    rows = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["file"] for r in rows] == files and all("calibration" in r for r in rows)
    assert two.stdout == one.stdout


@pytest.mark.parametrize("args, message", [
    (["--jobs", "0"], "--jobs"),
    (["--jobs", "two"], "--jobs"),
    (["--jobs", "2", "--timeline", "--plot", "out.png"], "--plot draws one recording"),
])
def test_bad_jobs_is_a_usage_error_before_the_model_loads(batch, tmp_path, args, message):
    proc = run_cli("classify", "--model", str(tmp_path / "no-such-model.onnx"), *args, batch[0],
                   cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and "no-such-model" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ctrl_c_stops_the_workers_and_exits_130(tmp_path):
    import signal
    import subprocess

    from support.cli import cli_command

    wav = write_wav(tmp_path / "speech.wav", to_int16(utterance(16000)), 16000)
    files = [str(wav)] * 400
    proc = subprocess.Popen([*cli_command(), "classify", "--json", "--model", "seed", "--jobs", "2", *files],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = proc.stdout.readline()  # the workers are running
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert json.loads(first)["file"] == str(wav)
    assert proc.returncode == 130 and "Traceback" not in err
    assert 1 + len(out.splitlines()) < len(files)
