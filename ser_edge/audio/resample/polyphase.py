"""``scipy.signal.resample_poly`` (default Kaiser window, zero padding) in numpy: the resampler
the 16 kHz frame models were trained with, without importing scipy.signal (~0.6 s)."""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np

from ...errors import AudioError
from .bank import BankGroups, dense_groups
from .resampy import kaiser_right_half

#: Output samples per step of :func:`resample_polyphase` (bounds its float64 input copy).
POLY_CHUNK = 1 << 16


def polyphase_filter(up: int, down: int) -> np.ndarray:
    """resample_poly's default filter for coprime ``up``/``down``: (20 * max(up, down) + 1,) float64.

    ``firwin(2 * half + 1, 1 / max_rate, window=('kaiser', 5.0)) * up`` with ``half = 10 *
    max_rate``: ``f_c * sinc(f_c * m)`` at ``m = -half..half`` times the symmetric Kaiser
    window (numpy's i0), scaled to sum to ``up`` (the DC gain of the upsampled signal).
    Read-only.
    """
    max_rate = max(up, down)
    half, f_c = 10 * max_rate, 1.0 / max_rate
    m = np.arange(2 * half + 1, dtype=np.float64) - half
    right = kaiser_right_half(2 * half + 1, 5.0)
    h = f_c * np.sinc(f_c * m) * np.concatenate([right[:0:-1], right])
    h /= np.sum(h)
    h *= up
    h.flags.writeable = False
    return h


@lru_cache(maxsize=4)
def polyphase_groups(up: int, down: int) -> BankGroups:
    """resample_poly's phase table for coprime ``up``/``down`` as :class:`BankGroups`.

    ``y[k] = sum_n x[n] * h[k * down - n * up + half]``: output ``k = p * up + s`` reads
    ``x[p * down + q_s - j]`` with weight ``h[j * up + r_s + half]`` where ``s * down = q_s *
    up + r_s`` (about ``len(h) / up`` taps; the taps outside ``h`` are zero).
    """
    h = polyphase_filter(up, down)
    half = (len(h) - 1) // 2
    j_max, j_min = half // up, -((half + up - 1) // up)
    q, r = np.divmod(np.arange(up) * down, up)
    j = j_max - np.arange(j_max - j_min + 1)  # column c reads x[q - j_max + c]
    tap = j[None, :] * up + r[:, None] + half
    inside = (tap >= 0) & (tap < len(h))
    weights = np.where(inside, h[np.clip(tap, 0, len(h) - 1)], 0.0)
    return dense_groups(q - j_max, weights, down)


def reduced_ratio(sr_in: int, sr_out: int) -> tuple[int, int]:
    """(up, down): the rates' ratio ``sr_out / sr_in`` in lowest terms."""
    g = gcd(sr_in, sr_out)
    return sr_out // g, sr_in // g


def resample_polyphase(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """``scipy.signal.resample_poly(x, up, down)`` (default window, zero padding) in numpy.

    ``x``: mono samples (n,), computed in float64. Returns float64 of shape ``(ceil(n * up /
    down),)``, equal to scipy's output for float64 input to ~1e-15 relative (the same filter
    and taps; sums in another order); a copy when ``up == down``. Works through the input in
    steps of :data:`POLY_CHUNK` outputs, each copying its inputs to float64 (memory bounded
    beyond ``x`` and the output: no float64 copy of the whole input).
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise AudioError(f"resample_polyphase expects mono audio of shape (n,), got shape {x.shape}")
    if int(up) < 1 or int(down) < 1:
        raise AudioError(f"resample_polyphase: up and down must be >= 1, got {up} and {down}")
    g = gcd(int(up), int(down))
    up, down = int(up) // g, int(down) // g
    if up == down:
        return x.astype(np.float64)
    grouped = polyphase_groups(up, down)
    n_out = -(-len(x) * up // down)
    periods = -(-n_out // grouped.l_out)
    y = np.empty(periods * grouped.l_out)
    step = max(1, POLY_CHUNK // grouped.l_out)
    for q0 in range(0, periods, step):
        count = min(step, periods - q0)
        start = q0 * grouped.l_in + grouped.lo  # input index of xp[0]; negative: zeros before
        xp = np.zeros((count - 1) * grouped.l_in + grouped.hi - grouped.lo)
        lo, hi = max(0, start), min(len(x), start + len(xp))
        if hi > lo:
            xp[lo - start:hi - start] = x[lo:hi]
        y[q0 * grouped.l_out:(q0 + count) * grouped.l_out] = grouped.apply(xp, -grouped.lo, count)
    return y[:n_out]
