"""Feature-domain augmentation of MFCC-mean rows (numpy only).

An MFCC-mean row is ``c = D @ L``: the first ``n_mfcc`` rows ``D`` of the orthonormal
DCT-II over the ``n_mels`` bands, applied to ``L``, the mean log-mel spectrum in dB. So:

- a gain of g dB adds g to every band: exactly ``c[0] += g * sqrt(n_mels)``;
- a spectral tilt (dB rising linearly over the band index) adds ``D @ ramp``: exact;
- a band limit (nothing above ``cutoff_hz``, e.g. a 16 kHz microphone) is approximated:
  ``L`` is rebuilt from the available coefficients (``D.T @ c``, a smoothed spectrum), the
  bands above the cutoff are set to the top_db floor (``max - top_db``), and the result is
  transformed back. Only the first ``n_mfcc`` coefficients are known, so this is not exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ser_edge.frontend.mfcc_mean import mel, mfcc
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

from .recipe import Recipe

if TYPE_CHECKING:
    from .bandmap import BandMap


def dct_matrix(n_mfcc: int, n_mels: int) -> np.ndarray:
    """float64 (n_mfcc, n_mels), read-only: rows of the orthonormal DCT-II (the runtime's matrix)."""
    return mfcc.dct_matrix(n_mfcc, n_mels, 2, "ortho")


def slaney_mel_centres(spec: MfccMeanSpec) -> np.ndarray:
    """float64 (n_mels,): centre frequency in Hz of each Slaney-scale mel band."""
    lo, hi = mel.hz_to_mel(np.array([spec.fmin, spec.fmax], dtype=np.float64), htk=False)
    return mel.mel_to_hz(np.linspace(lo, hi, spec.n_mels + 2), htk=False)[1:-1]


def band_limit(X: np.ndarray, cutoff_hz: float, spec: MfccMeanSpec) -> np.ndarray:
    """Approximate rows (n, n_mfcc) of audio with nothing above ``cutoff_hz`` (see module doc)."""
    D = dct_matrix(X.shape[1], spec.n_mels)
    spectrum = X.astype(np.float64) @ D
    floor = spectrum.max(axis=1, keepdims=True) - (spec.top_db or 80.0)
    lost = slaney_mel_centres(spec) > cutoff_hz
    spectrum[:, lost] = floor
    return (spectrum @ D.T).astype(np.float32)


def augment(
    X: np.ndarray,
    y: np.ndarray,
    recipe: Recipe,
    seed: int,
    spec: MfccMeanSpec | None = None,
    band_map: BandMap | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (n, n_mfcc) and ``y`` (n,) plus ``recipe.aug_copies`` randomly transformed copies.

    ``band_map`` (needed when ``recipe.aug_bandmap`` > 0) applies the learned 16 kHz effect.
    """
    if recipe.aug_copies < 1:
        return X, y
    spec = spec or MfccMeanSpec()
    rng = np.random.default_rng(seed)
    D = dct_matrix(X.shape[1], spec.n_mels)
    ramp = np.linspace(-0.5, 0.5, spec.n_mels) @ D.T
    copies = [X]
    for _ in range(recipe.aug_copies):
        copy = X.astype(np.float64)
        n = len(X)
        copy[:, 0] += rng.uniform(-recipe.aug_gain_db, recipe.aug_gain_db, n) * np.sqrt(spec.n_mels)
        copy += rng.uniform(-recipe.aug_tilt_db, recipe.aug_tilt_db, (n, 1)) * ramp
        limited = rng.random(n) < recipe.aug_bandlimit
        if np.any(limited):
            copy[limited] = band_limit(copy[limited], 8000.0, spec)
        mapped = rng.random(n) < recipe.aug_bandmap
        if band_map is not None and np.any(mapped):
            copy[mapped] = band_map.apply(copy[mapped], rng)
        copies.append(copy.astype(np.float32))
    return np.concatenate(copies), np.tile(y, recipe.aug_copies + 1)
