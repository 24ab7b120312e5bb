"""Helpers shared by the soak tests (test_soak.py, test_listen_soak.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

LABELS = {"neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"}


def rss_mb(pid: int) -> float:
    """Resident set size of process ``pid`` in MB (VmRSS of /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def check_event(ev: dict, duration: float) -> None:
    """One JSON event of ``listen``: its keys, times within the stream, finite scores summing to 1."""
    assert list(ev) == ["start", "end", "label", "confidence", "scores", "speech", "arousal", "valence"], ev
    assert 0.0 <= ev["start"] < ev["end"] <= duration + 1e-6
    assert ev["label"] in LABELS and set(ev["scores"]) == LABELS
    assert 0.0 <= ev["arousal"] <= 1.0 and 0.0 <= ev["valence"] <= 1.0  # the shipped models have them
    values = list(ev["scores"].values())
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)
    assert sum(values) == pytest.approx(1.0, abs=2e-3) and ev["confidence"] == max(values)
