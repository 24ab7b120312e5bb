"""Signals and the shared example recordings at 16 kHz for the frame-frontend tests."""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
import pytest

from support.paths import EXAMPLES

SR = 16000


def read_example_16k(path: Path) -> np.ndarray:
    """A shared example file as 16 kHz mono float64 (scipy polyphase resampling)."""
    sf = pytest.importorskip("soundfile")
    from scipy.signal import resample_poly

    audio, rate = sf.read(str(path), dtype="float64", always_2d=True)
    div = gcd(int(rate), SR)
    return resample_poly(audio.mean(axis=1), SR // div, int(rate) // div)


def speech_files() -> list[Path]:
    """The shared example recordings (skip when ../shared/data is absent, e.g. a fresh clone)."""
    files = sorted(EXAMPLES.glob("*.wav"))
    if not files:
        pytest.skip(f"shared example recordings not found under {EXAMPLES} (../shared/data absent)")
    return files


def tone(freq: float, seconds: float, amp: float = 0.3) -> np.ndarray:
    """A sine at ``freq`` Hz, 16 kHz."""
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)
