"""Audio-level augmentation at 16 kHz: gain, additive noise, band limits, speed, reverberation.

Each named variant is a deterministic function of (signal, rng); ``VARIANTS`` lists what the
feature cache computes per clip. Speed changes the time axis: :func:`time_scale` says by how
much, so the clean clip's speech mask can be mapped onto the variant.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import butter, fftconvolve, resample_poly, sosfiltfilt

SR = 16000
GAIN_RANGE_DB = 20.0
SNRS_DB = (5.0, 10.0, 20.0, 30.0)
TELEPHONE_BAND_HZ = (300.0, 3400.0)
BAND_ORDER = 6
SPEEDS = (0.9, 1.1)
SPEED_DEN = 10
RT60_RANGE_S = (0.2, 0.7)
RIR_LENGTH_S = 0.5
ACTIVE_QUANTILE = 50.0
_FLOOR = 1e-12


def gain(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random gain, uniform in +-GAIN_RANGE_DB (no clipping: features are float)."""
    return x * 10.0 ** (rng.uniform(-GAIN_RANGE_DB, GAIN_RANGE_DB) / 20.0)


def active_power(x: np.ndarray, frame: int = 400) -> float:
    """Mean power of the louder half of 25 ms frames (the speech, not the silence)."""
    n = len(x) // frame
    if n == 0:
        return float(np.mean(x**2) + _FLOOR)
    power = np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)
    return float(power[power >= np.percentile(power, ACTIVE_QUANTILE)].mean() + _FLOOR)


def add_noise(x: np.ndarray, rng: np.random.Generator, snr_db: float | None = None) -> np.ndarray:
    """White or brown-ish (integrated) noise at an SNR from SNRS_DB relative to the active power."""
    snr = rng.choice(SNRS_DB) if snr_db is None else snr_db
    noise = rng.standard_normal(len(x))
    if rng.random() < 0.5:
        noise = np.cumsum(noise)
        noise -= np.convolve(noise, np.ones(SR // 100) / (SR // 100), mode="same")
    noise *= np.sqrt(active_power(x) / 10.0 ** (snr / 10.0) / (np.mean(noise**2) + _FLOOR))
    return x + noise


def band8k(x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Through an 8 kHz sample rate and back (4 kHz bandwidth), same length."""
    return resample_poly(resample_poly(x, 1, 2), 2, 1)[: len(x)]


def telephone(x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Telephone band: 300-3400 Hz band-pass after the 8 kHz round trip."""
    sos = butter(BAND_ORDER, TELEPHONE_BAND_HZ, btype="bandpass", fs=SR, output="sos")
    return sosfiltfilt(sos, band8k(x))


def speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Speed (tempo and pitch) by ``factor`` via resampling: length / factor."""
    num = int(round(SPEED_DEN * factor))
    return resample_poly(x, SPEED_DEN, num)


def reverb(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Convolution with an exponentially decaying noise impulse response (RT60 from RT60_RANGE_S)."""
    rt60 = rng.uniform(*RT60_RANGE_S)
    t = np.arange(int(RIR_LENGTH_S * SR)) / SR
    rir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    rir[0] = 1.0
    wet = fftconvolve(x, rir)[: len(x)]
    return wet * np.sqrt(active_power(x) / active_power(wet))


def _speed_variant(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return gain(speed(x, SPEEDS[int(rng.integers(len(SPEEDS)))]), rng)


VARIANTS: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "clean": lambda x, rng: x,
    "band8k": band8k,
    "noise": lambda x, rng: gain(add_noise(x, rng), rng),
    "telephone": lambda x, rng: gain(add_noise(telephone(x), rng, SNRS_DB[-1]), rng),
    "speed": _speed_variant,
    "reverb": lambda x, rng: gain(reverb(x, rng), rng),
}


def time_scale(n_in: int, n_out: int) -> float:
    """Output frames per input frame of a variant (1 unless its length changed)."""
    return n_out / max(n_in, 1)
