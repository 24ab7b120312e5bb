"""``ser-edge listen`` as users run it (subprocesses): file replay, stdin PCM, signals, bad devices."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import numpy as np
import pytest

from support.cli import cli_command, run_cli
from support.signals import noise, to_int16, utterance, write_wav

RATE = 16000


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    """Three speech-like utterances (0.5 s quiet, 1.5 s voice, 0.5 s quiet) with 1.5 s gaps."""
    gap = noise(1.5, RATE, -70.0, seed=7)
    x = np.concatenate([gap, utterance(RATE, 1), gap, utterance(RATE, 2), gap, utterance(RATE, 3), gap])
    return write_wav(tmp_path_factory.mktemp("talk") / "talk.wav", to_int16(x), RATE), x


def test_listen_input_json_gives_one_event_per_utterance(talk):
    path, _ = talk
    proc = run_cli("listen", "--input", str(path), "--json", "--model", "seed")  # synthetic voices
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    starts = [2.0, 6.0, 10.0]  # 1.5 s gap + 0.5 s quiet, then every 4 s
    assert len(events) == 3
    for ev, start in zip(events, starts, strict=True):
        assert list(ev) == ["start", "end", "label", "confidence", "scores", "speech", "arousal", "valence"]
        assert ev["start"] == pytest.approx(start, abs=0.1)
        assert ev["end"] == pytest.approx(start + 1.5, abs=0.15)
        assert ev["confidence"] == max(ev["scores"].values())
    assert "summary: 13.5 s of audio, 3 utterances, 3 events, 0 overflows" in proc.stderr


def test_stdin_pcm_gives_the_same_events_as_the_file(talk):
    path, x = talk
    from_file = run_cli("listen", "--input", str(path), "--json", "--mode", "window", "--model", "seed")
    piped = run_cli("listen", "--input", "-", "--rate", str(RATE), "--format", "f32le", "--json",
                    "--mode", "window", "--model", "seed", input=x.astype("<f4").tobytes().decode("latin-1"),
                    encoding="latin-1")
    assert from_file.returncode == piped.returncode == 0, piped.stderr
    a, b = (json.loads(line) for line in from_file.stdout.splitlines()), piped.stdout.splitlines()
    assert [(e["start"], e["end"], e["label"]) for e in a] == \
        [(e["start"], e["end"], e["label"]) for e in map(json.loads, b)]
    assert len(b) >= 3


def test_stdin_without_rate_is_a_usage_error():
    proc = run_cli("listen", "--input", "-", input="")
    assert proc.returncode == 2 and "--rate" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_listen_with_a_summary_and_exit_0(talk, signum):
    path, _ = talk
    proc = subprocess.Popen([*cli_command(), "listen", "--input", str(path), "--realtime", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    while line.startswith("ser-edge: warning:"):  # e.g. the input rate (the model's measured figures)
        line = proc.stderr.readline()
    assert "listening to" in line, line + proc.stderr.read()
    time.sleep(2.6)  # past the first utterance's end and hang-over
    sent = time.monotonic()
    proc.send_signal(signum)
    summary = proc.stderr.readline().strip()
    # the stream stops at once (~40 ms here; the bound is loose for busy CI machines), then the
    # interpreter exits (onnxruntime's teardown takes a few hundred ms more)
    assert time.monotonic() - sent < 2.0
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and err.strip() == ""
    assert summary.startswith("ser-edge: summary:") and "overflows" in summary
    seconds = float(summary.split("summary: ")[1].split(" s of audio")[0])
    assert 2.0 <= seconds < 13.5  # stopped part-way through the 13.5 s file
    # the summary rounds to 0.1 s; an utterance in progress at the signal ends up to the last sample
    assert all(json.loads(line)["end"] <= seconds + 0.05 for line in out.splitlines())


def test_unknown_device_is_one_line_and_exit_1():
    proc = run_cli("listen", "--device", "no-such-device-xyz")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    ours = [line for line in proc.stderr.splitlines() if line.startswith("ser-edge:")]
    assert len(ours) == 1 and "no-such-device-xyz" in ours[0]


def test_missing_input_file_is_one_line_and_exit_1(tmp_path):
    proc = run_cli("listen", "--input", str(tmp_path / "nope.wav"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "nope.wav" in proc.stderr


def test_a_consumer_slower_than_real_time_loses_counted_audio(tmp_path):
    x = np.concatenate([noise(0.5, RATE, -70.0), utterance(RATE, 4), noise(0.5, RATE, -70.0)])
    path = write_wav(tmp_path / "short.wav", to_int16(x), RATE)  # 3.5 s
    proc = run_cli("listen", "--input", str(path), "--realtime", "--json", "--queue-seconds", "0.25",
                   "--slow-consumer", "0.15")  # 3x slower than the 50 ms blocks arrive
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "warning: audio lost" in proc.stderr
    summary = proc.stderr.strip().splitlines()[-1]
    overflows = int(summary.split(" overflows")[0].rsplit(" ", 1)[1])
    lost = float(summary.split("(")[1].split(" s lost")[0])
    seconds = float(summary.split("summary: ")[1].split(" s of audio")[0])
    assert overflows > 5 and lost > 0.5 and seconds <= 3.5
    fields = {"start", "end", "label", "confidence", "scores", "speech", "arousal", "valence"}
    assert all(set(json.loads(line)) == fields for line in proc.stdout.splitlines())
