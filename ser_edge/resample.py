"""Resampling to the model rate with numpy/scipy, reproducing resampy bit for bit.

The shipped model's training features (seed/X.joblib, 2020) were computed by
``librosa.load(path, res_type='kaiser_fast')`` with the resampy of that time (<= 0.2.2),
whose ``kaiser_fast`` filter is NOT the one of resampy >= 0.3:

============================  =====  =========  ==================  ==================
method                        zeros  per zero   Kaiser beta         rolloff
============================  =====  =========  ==================  ==================
``kaiser_fast`` (training)    16     512        8.555504641634386   0.85
``resampy04_kaiser_fast``     24     512        9.90322441645528    0.868212038837778
``kaiser_best``               50     8192       12.98458524704001   0.917347371260876
============================  =====  =========  ==================  ==================

``kaiser_fast`` is the contract name of the training resampler: with it the runtime's
features of the shared recordings equal their stored rows of X to ~5e-4 (with resampy
0.4.3's filter they differ by up to 1.3 and the original model changes its answer on ~4 %
of files). ``resampy04_kaiser_fast`` / ``kaiser_best`` reproduce resampy 0.4.3 (what
``librosa.load(res_type=...)`` gives today). After resampling, librosa's ``fix_length``
trims or zero-pads to ``ceil(n * sr_out / sr_in)`` samples. The interpolator is resampy's:

* the filter table is the right wing of a Kaiser-windowed sinc, ``precision`` entries per
  zero crossing (rebuilt from the parameters above; a test checks the 0.4.3 tables against
  resampy's ``data/*.npz`` to ~1e-15), scaled by the rate ratio when
  downsampling, linearly interpolated with ``interp_delta = diff(table, append=table[-1])``;
* every output sample ``t`` sits at input time ``t * (1 / ratio)`` computed in float64,
  as resampy does. The left wing weights ``x[n - i]`` and the right wing ``x[n + k + 1]``;
  the table stride ``index_step = int(scale * precision)`` is truncated while the
  fractional offset uses the exact ``scale``, and each wing stops at
  ``(len(table) - offset) // index_step`` taps or at the signal edge (zero padding).

Because the taps depend on float rounding of each output's time (the integer part can
round down at exact phase-0 points; offsets flip at exact table points), the weights are
computed per output sample from the same float64 expressions resampy evaluates, in
bounded-size chunks. The sum is accumulated per tap in resampy's order with float32
rounding after every step when the input is float32, as resampy's numba loop does: the
output equals resampy's bit for bit in the tests (x86_64).

``method="polyphase"`` is ``scipy.signal.resample_poly`` with its default Kaiser window:
faster and a fine resampler, but NOT the training resampler (features differ).
"""

from __future__ import annotations

from math import ceil, gcd

import numpy as np

from .resample_bank import BANK_METHODS, _bank, _banked
from .resample_kernel import CHUNK, FILTERS, _kernel, _wing
from .resample_kernel import filter_table as filter_table  # re-exported: ser_edge.resample's API

METHODS = (*FILTERS, "polyphase")


def output_length(n: int, sr_in: int, sr_out: int) -> int:
    """Samples librosa.load returns for ``n`` input samples: ``ceil(n * sr_out / sr_in)``.

    Evaluated in float64 exactly as ``librosa.resample`` does (``int(np.ceil(n * ratio))``).
    """
    return ceil(n * (float(sr_out) / sr_in))


def _resampy(x: np.ndarray, sr_in: int, sr_out: int, method: str) -> np.ndarray:
    """resampy.resample(x, sr_in, sr_out, filter=method) for float32 1-D ``x``: (int(n*ratio),)."""
    k = _kernel(method, sr_in, sr_out)
    n_in = len(x)
    n_out = int(n_in * float(sr_out) / float(sr_in))
    pad = k.max_taps + 1
    xp = np.zeros(n_in + 2 * pad, dtype=x.dtype)  # products are float64: exact either way
    xp[pad:pad + n_in] = x
    time_increment = 1.0 / (float(sr_out) / sr_in)
    y = np.empty(n_out, dtype=x.dtype)
    for start in range(0, n_out, CHUNK):
        t_out = np.arange(start, min(start + CHUNK, n_out)) * time_increment
        n = t_out.astype(np.intp)
        frac = k.scale * (t_out - n)
        acc = np.zeros(len(n), dtype=x.dtype)
        acc = _wing(k, frac, xp, pad + n, -1, acc)
        acc = _wing(k, k.scale - frac, xp, pad + n + 1, 1, acc)
        y[start:start + len(n)] = acc
    return y


def _fix_length(y: np.ndarray, size: int) -> np.ndarray:
    """Trim or zero-pad ``y`` at the end to ``size`` samples (librosa.util.fix_length)."""
    if len(y) >= size:
        return y[:size]
    return np.concatenate([y, np.zeros(size - len(y), dtype=y.dtype)])


def resample(x: np.ndarray, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> np.ndarray:
    """Resample mono audio ``x`` (n,) from ``sr_in`` to ``sr_out`` Hz, as librosa.load would.

    Returns float32 of shape ``(ceil(n * sr_out / sr_in),)``; a float32 copy when the rates
    are equal. ``method``: ``"kaiser_fast"`` (resampy <= 0.2.2's, the training resampler of
    the shipped model), ``"resampy04_kaiser_fast"`` / ``"kaiser_best"`` (resampy 0.4.3's),
    or ``"polyphase"`` (``scipy.signal.resample_poly``, not identical to training).
    """
    if method not in METHODS:
        raise ValueError(f"resampler: expected one of {METHODS}, got {method!r}")
    if sr_in <= 0 or sr_out <= 0:
        raise ValueError(f"sample rates must be positive, got {sr_in} -> {sr_out}")
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"resample expects mono audio of shape (n,), got shape {x.shape}")
    if sr_in == sr_out:
        return x.astype(np.float32)
    size = output_length(len(x), sr_in, sr_out)
    if method == "polyphase":
        from scipy.signal import resample_poly  # slow to import: only when asked for

        g = gcd(int(sr_in), int(sr_out))
        y = resample_poly(x.astype(np.float64), int(sr_out) // g, int(sr_in) // g)
    else:
        x = x.astype(np.float32, copy=False)
        bank = _bank(method, int(sr_in), int(sr_out)) if method in BANK_METHODS else None
        if bank is None:
            y = _resampy(x, int(sr_in), int(sr_out), method)
        else:
            y = _banked(x, int(sr_in), int(sr_out), bank, method)
    return _fix_length(y, size).astype(np.float32, copy=False)
