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


def karplus_strong(freq: float, seconds: float, rate: int = SR, seed: int = 0) -> np.ndarray:
    """A plucked string (Karplus-Strong: a noise burst in a damped delay line) at ``freq`` Hz."""
    period = max(2, int(round(rate / freq)))
    line = np.random.default_rng(seed).uniform(-1.0, 1.0, period)
    out = np.empty(int(seconds * rate))
    for i in range(len(out)):
        out[i] = line[i % period]
        line[i % period] = 0.996 * 0.5 * (line[i % period] + line[(i + 1) % period])
    return out


def plucked_melody(rate: int = SR, amp: float = 0.4) -> np.ndarray:
    """Eight plucked notes of 0.4 s (C major up and down), peak ``amp``."""
    notes = [262.0, 294.0, 330.0, 392.0, 440.0, 392.0, 330.0, 262.0]
    x = np.concatenate([karplus_strong(f, 0.4, rate, seed=i) for i, f in enumerate(notes)])
    return amp * x / np.max(np.abs(x))


def chirp(rate: int = SR, seconds: float = 2.0, f0: float = 200.0, f1: float = 4000.0) -> np.ndarray:
    """A linear sine sweep from ``f0`` to ``f1`` Hz, amplitude 0.3."""
    t = np.arange(int(seconds * rate)) / rate
    return 0.3 * np.sin(2 * np.pi * (f0 * t + (f1 - f0) * t ** 2 / (2 * seconds)))


def non_speech(rate: int = SR) -> dict[str, np.ndarray]:
    """Sounds that are not speech, at ``rate`` Hz: beeps, a tone, a chirp, noise, a plucked melody."""
    t = np.arange(int(0.3 * rate)) / rate
    beep = np.concatenate([0.3 * np.sin(2 * np.pi * 1000.0 * t), np.zeros(rate // 2)])
    return {
        "beeps_1k": np.tile(beep, 3),
        "tone_440": 0.3 * np.sin(2 * np.pi * 440.0 * np.arange(2 * rate) / rate),
        "chirp": chirp(rate),
        "white_noise": 0.05 * np.random.default_rng(0).standard_normal(2 * rate),
        "plucked_melody": plucked_melody(rate),
    }
