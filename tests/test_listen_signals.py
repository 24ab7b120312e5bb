"""SIGINT and SIGTERM end ``ser-edge listen`` within 1 s with a summary and exit status 0:
raw PCM fed slowly through a pipe (``--input -``, the process blocks reading stdin) and a
file replayed in ``--realtime`` (the process waits on its queue)."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

from conftest import cli_command
from signals import noise, to_int16, utterance, write_wav

RATE = 16000
#: Seconds from the signal to the summary line (the stream has stopped), and to the end of the
#: process (interpreter and onnxruntime teardown add 0.1-0.3 s on an idle 2-core VM, more when
#: the machine is overloaded, hence the looser bound).
SUMMARY_WITHIN, EXIT_WITHIN = 1.0, 3.0


def audio() -> np.ndarray:
    gap = noise(1.0, RATE, -70.0, seed=3)
    return np.concatenate([gap, utterance(RATE, 1), gap, utterance(RATE, 2), gap, utterance(RATE, 3), gap])


def start(args: list[str], **kwargs) -> subprocess.Popen:
    # SIGINT back to its default in the child: a shell running the tests in the background
    # would otherwise hand it down ignored, and Python then never raises KeyboardInterrupt.
    return subprocess.Popen([*cli_command(), "listen", "--json", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def feed_slowly(proc: subprocess.Popen, x: np.ndarray, stop: threading.Event, written: list[int]) -> None:
    """Write 50 ms blocks of s16le at real-time pace until stopped or the reader is gone;
    ``written[0]`` counts the samples handed to the pipe."""
    pcm, block = to_int16(x).tobytes(), int(0.05 * RATE) * 2
    for start_byte in range(0, len(pcm), block):
        if stop.is_set():
            return
        try:
            proc.stdin.write(pcm[start_byte:start_byte + block])
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            return
        written[0] += len(pcm[start_byte:start_byte + block]) // 2
        time.sleep(0.05)


def stop_and_check(proc: subprocess.Popen, signum: int, err_lines: list[str]) -> tuple[float, list[dict]]:
    """Send ``signum``; check timing, summary and status; return the audio seconds and events."""
    sent = time.monotonic()
    proc.send_signal(signum)
    summary = ""
    while time.monotonic() - sent < 5.0:
        line = proc.stderr.readline().decode()
        if not line or "summary:" in line:
            summary = line.strip()
            break
        err_lines.append(line)
    summary_after = time.monotonic() - sent
    out, rest = (b.decode() for b in proc.communicate(timeout=10))
    exit_after = time.monotonic() - sent
    assert proc.returncode == 0, (summary, rest)
    assert summary.startswith("ser-edge: summary:") and "overflows" in summary, (summary, err_lines)
    assert "Traceback" not in rest + "".join(err_lines) and rest.strip() == ""
    name = signal.Signals(signum).name
    assert summary_after < SUMMARY_WITHIN, f"summary {summary_after:.2f} s after {name}"
    assert exit_after < EXIT_WITHIN, f"exit {exit_after:.2f} s after the signal"
    print(f"{name}: summary after {summary_after:.3f} s, exit after {exit_after:.3f} s")
    seconds = float(summary.split("summary: ")[1].split(" s of audio")[0])
    return seconds, [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_ends_listen_on_a_slow_stdin_pipe(signum):
    proc = start(["--input", "-", "--rate", str(RATE), "--format", "s16le"], stdin=subprocess.PIPE)
    halt, written = threading.Event(), [0]
    feeder = threading.Thread(target=feed_slowly, args=(proc, audio(), halt, written), daemon=True)
    feeder.start()
    err: list[str] = []
    try:
        first = proc.stderr.readline().decode()
        err.append(first)
        assert "listening to <stdin>" in first or "warning" in first, first
        while written[0] < 4.8 * RATE:  # past the first utterance's end, hang-over and context
            time.sleep(0.05)
        delivered = written[0] / RATE
        seconds, events = stop_and_check(proc, signum, err)
    finally:
        halt.set()
        if proc.poll() is None:
            proc.kill()
    assert delivered - 0.5 <= seconds <= delivered + 0.2  # what the pipe had delivered, not more
    assert len(events) >= 1 and all(e["end"] <= seconds for e in events)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_ends_listen_on_a_realtime_file(tmp_path, signum):
    path = write_wav(tmp_path / "talk.wav", to_int16(audio()), RATE)
    proc = start(["--input", str(path), "--realtime"])
    err: list[str] = []
    try:
        line = ""
        while "listening to" not in line:
            line = proc.stderr.readline().decode()
            assert line, "listen ended before it started listening"
            err.append(line)
        time.sleep(2.0)
        seconds, _ = stop_and_check(proc, signum, err)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert 1.5 <= seconds <= 3.0
