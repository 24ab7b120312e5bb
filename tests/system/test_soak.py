"""Soak: 10 minutes of faulty audio through ``ser-edge listen --input - --format f32le --rate 16000
--json --mode window --smooth 3``, as fast as the CPU allows.

tests/test_listen_soak.py soaks the default utterance mode; this one soaks the window mode
with score smoothing (the other segmenter and the smoother's state), with real speech (the
shared example recordings when present) between synthetic bursts, and with every fault:
4 s gaps of digital silence, clipping, DC offset, bursts of NaN/+Inf/-Inf, loud noise bursts.
Checked: every output line is a well-formed event; no event lies inside digital silence;
every non-finite sample is counted in the summary; no audio is lost (0 overflows, the
summary's duration is exactly what was written); RSS grows < 10 MB from minute 1 to the end.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import resample

from support.cli import cli_command
from support.paths import EXAMPLES
from support.signals import noise, voiced
from support.soak import check_event, rss_mb

pytestmark = pytest.mark.slow

RATE, MINUTES = 16000, 10


def speech_sources() -> list[np.ndarray]:
    """The shared example recordings at 16 kHz (when present) as float32 arrays."""
    out = []
    for path in sorted(EXAMPLES.glob("*.wav")):
        x, rate = read_audio(path)
        out.append(resample(x, rate, RATE))
    return out


def faulty_minute(rng: np.random.Generator, speech: list[np.ndarray]) -> tuple[np.ndarray, int, list]:
    """One minute: speech (recorded or synthetic) in room noise, with faults injected.

    Returns (samples, number of non-finite samples, [(start, end) of digital silence in s]).
    """
    parts, n = [], 0
    while n < 60 * RATE:
        gap = noise(rng.uniform(0.5, 2.0), RATE, -60.0, seed=int(rng.integers(1 << 30)))
        if speech and rng.random() < 0.5:
            talk = speech[int(rng.integers(len(speech)))] * np.float32(rng.uniform(0.3, 2.0))
        else:
            talk = voiced(rng.uniform(0.8, 3.0), RATE, f0=rng.uniform(90, 250),
                          level_db=rng.uniform(-35, -15), seed=int(rng.integers(1 << 30)))
        parts += [gap, talk.astype(np.float32)]
        n += len(gap) + len(talk)
    x = np.concatenate(parts)[:60 * RATE].astype(np.float32)
    b = int(rng.integers(0, 55 * RATE))
    x[b:b + RATE] = np.clip(x[b:b + RATE] * 50.0, -1.0, 1.0)                # clipping
    c = int(rng.integers(0, 50 * RATE))
    x[c:c + 5 * RATE] += np.float32(rng.choice([-0.3, 0.3]))                 # DC offset
    d = int(rng.integers(0, 58 * RATE))
    x[d:d + RATE // 2] = noise(0.5, RATE, -3.0, seed=int(rng.integers(1 << 30)))  # loud noise
    for _ in range(4):                                                       # NaN / Inf bursts
        e, m = int(rng.integers(0, 59 * RATE)), int(rng.integers(1, 800))
        x[e:e + m] = rng.choice([np.nan, np.inf, -np.inf])
    a = int(rng.integers(0, 55 * RATE))
    x[a:a + 4 * RATE] = 0.0                                                  # a dead input, last
    return x, int(np.count_nonzero(~np.isfinite(x))), [(a / RATE, a / RATE + 4.0)]


def test_ten_minutes_window_mode_with_faults_through_stdin():
    rng = np.random.default_rng(6)
    speech = speech_sources()
    began = time.monotonic()
    proc = subprocess.Popen([*cli_command(), "listen", "--input", "-", "--format", "f32le", "--rate",
                             str(RATE), "--json", "--mode", "window", "--smooth", "3"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True)
    reader.start()
    rss, bad_total, silences = {}, 0, []
    for minute in range(MINUTES):
        x, bad, dead = faulty_minute(rng, speech)
        bad_total += bad
        silences += [(minute * 60 + a, minute * 60 + b) for a, b in dead]
        proc.stdin.write(x.astype("<f4").tobytes())  # blocks while listen is busy: nothing is dropped
        proc.stdin.flush()
        if minute + 1 in (1, MINUTES):
            time.sleep(0.5)
            rss[minute + 1] = rss_mb(proc.pid)
    proc.stdin.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    reader.join(timeout=10)
    wall = time.monotonic() - began
    assert "Traceback" not in err
    events = [json.loads(line) for line in out]
    for ev in events:
        check_event(ev, MINUTES * 60.0)
        assert not any(a <= ev["start"] and ev["end"] <= b for a, b in silences), ev  # none from silence
    starts = [e["start"] for e in events]
    assert starts == sorted(starts) and len(events) > 100
    summary = err.strip().splitlines()[-1]
    assert f"summary: {MINUTES * 60:.1f} s of audio" in summary and " 0 overflows (0.00 s lost)" in summary
    assert f"{bad_total} non-finite samples zeroed" in summary  # every bad sample reported
    print(f"soak: {MINUTES} min of audio in {wall:.1f} s wall, {len(events)} events, "
          f"{bad_total} non-finite samples, RSS {rss[1]:.1f} MB at 1 min, {rss[MINUTES]:.1f} MB at the end")
    assert rss[MINUTES] - rss[1] < 10.0, rss  # memory flat (MB)
