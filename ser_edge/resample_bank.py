"""The per-phase tap bank: the fast path of :mod:`ser_edge.resample` for rational rate ratios.

For ``sr_out / sr_in = l_out / l_in`` the weights of every output phase are computed once
(from resampy's own float64 time arithmetic) and applied with matrix products; outputs whose
time rounds differently from their phase's are recomputed with the exact per-sample loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import gcd

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .resample_kernel import CHUNK, _Kernel, _kernel, _wing

#: Methods served by the per-phase tap bank (float64 sums, within ~5e-7 of resampy's float32
#: running sums). kaiser_best (100+ taps per wing) keeps the exact per-sample loop.
BANK_METHODS = ("kaiser_fast", "resampy04_kaiser_fast")
#: Largest number of output phases (sr_out / gcd) a bank is built for; rows per matmul block.
MAX_PHASES, BANK_BLOCK = 8192, 1024


@dataclass(frozen=True)
class _Bank:
    """Per-phase taps of resampy's filter for a rational ratio ``sr_out/sr_in = l_out/l_in``.

    Output ``t = q * l_out + p`` reads ``x[q * l_in + base[p] - taps + 1 : ... + taps + 1]``
    (``2 * taps`` samples) with weights ``weights[p]`` (l_out, 2 * taps) float64: the same
    weights resampy computes for that output (left wing reversed, then the right wing).
    ``left_off[p]``/``right_off[p]`` are the table offsets the weights were made from.
    """

    weights: np.ndarray
    base: np.ndarray
    left_off: np.ndarray
    right_off: np.ndarray
    l_in: int
    l_out: int

    @property
    def taps(self) -> int:
        return self.weights.shape[1] // 2


def _times(t: np.ndarray, sr_in: int, sr_out: int, scale: float, num_table: int):
    """resampy's float64 time arithmetic for outputs ``t``: (n, frac, left offset, right offset)."""
    t_out = t * (1.0 / (float(sr_out) / sr_in))
    n = t_out.astype(np.intp)
    frac = scale * (t_out - n)
    left = (frac * num_table).astype(np.intp)
    right = ((scale - frac) * num_table).astype(np.intp)
    return n, frac, left, right


def _wing_weights(k: _Kernel, frac: np.ndarray) -> np.ndarray:
    """Tap weights (len(frac), max_taps) float64 of one wing, as :func:`_wing` computes them."""
    index_frac = frac * k.num_table
    offset = index_frac.astype(np.intp)
    eta = index_frac - offset
    return (eta[:, None] * k.delta_t[:, offset].T) + k.win_t[:, offset].T


@lru_cache(maxsize=16)
def _bank(method: str, sr_in: int, sr_out: int) -> _Bank | None:
    """The tap bank for a rate pair, or None when it would have more than MAX_PHASES phases."""
    g = gcd(sr_in, sr_out)
    l_in, l_out = sr_in // g, sr_out // g
    if l_out > MAX_PHASES:
        return None
    k = _kernel(method, sr_in, sr_out)
    n, frac, left, right = _times(np.arange(l_out), sr_in, sr_out, k.scale, k.num_table)
    weights = np.concatenate([_wing_weights(k, frac)[:, ::-1], _wing_weights(k, k.scale - frac)], axis=1)
    for arr in (weights, n, left, right):
        arr.flags.writeable = False
    return _Bank(weights, n, left, right, l_in, l_out)


def _banked(x: np.ndarray, sr_in: int, sr_out: int, bank: _Bank, method: str) -> np.ndarray:
    """resampy.resample through the tap bank: (int(n * ratio),) float32, sums in float64.

    Outputs whose float64 time does not land on their phase's integer sample and table
    offsets (at exact phase-0 points resampy's ``t * increment`` can round just below an
    integer) are recomputed one by one with resampy's own arithmetic.
    """
    n_in, taps = len(x), bank.taps
    n_out = int(n_in * float(sr_out) / float(sr_in))
    xp = np.zeros(n_in + 2 * taps + 2)
    xp[taps + 1:taps + 1 + n_in] = x
    rows = sliding_window_view(xp, 2 * taps)  # row n + 2 holds x[n - taps + 1 : n + taps + 1]
    y = np.empty(n_out)
    n_periods = -(-n_out // bank.l_out)
    if bank.l_out <= n_periods:  # few phases: one strided matrix-vector product per phase
        for p in range(min(bank.l_out, n_out)):
            m = len(range(p, n_out, bank.l_out))
            first = int(bank.base[p]) + 2
            for q0 in range(0, m, BANK_BLOCK):
                q1 = min(m, q0 + BANK_BLOCK)
                block = rows[first + q0 * bank.l_in:first + (q1 - 1) * bank.l_in + 1:bank.l_in]
                y[p + q0 * bank.l_out:p + q1 * bank.l_out:bank.l_out] = block @ bank.weights[p]
    else:  # many phases: one gather of every phase's rows per period
        for q in range(n_periods):
            t0 = q * bank.l_out
            m = min(bank.l_out, n_out - t0)
            block = rows[bank.base[:m] + (q * bank.l_in + 2)]
            y[t0:t0 + m] = np.einsum("ij,ij->i", block, bank.weights[:m])
    _fix_stragglers(x, y, sr_in, sr_out, bank, method)
    return y.astype(np.float32)


def _fix_stragglers(x: np.ndarray, y: np.ndarray, sr_in: int, sr_out: int, bank: _Bank,
                    method: str) -> None:
    """Recompute in place the outputs whose resampy time differs from their phase's."""
    k = _kernel(method, sr_in, sr_out)
    found = []
    for start in range(0, len(y), CHUNK):  # in chunks: ~10 temporary arrays of the chunk's size
        t = np.arange(start, min(start + CHUNK, len(y)))
        q, p = np.divmod(t, bank.l_out)
        n, _, left, right = _times(t, sr_in, sr_out, k.scale, k.num_table)
        found.append(t[(n != q * bank.l_in + bank.base[p]) | (left != bank.left_off[p])
                       | (right != bank.right_off[p])])
    odd = np.concatenate(found) if found else np.zeros(0, dtype=np.intp)
    if odd.size == 0:
        return
    n, frac, _, _ = _times(odd, sr_in, sr_out, k.scale, k.num_table)
    pad = k.max_taps + 1
    xp = np.zeros(len(x) + 2 * pad, dtype=np.float32)
    xp[pad:pad + len(x)] = x
    acc = np.zeros(odd.size, dtype=np.float32)
    acc = _wing(k, frac, xp, pad + n, -1, acc)
    y[odd] = _wing(k, k.scale - frac, xp, pad + n + 1, 1, acc)
