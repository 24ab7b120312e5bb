"""The method list and :func:`resample` for a whole buffer (the method families dispatched)."""

from __future__ import annotations

from math import ceil

import numpy as np

from ...errors import AudioError, ContractError
from .bank import BANK_METHODS, apply_bank, tap_bank
from .polyphase import reduced_ratio, resample_polyphase
from .resampy import FILTERS, resample_exact

#: Every resampling method, the one list (a spec's ``resampler`` is one of these).
METHODS = (*FILTERS, "polyphase")


def check_method(method: str) -> None:
    """ContractError unless ``method`` is one of :data:`METHODS` (a model names its resampler)."""
    if method not in METHODS:
        raise ContractError(f"resampler: expected one of {list(METHODS)}, got {method!r}")


def output_length(n: int, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> int:
    """Samples :func:`resample` returns for ``n`` input samples: ``ceil(n * sr_out / sr_in)``.

    Evaluated in float64 exactly as ``librosa.resample`` does (``int(np.ceil(n * ratio))``),
    except for ``method="polyphase"``: exactly, in integers, as ``resample_poly`` does (the
    float product can land just above a whole number, e.g. 147 samples 44100 -> 48000 Hz).
    """
    if method == "polyphase":
        return -(-n * sr_out // sr_in)
    return ceil(n * (float(sr_out) / sr_in))


def _fix_length(y: np.ndarray, size: int) -> np.ndarray:
    """Trim or zero-pad ``y`` at the end to ``size`` samples (librosa.util.fix_length)."""
    if len(y) >= size:
        return y[:size]
    return np.concatenate([y, np.zeros(size - len(y), dtype=y.dtype)])


def resample(x: np.ndarray, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> np.ndarray:
    """Resample mono audio ``x`` (n,) from ``sr_in`` to ``sr_out`` Hz, as librosa.load would.

    Returns float32 of shape ``(output_length(n, sr_in, sr_out, method),)``; a float32 copy
    when the rates are equal. ``method``: ``"kaiser_fast"`` (resampy <= 0.2.2's, the training
    resampler of the shipped model), ``"resampy04_kaiser_fast"`` / ``"kaiser_best"`` (resampy
    0.4.3's), or ``"polyphase"`` (``scipy.signal.resample_poly`` of float64 samples, computed
    by :func:`resample_polyphase` without importing scipy.signal).
    """
    check_method(method)
    if sr_in <= 0 or sr_out <= 0:
        raise AudioError(f"sample rates must be positive, got {sr_in} -> {sr_out}")
    x = np.asarray(x)
    if x.ndim != 1:
        raise AudioError(f"resample expects mono audio of shape (n,), got shape {x.shape}")
    if sr_in == sr_out:
        return x.astype(np.float32)
    size = output_length(len(x), sr_in, sr_out, method)
    if method == "polyphase":
        y = resample_polyphase(x, *reduced_ratio(int(sr_in), int(sr_out)))
    else:
        x = x.astype(np.float32, copy=False)
        bank = tap_bank(method, int(sr_in), int(sr_out)) if method in BANK_METHODS else None
        if bank is None:
            y = resample_exact(x, int(sr_in), int(sr_out), method)
        else:
            y = apply_bank(x, int(sr_in), int(sr_out), bank, method)
    return _fix_length(y, size).astype(np.float32, copy=False)
