"""The per-phase tap bank: the fast path of resampy's filters for rational rate ratios.

The weights of every output phase are computed once from resampy's own float64 time
arithmetic and applied with matrix products (:class:`BankGroups`); outputs whose time rounds
differently from their phase's (stragglers) are recomputed with the exact arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import gcd

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .resampy import CHUNK, Kernel, interpolation_kernel

#: Methods served by the per-phase tap bank (float64 sums, within ~5e-7 of resampy's float32
#: running sums). kaiser_best (100+ taps per wing) keeps the exact per-sample loop.
BANK_METHODS = ("kaiser_fast", "resampy04_kaiser_fast")
#: Largest number of output phases (sr_out / gcd) a bank is built for.
MAX_PHASES = 8192


@dataclass(frozen=True)
class TapBank:
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


def _wing_weights(k: Kernel, frac: np.ndarray) -> np.ndarray:
    """Tap weights (len(frac), max_taps) float64 of one wing, as :func:`_wing` computes them."""
    index_frac = frac * k.num_table
    offset = index_frac.astype(np.intp)
    eta = index_frac - offset
    return (eta[:, None] * k.delta_t[:, offset].T) + k.win_t[:, offset].T


def _tap_weights(k: Kernel, frac: np.ndarray) -> np.ndarray:
    """Both wings' weights (len(frac), 2 * max_taps): the left wing reversed, then the right,
    for ``x[n - max_taps + 1 : n + max_taps + 1]`` around each output's input sample ``n``."""
    return np.concatenate([_wing_weights(k, frac)[:, ::-1], _wing_weights(k, k.scale - frac)], axis=1)


@lru_cache(maxsize=16)
def tap_bank(method: str, sr_in: int, sr_out: int) -> TapBank | None:
    """The tap bank for a rate pair, or None when it would have more than MAX_PHASES phases."""
    g = gcd(sr_in, sr_out)
    l_in, l_out = sr_in // g, sr_out // g
    if l_out > MAX_PHASES:
        return None
    k = interpolation_kernel(method, sr_in, sr_out)
    n, frac, left, right = _times(np.arange(l_out), sr_in, sr_out, k.scale, k.num_table)
    weights = _tap_weights(k, frac)
    for arr in (weights, n, left, right):
        arr.flags.writeable = False
    return TapBank(weights, n, left, right, l_in, l_out)


