"""Fundamental frequency and voicing by YIN (de Cheveigné & Kawahara 2002), vectorised numpy.

Pitch frame ``i`` has ``spec.pitch_len`` samples centred on spectral frame ``i`` (it starts
``spec.pitch_offset`` samples before ``i * spec.hop``), so F0 lines up with the filterbank
frames one for one. Frames are independent (no state), so the frontend runs YIN only on
the frames pooling reads F0 from (the speech frames), in blocks of BLOCK_FRAMES. The
difference function takes three FFTs of length ``pitch_len`` per frame (the shortest with no
wrap-around at the lags searched); float64, as numpy's float32 FFT is slower, not faster.
"""

from __future__ import annotations

import numpy as np

from .spec import Frames16kSpec

_FLOOR = 1e-12  # guards divisions by an all-zero difference function
#: Frames per YIN pass: a block's FFTs and difference functions (~128 x 640 x 8 bytes each)
#: stay in a core's L2 cache.
BLOCK_FRAMES = 128


def lag_range(spec: Frames16kSpec) -> tuple[int, int]:
    """Smallest and largest lag in samples searched for a period: (sr/f0_max, sr/f0_min)."""
    return int(np.ceil(spec.sample_rate / spec.f0_max)), int(spec.sample_rate // spec.f0_min)


def cmnd(frames: np.ndarray, tau_max: int) -> np.ndarray:
    """Cumulative mean normalised difference d'(tau), shape (n, tau_max + 1).

    ``frames``: (n, L) float64 with ``L > tau_max``; the integration window is ``W = L - tau_max``.
    d(tau) = E(0) + E(tau) - 2 r(tau), with r(tau) = sum_{j < W} x[j] x[j + tau] from one FFT
    of length L: a circular correlation, whose wrap-around reaches only lags above
    ``L - W = tau_max``, so lags up to ``tau_max`` are exact.
    """
    n, length = frames.shape
    width = length - tau_max
    spectrum = np.fft.rfft(frames, length, axis=1)
    spectrum *= np.conj(np.fft.rfft(frames[:, :width], length, axis=1))
    corr = np.fft.irfft(spectrum, length, axis=1)[:, : tau_max + 1]
    # E(tau) = sum_{tau <= j < tau + W} x[j]^2 = E(0) + cumsum(x[j + W]^2 - x[j]^2)
    diff = np.empty((n, tau_max + 1))
    diff[:, 0] = np.einsum("ij,ij->i", frames[:, :width], frames[:, :width])
    np.cumsum(np.square(frames[:, width:length]) - np.square(frames[:, :tau_max]), axis=1, out=diff[:, 1:])
    diff[:, 1:] += diff[:, :1]
    diff += diff[:, :1]  # + E(0)
    diff -= 2.0 * corr
    diff[:, 0] = 0.0
    running = np.cumsum(diff, axis=1)
    out = np.ones_like(diff)
    np.divide(diff[:, 1:] * np.arange(1, tau_max + 1), np.maximum(running[:, 1:], _FLOOR), out=out[:, 1:])
    return out


def pick_lag(dprime: np.ndarray, tau_min: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """YIN's absolute threshold step: the minimum of the first dip below ``threshold``.

    Returns (lag index (n,) int, voiced (n,) bool); unvoiced frames get the global minimum.
    """
    d = dprime[:, tau_min:]
    below = d < threshold
    voiced = below.any(axis=1)
    first = np.argmax(below, axis=1)
    lags = np.arange(d.shape[1])
    after = lags >= first[:, None]
    stop = after & ~below  # the run below the threshold ends at the first of these
    end = np.where(stop.any(axis=1), np.argmax(stop, axis=1), d.shape[1])
    run = after & (lags < end[:, None])
    tau = np.where(voiced, np.argmin(np.where(run, d, np.inf), axis=1), np.argmin(d, axis=1))
    return tau + tau_min, voiced


def refine_lag(dprime: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Parabolic interpolation of the lag around its minimum; (n,) float64 lags in samples."""
    rows = np.arange(len(tau))
    lo = np.clip(tau - 1, 0, dprime.shape[1] - 1)
    hi = np.clip(tau + 1, 0, dprime.shape[1] - 1)
    a, b, c = dprime[rows, lo], dprime[rows, tau], dprime[rows, hi]
    denom = a - 2.0 * b + c
    shift = np.where(np.abs(denom) > _FLOOR, 0.5 * (a - c) / np.where(denom == 0, 1.0, denom), 0.0)
    return tau + np.clip(shift, -1.0, 1.0)


def yin_block(frames: np.ndarray, spec: Frames16kSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`yin` of one block of frames (n, pitch_len), n >= 1, in one pass."""
    tau_min, tau_max = lag_range(spec)
    dprime = cmnd(frames, tau_max)
    tau, voiced = pick_lag(dprime, tau_min, spec.yin_threshold)
    rms_db = 10.0 * np.log10(np.mean(np.square(frames), axis=1) + _FLOOR)
    voiced &= rms_db > spec.pitch_min_rms_db
    periodicity = np.clip(1.0 - dprime[np.arange(len(tau)), tau], 0.0, 1.0)
    f0 = np.where(voiced, spec.sample_rate / np.maximum(refine_lag(dprime, tau), 1.0), 0.0)
    return f0, periodicity, voiced


def yin(frames: np.ndarray, spec: Frames16kSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """F0 of each pitch frame, in blocks of BLOCK_FRAMES frames (each block's arrays stay in L2).

    ``frames``: (n, spec.pitch_len) raw (not pre-emphasised) samples.
    Returns ``f0_hz`` (n,) (0 where unvoiced), ``periodicity`` (n,) in [0, 1] (1 - d'(tau)),
    ``voiced`` (n,) bool (a dip below the threshold and RMS above ``pitch_min_rms_db``).
    """
    frames = np.asarray(frames, dtype=np.float64)
    f0, periodicity, voiced = np.zeros(len(frames)), np.zeros(len(frames)), np.zeros(len(frames), dtype=bool)
    for start in range(0, len(frames), BLOCK_FRAMES):
        rows = slice(start, start + BLOCK_FRAMES)
        f0[rows], periodicity[rows], voiced[rows] = yin_block(frames[rows], spec)
    return f0, periodicity, voiced


def semitones(f0_hz: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """F0 in semitones above ``spec.semitone_ref_hz``; NaN where ``f0_hz`` is 0 (unvoiced)."""
    f0 = np.asarray(f0_hz, dtype=np.float64)
    out = np.full(f0.shape, np.nan)
    pos = f0 > 0
    out[pos] = 12.0 * np.log2(f0[pos] / spec.semitone_ref_hz)
    return out
