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

from support.cli import cli_command
from support.signals import noise, to_int16, utterance, write_wav

RATE = 16000
#: Seconds from the signal to the summary line (the stream has stopped), and to the end of the
#: process (interpreter and onnxruntime teardown add 0.1-0.3 s on an idle 2-core VM, more when
#: the machine is overloaded, hence the looser bound).
SUMMARY_WITHIN, EXIT_WITHIN = 1.0, 3.0


def audio() -> np.ndarray:
    gap = noise(1.0, RATE, -70.0, seed=3)
    return np.concatenate([gap, utterance(RATE, 1), gap, utterance(RATE, 2), gap, utterance(RATE, 3), gap])


class Listen:
    """``ser-edge listen --json ARGS`` with stdout and stderr read by threads (no read can hang)."""

    def __init__(self, args: list[str], sigint: object = signal.SIG_DFL, **kwargs) -> None:
        # SIGINT's disposition in the child is set explicitly: a shell running the tests in the
        # background would otherwise hand it down ignored.
        self.proc = subprocess.Popen([*cli_command(), "listen", "--json", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, **kwargs,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
        self.err: list[tuple[float, str]] = []
        self.out: list[str] = []
        self._threads = [threading.Thread(target=self._read_err, daemon=True),
                         threading.Thread(target=lambda: self.out.extend(
                             line.decode() for line in self.proc.stdout), daemon=True)]
        for thread in self._threads:
            thread.start()

    def _read_err(self) -> None:
        for line in self.proc.stderr:
            self.err.append((time.monotonic(), line.decode().rstrip("\n")))

    def wait_for(self, text: str, timeout: float) -> tuple[float, str]:
        """(arrival time, line) of the first stderr line containing ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(self.err):
                if text in line:
                    return at, line
            time.sleep(0.02)
        raise AssertionError(f"no stderr line with {text!r} within {timeout} s: {self.err}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


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


def stop_and_check(listen: Listen, signum: int) -> tuple[float, list[dict]]:
    """Send ``signum``; check timing, summary and status; return the audio seconds and events."""
    name = signal.Signals(signum).name
    sent = time.monotonic()
    listen.proc.send_signal(signum)
    at, summary = listen.wait_for("summary:", timeout=10)
    status = listen.proc.wait(timeout=10)
    exit_after = time.monotonic() - sent
    for thread in listen._threads:
        thread.join(timeout=5)
    lines = [line for _, line in listen.err]
    assert status == 0, lines
    assert summary.startswith("ser-edge: summary:") and "overflows" in summary, lines
    assert lines[-1] == summary and not any("Traceback" in line for line in lines)
    assert at - sent < SUMMARY_WITHIN, f"summary {at - sent:.2f} s after {name}"
    assert exit_after < EXIT_WITHIN, f"exit {exit_after:.2f} s after {name}"
    print(f"{name}: summary after {at - sent:.3f} s, exit after {exit_after:.3f} s")
    seconds = float(summary.split("summary: ")[1].split(" s of audio")[0])
    return seconds, [json.loads(line) for line in listen.out]


def feed_stdin(sigint: object, signum: int, until_seconds: float) -> tuple[float, float, list[dict]]:
    """Start listen on a slowly fed pipe, signal it once ``until_seconds`` of audio were written
    (after it has started listening); (delivered seconds, summary seconds, events)."""
    # synthetic voices: the seed model labels them (the signal mechanics, not the model)
    listen = Listen(["--input", "-", "--rate", str(RATE), "--format", "s16le", "--model", "seed"],
                    sigint=sigint, stdin=subprocess.PIPE)
    halt, written = threading.Event(), [0]
    threading.Thread(target=feed_slowly, args=(listen.proc, audio(), halt, written), daemon=True).start()
    try:
        listen.wait_for("listening to <stdin>", timeout=60)  # the signal handlers are in place
        while written[0] < until_seconds * RATE:
            time.sleep(0.02)
        delivered = written[0] / RATE
        seconds, events = stop_and_check(listen, signum)
    finally:
        halt.set()
        listen.kill()
    return delivered, seconds, events


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_ends_listen_on_a_slow_stdin_pipe(signum):
    # past the first utterance's end, hang-over and context (1.0 + 2.5 + 0.6 + 0.5 s)
    delivered, seconds, events = feed_stdin(signal.SIG_DFL, signum, 4.8)
    assert delivered - 0.5 <= seconds <= delivered + 0.2  # what the pipe had delivered, not more
    assert len(events) >= 1 and all(e["end"] <= seconds + 0.05 for e in events)  # summary: 0.1 s steps


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_ends_listen_on_a_realtime_file(tmp_path, signum):
    path = write_wav(tmp_path / "talk.wav", to_int16(audio()), RATE)
    listen = Listen(["--input", str(path), "--realtime"])
    try:
        listen.wait_for("listening to", timeout=60)
        time.sleep(2.0)
        seconds, _ = stop_and_check(listen, signum)
    finally:
        listen.kill()
    assert 1.5 <= seconds <= 3.0


def test_sigint_works_even_when_started_with_sigint_ignored():
    """A background job of a non-interactive shell inherits SIGINT ignored; listen re-arms it."""
    delivered, seconds, _ = feed_stdin(signal.SIG_IGN, signal.SIGINT, 1.0)
    assert delivered - 0.5 <= seconds <= delivered + 0.2


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_utterance_in_progress_is_classified_on_stop(signum):
    """Stopped ~1.2 s into the first utterance (its speech runs from 1.5 to 3.0 s): its event
    still comes, and ends within the audio the process had read. The signal goes when 2.7 s were
    written: a loaded machine may have read up to 0.5 s less (at 2.4 s, 1 run in ~10 under load
    had read too little speech to open the gate, before and after issue 19), and even 0.2 s
    more is still inside the utterance."""
    delivered, seconds, events = feed_stdin(signal.SIG_DFL, signum, 2.7)
    assert delivered - 0.5 <= seconds <= delivered + 0.2
    assert len(events) == 1, events
    assert 1.3 <= events[0]["start"] <= 1.7 and events[0]["end"] <= seconds + 0.05
    assert events[0]["label"] is not None