@dataclass(frozen=True)
class BankGroups:
    """The bank as a few dense matrices: the fast way to apply it with matrix products.

    Outputs come in *periods* of ``l_out`` samples (``k`` bank periods merged so that a period
    has at least :data:`MIN_PERIOD` outputs), reading ``l_in`` new input samples per period.
    Output phases are split into groups of consecutive phases; group ``(p0, p1, lo, hi, m)``
    gives outputs ``q * l_out + p0 ... + p1`` as ``x[q * l_in + lo : q * l_in + hi] @ m`` (m:
    (hi - lo, p1 - p0) float64, mostly the taps of each phase, zeros elsewhere).
    """

    groups: tuple[tuple[int, int, int, int, np.ndarray], ...]
    l_in: int
    l_out: int
    lo: int  # the inputs a period reads: x[q * l_in + lo : q * l_in + hi] over all groups
    hi: int

    def apply(self, xp: np.ndarray, first: int, periods: int) -> np.ndarray:
        """Outputs (periods * l_out,) float64 of periods ``0..periods-1`` counted so that
        period 0 reads ``xp[first + lo : first + hi]`` (``first + lo >= 0`` and the last
        period's inputs within ``xp``)."""
        if first + self.lo < 0 or first + (periods - 1) * self.l_in + self.hi > len(xp):
            raise ValueError(f"resampler: periods 0..{periods - 1} from {first} reach outside "
                             f"the {len(xp)} input samples")
        y = np.empty((periods, self.l_out))
        for p0, p1, lo, hi, m in self.groups:  # rows[q] = xp[first + q * l_in + lo : ... + hi]
            chunk = max(1, PRODUCT_SIZE // m.size)  # periods per product
            for q in range(0, periods, chunk):
                count = min(chunk, periods - q)
                rows = period_rows(xp, first + q * self.l_in + lo, count, hi - lo, self.l_in)
                y[q:q + count, p0:p1] = rows @ m
        return y.reshape(-1)


def period_rows(xp: np.ndarray, start: int, count: int, width: int, l_in: int) -> np.ndarray:
    """Read-only view (count, width) of 1-D ``xp``: row ``r`` is ``xp[start + r * l_in :][:width]``
    (bounds checked by the caller). A contiguous ``xp`` is viewed through its buffer directly,
    which costs a tenth of ``as_strided``'s set-up (same memory, same strides)."""
    step = xp.strides[0]
    if xp.flags.c_contiguous:
        rows = np.ndarray((count, width), xp.dtype, xp, start * step, (l_in * step, step))
        rows.flags.writeable = False
        return rows
    return as_strided(xp[start:], shape=(count, width), strides=(l_in * step, step), writeable=False)


#: Fewest outputs per period of :class:`BankGroups` (small ratios such as 2:1 merge periods);
#: phases per group (a group's matrix reads about ``l_in * GROUP / l_out + 2 * taps`` rows).
MIN_PERIOD, GROUP = 64, 40
#: Multiply-adds per matrix product: below OpenBLAS's threading threshold (~262k), so the
#: resampler stays on one core (edge devices share their cores).
PRODUCT_SIZE = 250_000


def dense_groups(first: np.ndarray, weights: np.ndarray, l_in: int) -> BankGroups:
    """Per-phase taps as :class:`BankGroups`: output phase ``p`` of a period (``len(first)``
    outputs, ``l_in`` inputs) is ``x[q * l_in + first[p] : ... + width] @ weights[p]``
    (weights: (len(first), width) float64; ``first`` non-decreasing)."""
    k = -(-MIN_PERIOD // len(first))
    l_out, width = k * len(first), weights.shape[1]
    phase = np.arange(l_out) % len(first)
    first = (np.arange(l_out) // len(first)) * l_in + first[phase]
    groups = []
    for p0 in range(0, l_out, GROUP):
        p1 = min(l_out, p0 + GROUP)
        lo, hi = int(first[p0]), int(first[p1 - 1]) + width
        m = np.zeros((hi - lo, p1 - p0))
        for i, p in enumerate(range(p0, p1)):
            row = int(first[p]) - lo
            m[row:row + width, i] = weights[phase[p]]
        m.flags.writeable = False
        groups.append((p0, p1, lo, hi, m))
    return BankGroups(tuple(groups), k * l_in, l_out, min(g[2] for g in groups), max(g[3] for g in groups))


@lru_cache(maxsize=16)
def bank_groups(method: str, sr_in: int, sr_out: int) -> BankGroups | None:
    """The bank of a rate pair as :class:`BankGroups`, or None when there is no bank."""
    bank = tap_bank(method, sr_in, sr_out)
    if bank is None:
        return None
    return dense_groups(bank.base - bank.taps + 1, bank.weights, bank.l_in)


def apply_bank(x: np.ndarray, sr_in: int, sr_out: int, bank: TapBank, method: str) -> np.ndarray:
    """resampy.resample through the tap bank: (int(n * ratio),) float32, sums in float64.

    Outputs whose float64 time does not land on their phase's integer sample and table
    offsets (at exact phase-0 points resampy's ``t * increment`` can round just below an
    integer) are recomputed one by one with resampy's own arithmetic.
    """
    grouped = bank_groups(method, sr_in, sr_out)
    n_out = int(len(x) * float(sr_out) / float(sr_in))
    periods = -(-n_out // grouped.l_out)
    pad = -grouped.lo
    xp = np.zeros(pad + periods * grouped.l_in + grouped.hi)
    xp[pad:pad + len(x)] = x
    y = grouped.apply(xp, pad, periods)[:n_out]  # products of bounded size inside
    _fix_stragglers(x, y, sr_in, sr_out, bank, method)
    return y.astype(np.float32)


#: Straggler outputs found so far per (method, sr_in, sr_out): (outputs searched, indices).
#: They depend only on the rates and the output index, so each is searched for once.
#: Longest output (samples) whose search is kept: ~1 MB of indices at worst (32 kHz input).
STRAGGLER_CACHE = 1 << 20


class StragglerSearch:
    """The outputs of one rate pair whose resampy time differs from their phase's, searched once.

    The search of the first outputs is kept (up to :data:`STRAGGLER_CACHE`); a longer output
    is searched on from the kept part without being kept.
    """

    def __init__(self, method: str, sr_in: int, sr_out: int) -> None:
        self.method, self.sr_in, self.sr_out = method, sr_in, sr_out
        self.searched = 0  # outputs searched and kept
        self.known = np.zeros(0, dtype=np.intp)  # the stragglers among them, sorted

    def below(self, bank: TapBank, n_out: int) -> np.ndarray:
        """Sorted output indices ``t < n_out`` whose resampy time differs from their phase's."""
        known = self.known
        if n_out > self.searched:  # search the outputs not searched yet (a long input's are not kept)
            k = interpolation_kernel(self.method, self.sr_in, self.sr_out)
            found = [known]
            for start in range(self.searched, n_out, CHUNK):  # in chunks: ~10 temporaries of CHUNK outputs
                t = np.arange(start, min(start + CHUNK, n_out))
                q, p = np.divmod(t, bank.l_out)
                n, _, left, right = _times(t, self.sr_in, self.sr_out, k.scale, k.num_table)
                found.append(t[(n != q * bank.l_in + bank.base[p]) | (left != bank.left_off[p])
                               | (right != bank.right_off[p])])
            known = np.concatenate(found)
            if n_out <= STRAGGLER_CACHE:
                self.searched, self.known = n_out, known
        return known[:int(np.searchsorted(known, n_out))]


@lru_cache(maxsize=16)
def straggler_search(method: str, sr_in: int, sr_out: int) -> StragglerSearch:
    """The (cached) straggler search of a rate pair."""
    return StragglerSearch(method, sr_in, sr_out)


def stragglers(method: str, sr_in: int, sr_out: int, bank: TapBank, n_out: int) -> np.ndarray:
    """Sorted output indices ``t < n_out`` whose resampy time differs from their phase's."""
    return straggler_search(method, sr_in, sr_out).below(bank, n_out)


def _fix_stragglers(x: np.ndarray, y: np.ndarray, sr_in: int, sr_out: int, bank: TapBank,
                    method: str) -> None:
    """Recompute in place the outputs whose resampy time differs from their phase's."""
    odd = stragglers(method, sr_in, sr_out, bank, len(y))
    if odd.size == 0:
        return
    k = interpolation_kernel(method, sr_in, sr_out)
    n, frac, _, _ = _times(odd, sr_in, sr_out, k.scale, k.num_table)
    taps, weights = k.max_taps, _tap_weights(k, frac)  # as the bank's, float64 sums
    xp = np.zeros(len(x) + 2 * taps + 2)
    xp[taps + 1:taps + 1 + len(x)] = x
    rows = xp[(n + 2)[:, None] + np.arange(2 * taps)[None, :]]  # x[n - taps + 1 : n + taps + 1]
    y[odd] = np.einsum("ij,ij->i", rows, weights)
