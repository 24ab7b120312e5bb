"""A synthetic speech-like signal that Silero marks as speech (no shared data needed).

Source-filter synthesis: a glottal pulse train whose pitch glides within each syllable, shaped
by three formant resonators that move from one vowel to the next, under a syllable envelope,
with fricative-like noise bursts; phrases of a few syllables separated by pauses in low
background noise. Silero (through the frames16k speech detector, streaming gain) marks about
60 % of its chunks as speech and its pauses as not.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

#: Formant frequencies (Hz) and bandwidths (Hz) of a few vowels (adult male, rounded).
VOWELS = {
    "a": ((730, 1090, 2440), (90, 110, 170)),
    "i": ((270, 2290, 3010), (60, 100, 200)),
    "u": ((300, 870, 2240), (60, 90, 170)),
    "e": ((530, 1840, 2480), (70, 100, 170)),
    "o": ((570, 840, 2410), (80, 90, 160)),
}
#: Samples per step of the moving formant filters (10 ms at 16 kHz).
FORMANT_STEP = 160


def glottal_source(f0: np.ndarray, rate: int) -> np.ndarray:
    """A pulse train following the pitch contour ``f0`` (Hz per sample), low-passed like a glottal
    flow derivative (about -12 dB per octave above f0), float64 (len(f0),)."""
    phase = np.cumsum(f0 / rate)
    pulses = np.diff(np.floor(phase), prepend=0.0)
    return lfilter([1.0], [1.0, -1.94, 0.9409], pulses)  # double pole at 0.97


def resonator(freq: float, bandwidth: float, rate: int) -> list[float]:
    """The denominator of a two-pole resonator at ``freq`` Hz (unit gain at 0 Hz: numerator sum)."""
    r = np.exp(-np.pi * bandwidth / rate)
    return [1.0, -2 * r * np.cos(2 * np.pi * freq / rate), r * r]


def moving_formants(x: np.ndarray, start: str, end: str, rate: int) -> np.ndarray:
    """``x`` through three formant resonators gliding from vowel ``start`` to vowel ``end``."""
    out, states = np.empty_like(x), [np.zeros(2) for _ in range(3)]
    (f_a, bws), (f_b, _) = VOWELS[start], VOWELS[end]
    for s in range(0, len(x), FORMANT_STEP):
        t = s / max(1, len(x) - 1)
        seg = x[s:s + FORMANT_STEP]
        for j in range(3):
            a = resonator((1 - t) * f_a[j] + t * f_b[j], bws[j], rate)
            seg, states[j] = lfilter([sum(a)], a, seg, zi=states[j])
        out[s:s + FORMANT_STEP] = seg
    return out


def fricative(rate: int, rng: np.random.Generator) -> np.ndarray:
    """80 ms of high-passed noise under a Hann envelope (an "s"/"f"-like consonant)."""
    n = int(0.08 * rate)
    hiss = lfilter([1.0, -1.0], [1.0, -0.3], rng.standard_normal(n))
    return 0.15 * hiss / np.max(np.abs(hiss)) * np.hanning(n)


def syllable(rate: int, rng: np.random.Generator, f0_start: float, f0_end: float) -> np.ndarray:
    """One syllable: 0.18-0.32 s voiced (pitch glide with vibrato and drift, moving formants,
    rise-and-fall envelope), half of them with a fricative before or after."""
    n = int(rng.uniform(0.18, 0.32) * rate)
    f0 = np.linspace(f0_start, f0_end, n) * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * np.arange(n) / rate))
    f0 *= 1 + 0.005 * rng.standard_normal(n).cumsum() / np.sqrt(n)
    names = list(VOWELS)
    voiced = moving_formants(glottal_source(f0, rate), rng.choice(names), rng.choice(names), rate)
    voiced *= np.sin(np.pi * np.arange(n) / n) ** 0.6 / (np.max(np.abs(voiced)) + 1e-12)
    if rng.random() >= 0.5:
        return voiced
    if rng.random() < 0.5:
        return np.concatenate([fricative(rate, rng), np.zeros(int(0.01 * rate)), voiced])
    return np.concatenate([voiced, fricative(rate, rng)])


def speechlike(rate: int = 16000, phrases: int = 4, seed: int = 0, level: float = 0.3) -> np.ndarray:
    """``phrases`` phrases of 3-6 syllables (pitch gliding around 110-170 Hz, falling at the end
    of a phrase), separated by 0.6-1.2 s pauses, in -60 dBFS noise; peak ``level``.

    Returns float32 (n,) at ``rate`` Hz (about 2 s per phrase).
    """
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(0.5 * rate))]
    for _ in range(phrases):
        count = int(rng.integers(3, 7))
        pitch = rng.uniform(110, 170, count + 1)
        pitch[-1] *= 0.8  # a falling end of phrase
        for k in range(count):
            parts += [syllable(rate, rng, pitch[k], pitch[k + 1]),
                      np.zeros(int(rng.uniform(0.02, 0.06) * rate))]
        parts.append(np.zeros(int(rng.uniform(0.6, 1.2) * rate)))
    x = np.concatenate(parts)
    x = level * x / np.max(np.abs(x))
    return (x + 1e-3 * rng.standard_normal(len(x))).astype(np.float32)
