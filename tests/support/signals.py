"""Synthetic test signals (no shared data needed): speech-like bursts, silence, WAV writing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import wavfile


def voiced(
    seconds: float, rate: int, f0: float = 140.0, level_db: float = -20.0, seed: int = 0
) -> np.ndarray:
    """A speech-like vowel: harmonics of ``f0`` Hz with a 4 Hz syllable envelope.

    Returns float32 (round(seconds * rate),) whose RMS is about ``level_db`` dBFS.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(seconds * rate))) / rate
    wobble = f0 * (1 + 0.03 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(wobble) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 30) if k * f0 < rate / 2)
    x = x * (0.55 - 0.45 * np.cos(2 * np.pi * 4 * t)) + 0.01 * rng.standard_normal(len(t))
    x *= 10 ** (level_db / 20) / (np.sqrt(np.mean(x**2)) + 1e-12)
    return x.astype(np.float32)


def noise(seconds: float, rate: int, level_db: float, seed: int = 1) -> np.ndarray:
    """White noise at ``level_db`` dBFS RMS, float32."""
    rng = np.random.default_rng(seed)
    return (10 ** (level_db / 20) * rng.standard_normal(int(round(seconds * rate)))).astype(np.float32)


def utterance(rate: int, seed: int = 0) -> np.ndarray:
    """0.5 s of quiet, 1.5 s of speech-like sound, 0.5 s of quiet (float32)."""
    quiet = noise(0.5, rate, -70.0, seed)
    return np.concatenate([quiet, voiced(1.5, rate, seed=seed), quiet])


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Write ``samples`` as a WAV file in their own dtype; returns ``path``."""
    wavfile.write(str(path), rate, samples)
    return path


def to_int16(x: np.ndarray) -> np.ndarray:
    """Float in [-1, 1] -> int16 PCM."""
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


#: Speech bursts (start, end) in seconds of an 11 s test stream: three utterances.
BURST_TIMES = [(1.0, 2.5), (4.5, 6.5), (8.0, 9.2)]


def bursts(rate: int, times: list[tuple[float, float]], total: float, noise_db: float = -60.0,
           speech_db: float = -20.0) -> np.ndarray:
    """Noise at ``noise_db`` with speech-like bursts over the (start, end) seconds in ``times``."""
    x = noise(total, rate, noise_db, seed=3)
    for i, (a, b) in enumerate(times):
        ia = int(a * rate)
        x[ia:ia + round((b - a) * rate)] += voiced(b - a, rate, level_db=speech_db, seed=i)
    return x
