"""Soak: 10 minutes of audio with faults through ``ser-edge listen --input -`` (float PCM on stdin).

Faults: digital-silence gaps, clipped bursts, DC offsets, bursts of NaN and Inf. Every event
must be well-formed, every non-finite sample reported, memory flat from minute 1 to minute 10.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time

import numpy as np
import pytest

from support.cli import cli_command
from support.signals import noise, voiced
from support.soak import check_event, rss_mb

pytestmark = pytest.mark.slow

RATE = 16000
MINUTES = 10


def faulty_minute(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """One minute: utterances in room noise, with every kind of fault; (samples, non-finite count)."""
    parts, t = [], 0.0
    while t < 57.0:
        gap, speech = rng.uniform(0.8, 3.0), rng.uniform(0.8, 3.0)
        parts += [noise(gap, RATE, -60.0, seed=int(rng.integers(1 << 30))),
                  voiced(speech, RATE, f0=rng.uniform(90, 250), level_db=rng.uniform(-35, -15),
                         seed=int(rng.integers(1 << 30)))]
        t += gap + speech
    x = np.concatenate(parts)
    x = np.concatenate([x, noise(max(0.0, 60.0 - len(x) / RATE) + 0.1, RATE, -60.0)])[:60 * RATE]
    x = x.astype(np.float32)
    a = int(rng.integers(0, 50 * RATE))
    x[a:a + 2 * RATE] = 0.0                                            # a dead input
    b = int(rng.integers(0, 55 * RATE))
    x[b:b + RATE] = np.clip(x[b:b + RATE] * 40.0, -1.0, 1.0)           # clipping
    c = int(rng.integers(0, 50 * RATE))
    x[c:c + 5 * RATE] += 0.25                                          # DC offset
    bad = 0
    for _ in range(3):                                                 # NaN / Inf bursts
        d, n = int(rng.integers(0, 59 * RATE)), int(rng.integers(1, 400))
        x[d:d + n] = rng.choice([np.nan, np.inf, -np.inf])
    bad = int(np.count_nonzero(~np.isfinite(x)))
    return x, bad


def test_ten_minutes_with_faults_through_stdin():
    rng = np.random.default_rng(2024)
    # synthetic voices: the seed model labels every one (the soak is about the stream, not the model)
    proc = subprocess.Popen([*cli_command(), "listen", "--input", "-", "--rate", str(RATE), "--format",
                             "f32le", "--json", "--model", "seed"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rss, bad_total = {}, 0
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True)
    reader.start()
    for minute in range(1, MINUTES + 1):
        x, bad = faulty_minute(rng)
        bad_total += bad
        proc.stdin.write(x.astype("<f4").tobytes())  # blocks until listen has read most of it
        proc.stdin.flush()
        if minute in (1, MINUTES):
            time.sleep(0.5)
            rss[minute] = rss_mb(proc.pid)
    proc.stdin.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    reader.join(timeout=10)
    assert "Traceback" not in err
    events = [json.loads(line) for line in out]
    for ev in events:
        check_event(ev, MINUTES * 60.0)
    assert [e["start"] for e in events] == sorted(e["start"] for e in events)
    assert len(events) > 100  # about 20 utterances a minute were spoken
    summary = err.strip().splitlines()[-1]
    assert f"summary: {MINUTES * 60:.1f} s of audio" in summary and "0 overflows" in summary
    assert f"{bad_total} non-finite samples zeroed" in summary  # every bad sample reported
    assert rss[MINUTES] - rss[1] < 25.0, rss  # memory flat (MB)
