"""The mel filterbank (Slaney or HTK, as librosa.filters.mel) and applying it to power spectra.

:mod:`ser_edge.frontend.mfcc_mean.mfcc` builds the MFCCs on top of it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ...errors import ContractError
from .spec import MfccMeanSpec


def hz_to_mel(hz: np.ndarray, htk: bool = False) -> np.ndarray:
    """Hz -> mel: HTK ``2595 log10(1 + f/700)`` or Slaney (linear below 1 kHz, log above)."""
    hz = np.asarray(hz, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + hz / 700.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    mels = hz / f_sp
    log_part = min_log_mel + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, log_part, mels)


def mel_to_hz(mels: np.ndarray, htk: bool = False) -> np.ndarray:
    """Mel -> Hz, the inverse of :func:`hz_to_mel`."""
    mels = np.asarray(mels, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    log_part = min_log_hz * np.exp(logstep * (mels - min_log_mel))
    return np.where(mels >= min_log_mel, log_part, f_sp * mels)


@lru_cache(maxsize=8)
def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float,
                   htk: bool, norm: str | None) -> np.ndarray:
    """Triangular mel filters (n_mels, n_fft//2 + 1) float64, read-only; = librosa.filters.mel.

    Band edges are ``n_mels + 2`` points equally spaced in mel between ``fmin`` and ``fmax``
    (Hz). ``norm="slaney"`` scales each triangle to unit area in Hz (``2 / bandwidth``);
    ``None`` or ``"none"`` leaves peaks at 1.
    """
    if norm not in ("slaney", None, "none"):
        raise ContractError(f"frontend mel_norm: expected 'slaney' or None, got {norm!r}")
    fft_freqs = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    edges = np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2)
    mel_f = mel_to_hz(edges, htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    weights.flags.writeable = False
    return weights


@lru_cache(maxsize=8)
def _filter_bands(spec: MfccMeanSpec) -> tuple[tuple[int, int, np.ndarray], ...]:
    """:func:`mel_filterbank` for ``spec`` as (first bin, end bin, weights) per mel band.

    Each triangle covers a short run of bins, so the band sums below are ~50x less work
    than a dense product, and single-threaded (a dense BLAS product of this size can stall
    on a busy CPU when BLAS starts threads).
    """
    dense = mel_filterbank(spec.sample_rate, spec.n_fft, spec.n_mels, float(spec.fmin),
                           float(spec.fmax), spec.htk, spec.mel_norm)
    bands = []
    for row in dense:
        nonzero = np.flatnonzero(row)
        lo, hi = (int(nonzero[0]), int(nonzero[-1]) + 1) if nonzero.size else (0, 0)
        bands.append((lo, hi, row[lo:hi]))
    return tuple(bands)


@lru_cache(maxsize=8)
def _filter_entries(spec: MfccMeanSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The filterbank's nonzero entries band by band: (bins, weights, first entry per band, bands)."""
    dense = mel_filterbank(spec.sample_rate, spec.n_fft, spec.n_mels, float(spec.fmin),
                           float(spec.fmax), spec.htk, spec.mel_norm)
    bands, bins = np.nonzero(dense)  # row-major: grouped by band
    used, first = np.unique(bands, return_index=True)
    out = (bins, dense[bands, bins], first, used)
    for arr in out:
        arr.flags.writeable = False
    return out


#: Up to this many frames the filterbank is one gather + ``np.add.reduceat`` (no Python loop).
FEW_FRAMES = 16


def apply_filterbank(power: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """Mel filterbank times a power spectrogram: (n_fft//2+1, n_frames) -> (n_mels, n_frames)."""
    out = np.zeros((spec.n_mels, power.shape[1]))
    if power.shape[1] <= FEW_FRAMES:  # a few frames (stream edges): the per-band loop is overhead
        bins, weights, first, used = _filter_entries(spec)
        if bins.size:
            out[used] = np.add.reduceat(power[bins] * weights[:, None], first, axis=0)
        return out
    for m, (lo, hi, weights) in enumerate(_filter_bands(spec)):
        if hi > lo:
            out[m] = weights @ power[lo:hi]
    return out
