"""DSP shared by the frontend kinds: the DCT matrix their MFCCs use, the noise of their probe signals."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import MissingExtraError


@lru_cache(maxsize=8)
def dct_matrix(n_out: int, n_in: int, dct_type: int = 2, norm: str | None = "ortho") -> np.ndarray:
    """The first ``n_out`` rows of the DCT matrix of size ``n_in``: (n_out, n_in) float64, read-only.

    ``dct_matrix(k, n) @ x == scipy.fft.dct(x, type, norm=norm, axis=0)[:k]`` (to ~1e-15 of the
    values). Built once by transforming the identity with scipy.fft, or directly for DCT-II
    ortho (the MFCC default) so the feature path never imports scipy.fft (~0.2 s at start);
    other types need the ``scipy`` extra (MissingExtraError without it).
    """
    if dct_type == 2 and norm == "ortho":
        k = np.arange(n_out)[:, None]
        basis = np.cos(np.pi * k * (2 * np.arange(n_in)[None, :] + 1) / (2.0 * n_in))
        basis *= np.sqrt(2.0 / n_in)
        basis[0] /= np.sqrt(2.0)
    else:
        try:
            from scipy.fft import dct
        except ImportError:  # only this setting needs scipy: the `scipy` extra
            raise MissingExtraError("scipy", "scipy") from None
        basis = dct(np.eye(n_in), type=dct_type, norm=norm, axis=0)[:n_out]
    basis = np.ascontiguousarray(basis)
    basis.flags.writeable = False
    return basis


def probe_noise(n: int, rms: float) -> np.ndarray:
    """Deterministic noise-like samples (n,) float64 with RMS about ``rms``, for the signals a
    model is probed with at load: ``frac(sin(k * 12.9898) * 43758.5453)`` centred and scaled
    to unit variance. Not numpy.random: importing it costs ~7 MB RSS (it loads libcrypto
    through ``secrets``) in every process that loads a model.
    """
    k = np.arange(n, dtype=np.float64)
    u = np.mod(np.sin(k * 12.9898) * 43758.5453, 1.0)
    return rms * np.sqrt(12.0) * (u - 0.5)
