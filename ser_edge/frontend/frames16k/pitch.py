"""Fundamental frequency and voicing by YIN (de Cheveigné & Kawahara 2002), vectorised numpy.

Pitch frame ``i`` has ``spec.pitch_len`` samples centred on spectral frame ``i`` (it starts
``spec.pitch_offset`` samples before ``i * spec.hop``), so F0 lines up with the filterbank
frames one for one.
"""

from __future__ import annotations

import numpy as np

from .spec import Frames16kSpec

_FLOOR = 1e-12  # guards divisions by an all-zero difference function


def lag_range(spec: Frames16kSpec) -> tuple[int, int]:
    """Smallest and largest lag in samples searched for a period: (sr/f0_max, sr/f0_min)."""
    return int(np.ceil(spec.sample_rate / spec.f0_max)), int(spec.sample_rate // spec.f0_min)


def cmnd(frames: np.ndarray, tau_max: int) -> np.ndarray:
    """Cumulative mean normalised difference d'(tau), shape (n, tau_max + 1).

    ``frames``: (n, L) float64 with ``L > tau_max``; the integration window is ``L - tau_max``.
    d(tau) = E(0) + E(tau) - 2 r(tau), with r the cross-correlation computed by one FFT.
    """
    n, length = frames.shape
    width = length - tau_max
    size = 1 << int(np.ceil(np.log2(length + width)))
    spec_all = np.fft.rfft(frames, size, axis=1)
    spec_head = np.fft.rfft(frames[:, :width], size, axis=1)
    corr = np.fft.irfft(np.conj(spec_head) * spec_all, size, axis=1)[:, : tau_max + 1]
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(frames**2, axis=1)], axis=1)
    lags = np.arange(tau_max + 1)
    energy_lag = csum[:, lags + width] - csum[:, lags]
    diff = energy_lag[:, :1] + energy_lag - 2.0 * corr
    diff[:, 0] = 0.0
    running = np.cumsum(diff[:, 1:], axis=1)
    out = np.ones_like(diff)
    out[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(running, _FLOOR)
    return out


def pick_lag(dprime: np.ndarray, tau_min: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """YIN's absolute threshold step: the minimum of the first dip below ``threshold``.

    Returns (lag index (n,) int, voiced (n,) bool); unvoiced frames get the global minimum.
    """
    lags = np.arange(dprime.shape[1])
    below = (dprime < threshold) & (lags >= tau_min)
    voiced = below.any(axis=1)
    first = np.argmax(below, axis=1)
    after = lags[None, :] >= first[:, None]
    in_run = after & below & (np.cumsum(after & ~below, axis=1) == 0)
    searched = np.where(lags >= tau_min, dprime, np.inf)
    tau = np.where(voiced, np.argmin(np.where(in_run, dprime, np.inf), axis=1), np.argmin(searched, axis=1))
    return tau, voiced


def refine_lag(dprime: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Parabolic interpolation of the lag around its minimum; (n,) float64 lags in samples."""
    rows = np.arange(len(tau))
    lo = np.clip(tau - 1, 0, dprime.shape[1] - 1)
    hi = np.clip(tau + 1, 0, dprime.shape[1] - 1)
    a, b, c = dprime[rows, lo], dprime[rows, tau], dprime[rows, hi]
    denom = a - 2.0 * b + c
    shift = np.where(np.abs(denom) > _FLOOR, 0.5 * (a - c) / np.where(denom == 0, 1.0, denom), 0.0)
    return tau + np.clip(shift, -1.0, 1.0)


def yin(frames: np.ndarray, spec: Frames16kSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """F0 of each pitch frame.

    ``frames``: (n, spec.pitch_len) raw (not pre-emphasised) samples.
    Returns ``f0_hz`` (n,) (0 where unvoiced), ``periodicity`` (n,) in [0, 1] (1 - d'(tau)),
    ``voiced`` (n,) bool (a dip below the threshold and RMS above ``pitch_min_rms_db``).
    """
    frames = np.asarray(frames, dtype=np.float64)
    if len(frames) == 0:
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, dtype=bool)
    tau_min, tau_max = lag_range(spec)
    dprime = cmnd(frames, tau_max)
    tau, voiced = pick_lag(dprime, tau_min, spec.yin_threshold)
    rms_db = 10.0 * np.log10(np.mean(frames**2, axis=1) + _FLOOR)
    voiced &= rms_db > spec.pitch_min_rms_db
    periodicity = np.clip(1.0 - dprime[np.arange(len(tau)), tau], 0.0, 1.0)
    f0 = np.where(voiced, spec.sample_rate / np.maximum(refine_lag(dprime, tau), 1.0), 0.0)
    return f0, periodicity, voiced


def semitones(f0_hz: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """F0 in semitones above ``spec.semitone_ref_hz``; NaN where ``f0_hz`` is 0 (unvoiced)."""
    f0 = np.asarray(f0_hz, dtype=np.float64)
    out = np.full(f0.shape, np.nan)
    pos = f0 > 0
    out[pos] = 12.0 * np.log2(f0[pos] / spec.semitone_ref_hz)
    return out
