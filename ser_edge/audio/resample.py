"""Resampling to the model rate with numpy/scipy, reproducing resampy bit for bit: one resampler.

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

``method="polyphase"`` is ``scipy.signal.resample_poly`` with its default Kaiser window
(the resampler the 16 kHz frame models were trained with), reimplemented in numpy by
:func:`resample_polyphase` (importing scipy.signal costs ~0.6 s): not the training resampler
of the MFCC-mean model (features differ).

The module holds, in order: the filter table and its per-rate-pair kernel; resampy's exact
per-sample loop (:func:`resample_exact`); the per-phase tap bank, the fast path for rational
rate ratios (the weights of every output phase computed once from resampy's own float64 time
arithmetic and applied with matrix products; outputs whose time rounds differently from their
phase's are recomputed with the exact arithmetic); ``resample_poly``'s phase table applied
the same way (:func:`resample_polyphase`); :func:`resample` for a whole buffer; and
:class:`StreamResampler`, which applies the same tap bank or phase table to a stream block by
block (rate pairs or methods without either: :class:`ChunkedPeriods`, :func:`resample` period
by period with carried context), so every rate pair and method streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import ceil, gcd

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..errors import AudioError, ContractError

# --- the filter table and its kernel per rate pair --------------------------------------------

#: (zero crossings, table entries per crossing, Kaiser beta, rolloff as a fraction of
#: Nyquist). resampy <= 0.2.2 documented its kaiser_fast parameters in full; for 0.4.3,
#: beta is fitted to its shipped tables (it only prints it rounded) and rolloff is stored.
FILTERS: dict[str, tuple[int, int, float, float]] = {
    "kaiser_fast": (16, 512, 8.555504641634386, 0.85),
    "resampy04_kaiser_fast": (24, 512, 9.903224416455275, 0.8682120388377784),
    "kaiser_best": (50, 8192, 12.984585247040014, 0.9173473712608761),
}

#: Output samples per chunk; bounds memory to about 2 * CHUNK * taps * 8 bytes.
CHUNK = 8192


def _kaiser_right_half(m: int, beta: float) -> np.ndarray:
    """Right half (from the centre) of the symmetric Kaiser window of odd length ``m``.

    scipy.signal.windows.kaiser's formula with numpy's i0 (which may differ from scipy's in
    the last bit); importing scipy.signal costs seconds on a small board.
    """
    half = (m - 1) / 2.0
    k = np.arange(m // 2, m)
    return np.i0(beta * np.sqrt(1 - ((k - half) / half) ** 2.0)) / np.i0(beta)


@lru_cache(maxsize=4)
def filter_table(method: str) -> tuple[np.ndarray, int]:
    """The right wing of resampy's interpolation filter and its entries per zero crossing.

    Returns ``(table, precision)``: table shape ``(num_zeros * precision + 1,)`` float64,
    read-only, ``table[0] == rolloff`` (the DC gain of the filter at unit rate).
    """
    num_zeros, precision, beta, rolloff = FILTERS[method]
    n = num_zeros * precision
    sinc = rolloff * np.sinc(rolloff * np.linspace(0.0, num_zeros, num=n + 1, endpoint=True))
    table = _kaiser_right_half(2 * n + 1, beta) * sinc
    table.flags.writeable = False
    return table, precision


@dataclass(frozen=True)
class Kernel:
    """resampy's interpolation table for one (method, rate pair), arranged for gathers.

    ``win_t[j, o]`` / ``delta_t[j, o]`` are the table value and slope of tap ``j`` for a
    wing whose table offset is ``o`` (``o + j * index_step``), zero for the taps resampy
    drops (``j >= (nwin - o) // index_step``). Shapes ``(max_taps, n_offsets)`` float64.
    """

    win_t: np.ndarray
    delta_t: np.ndarray
    num_table: int       # table entries per zero crossing
    scale: float         # min(1, ratio)

    @property
    def max_taps(self) -> int:
        """Most taps one wing can have."""
        return self.win_t.shape[0]


@lru_cache(maxsize=16)
def interpolation_kernel(method: str, sr_in: int, sr_out: int) -> Kernel:
    """Build (once per rate pair and method) the table exactly as resampy.resample does.

    The table is scaled by the ratio when downsampling, ``interp_delta = diff(win,
    append=win[-1])`` and the tap stride ``index_step = int(scale * precision)`` is truncated.
    """
    table, precision = filter_table(method)
    ratio = float(sr_out) / sr_in
    win = ratio * table if ratio < 1 else table
    delta = np.diff(win, append=win[-1])
    scale = min(1.0, ratio)
    step = int(scale * precision)
    nwin = len(win)
    offsets = np.arange(int(scale * precision) + 2)
    taps = np.arange(nwin // step + 1)
    idx = offsets[None, :] + step * taps[:, None]
    keep = taps[:, None] < ((nwin - offsets) // step)[None, :]
    idx = np.where(keep, idx, nwin)
    win_t = np.append(win, 0.0)[idx]
    delta_t = np.append(delta, 0.0)[idx]
    for arr in (win_t, delta_t):
        arr.flags.writeable = False
    return Kernel(win_t, delta_t, precision, scale)


def _wing(k: Kernel, frac: np.ndarray, xp: np.ndarray, base: np.ndarray, sign: int,
          acc: np.ndarray) -> np.ndarray:
    """Add one wing of the filter into ``acc`` (chunk,), tap by tap in resampy's order.

    ``frac`` (chunk,) is the scaled fractional time (left wing, ``sign=-1``: taps read
    ``xp[base - j]``) or ``scale - frac`` (right wing, ``sign=+1``: ``xp[base + j]``).
    Products are float64 and the sum is stored in ``acc.dtype`` after every tap, as
    resampy's ``y[t] += weight * x[...]`` does; taps past the signal edge read the zero
    padding of ``xp`` and add exactly 0.
    """
    index_frac = frac * k.num_table
    offset = index_frac.astype(np.intp)
    eta = index_frac - offset
    idx = base.copy()
    term = np.empty(len(base))
    for j in range(k.max_taps):
        np.multiply(eta, np.take(k.delta_t[j], offset), out=term)
        term += np.take(k.win_t[j], offset)
        term *= np.take(xp, idx)
        term += acc
        acc[:] = term  # rounds to acc.dtype, as resampy stores each partial sum
        idx += sign
    return acc


METHODS = (*FILTERS, "polyphase")


# --- resampy's per-sample loop ---------------------------------------------------------------

def output_length(n: int, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> int:
    """Samples :func:`resample` returns for ``n`` input samples: ``ceil(n * sr_out / sr_in)``.

    Evaluated in float64 exactly as ``librosa.resample`` does (``int(np.ceil(n * ratio))``),
    except for ``method="polyphase"``: exactly, in integers, as ``resample_poly`` does (the
    float product can land just above a whole number, e.g. 147 samples 44100 -> 48000 Hz).
    """
    if method == "polyphase":
        return -(-n * sr_out // sr_in)
    return ceil(n * (float(sr_out) / sr_in))


def resample_exact(x: np.ndarray, sr_in: int, sr_out: int, method: str) -> np.ndarray:
    """resampy.resample(x, sr_in, sr_out, filter=method) for float32 1-D ``x``: (int(n*ratio),)."""
    k = interpolation_kernel(method, sr_in, sr_out)
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


# --- the per-phase tap bank (rational ratios) ------------------------------------------------

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
        step = xp.strides[0]
        for p0, p1, lo, hi, m in self.groups:  # rows[q] = xp[first + q * l_in + lo : ... + hi]
            chunk = max(1, PRODUCT_SIZE // m.size)  # periods per product
            for q in range(0, periods, chunk):
                count = min(chunk, periods - q)
                rows = as_strided(xp[first + q * self.l_in + lo:], shape=(count, hi - lo),
                                  strides=(self.l_in * step, step), writeable=False)
                y[q:q + count, p0:p1] = rows @ m
        return y.reshape(-1)


#: Fewest outputs per period of :class:`BankGroups` (small ratios such as 2:1 merge periods);
#: phases per group (a group's matrix reads about ``l_in * GROUP / l_out + 2 * taps`` rows).
MIN_PERIOD, GROUP = 64, 40
#: Multiply-adds per matrix product: below OpenBLAS's threading threshold (~262k), so the
#: resampler stays on one core (edge devices share their cores).
PRODUCT_SIZE = 250_000


def _dense_groups(first: np.ndarray, weights: np.ndarray, l_in: int) -> BankGroups:
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
def _groups(method: str, sr_in: int, sr_out: int) -> BankGroups | None:
    """The bank of a rate pair as :class:`BankGroups`, or None when there is no bank."""
    bank = tap_bank(method, sr_in, sr_out)
    if bank is None:
        return None
    return _dense_groups(bank.base - bank.taps + 1, bank.weights, bank.l_in)


def _banked(x: np.ndarray, sr_in: int, sr_out: int, bank: TapBank, method: str) -> np.ndarray:
    """resampy.resample through the tap bank: (int(n * ratio),) float32, sums in float64.

    Outputs whose float64 time does not land on their phase's integer sample and table
    offsets (at exact phase-0 points resampy's ``t * increment`` can round just below an
    integer) are recomputed one by one with resampy's own arithmetic.
    """
    grouped = _groups(method, sr_in, sr_out)
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
STRAGGLERS: dict[tuple[str, int, int], tuple[int, np.ndarray]] = {}


def stragglers(method: str, sr_in: int, sr_out: int, bank: TapBank, n_out: int) -> np.ndarray:
    """Sorted output indices ``t < n_out`` whose resampy time differs from their phase's."""
    key = (method, sr_in, sr_out)
    searched, known = STRAGGLERS.get(key, (0, np.zeros(0, dtype=np.intp)))
    if n_out > searched:  # search the outputs not searched yet (a long input's are not kept)
        k = interpolation_kernel(method, sr_in, sr_out)
        found = [known]
        for start in range(searched, n_out, CHUNK):  # in chunks: ~10 temporaries of CHUNK outputs
            t = np.arange(start, min(start + CHUNK, n_out))
            q, p = np.divmod(t, bank.l_out)
            n, _, left, right = _times(t, sr_in, sr_out, k.scale, k.num_table)
            found.append(t[(n != q * bank.l_in + bank.base[p]) | (left != bank.left_off[p])
                           | (right != bank.right_off[p])])
        known = np.concatenate(found)
        if n_out <= STRAGGLER_CACHE:
            STRAGGLERS[key] = (n_out, known)
    return known[:int(np.searchsorted(known, n_out))]


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


# --- scipy.signal.resample_poly in numpy ----------------------------------------------------

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
    right = _kaiser_right_half(2 * half + 1, 5.0)
    h = f_c * np.sinc(f_c * m) * np.concatenate([right[:0:-1], right])
    h /= np.sum(h)
    h *= up
    h.flags.writeable = False
    return h


@lru_cache(maxsize=4)
def _poly_groups(up: int, down: int) -> BankGroups:
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
    return _dense_groups(q - j_max, weights, down)


def _reduced(sr_in: int, sr_out: int) -> tuple[int, int]:
    """(up, down): the rates' ratio ``sr_out / sr_in`` in lowest terms."""
    g = gcd(sr_in, sr_out)
    return sr_out // g, sr_in // g


def resample_polyphase(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """``scipy.signal.resample_poly(x, up, down)`` (default window, zero padding) in numpy.

    ``x``: mono samples (n,), computed in float64. Returns float64 of shape ``(ceil(n * up /
    down),)``, equal to scipy's output for float64 input to ~1e-15 relative (the same filter
    and taps; sums in another order); a copy when ``up == down``. Works through the input in
    steps of :data:`POLY_CHUNK` outputs (memory bounded beyond ``x`` and the output).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise AudioError(f"resample_polyphase expects mono audio of shape (n,), got shape {x.shape}")
    if int(up) < 1 or int(down) < 1:
        raise AudioError(f"resample_polyphase: up and down must be >= 1, got {up} and {down}")
    g = gcd(int(up), int(down))
    up, down = int(up) // g, int(down) // g
    if up == down:
        return x.copy()
    grouped = _poly_groups(up, down)
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


# --- whole buffers ---------------------------------------------------------------------------

def resample(x: np.ndarray, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> np.ndarray:
    """Resample mono audio ``x`` (n,) from ``sr_in`` to ``sr_out`` Hz, as librosa.load would.

    Returns float32 of shape ``(output_length(n, sr_in, sr_out, method),)``; a float32 copy
    when the rates are equal. ``method``: ``"kaiser_fast"`` (resampy <= 0.2.2's, the training
    resampler of the shipped model), ``"resampy04_kaiser_fast"`` / ``"kaiser_best"`` (resampy
    0.4.3's), or ``"polyphase"`` (``scipy.signal.resample_poly`` of float64 samples, computed
    by :func:`resample_polyphase` without importing scipy.signal).
    """
    if method not in METHODS:
        raise ContractError(f"resampler: expected one of {METHODS}, got {method!r}")
    if sr_in <= 0 or sr_out <= 0:
        raise AudioError(f"sample rates must be positive, got {sr_in} -> {sr_out}")
    x = np.asarray(x)
    if x.ndim != 1:
        raise AudioError(f"resample expects mono audio of shape (n,), got shape {x.shape}")
    if sr_in == sr_out:
        return x.astype(np.float32)
    size = output_length(len(x), sr_in, sr_out, method)
    if method == "polyphase":
        y = resample_polyphase(x, *_reduced(int(sr_in), int(sr_out)))
    else:
        x = x.astype(np.float32, copy=False)
        bank = tap_bank(method, int(sr_in), int(sr_out)) if method in BANK_METHODS else None
        if bank is None:
            y = resample_exact(x, int(sr_in), int(sr_out), method)
        else:
            y = _banked(x, int(sr_in), int(sr_out), bank, method)
    return _fix_length(y, size).astype(np.float32, copy=False)


# --- streams ---------------------------------------------------------------------------------

#: Fewest input samples per period of :class:`ChunkedPeriods` (fewer, longer resample() calls).
MIN_CHUNK = 4096


@dataclass(frozen=True)
class ChunkedPeriods:
    """Rate pairs without a tap bank: periods resampled with :func:`resample` and carried context.

    The interface of :class:`BankGroups` (``l_in`` inputs -> ``l_out`` outputs per period, a
    period reads ``x[q * l_in + lo : q * l_in + hi]``). A rational ratio's period (at most one
    second of input, as rates are whole Hz) is resampled together with ``context`` periods on
    each side; the filter reaches fewer input samples than that, so the middle outputs equal
    those of :func:`resample` on the whole stream (the same method, the same filter; resampy's
    per-output float time is computed from the chunk's start, which moves a weight by ~1e-16).
    """

    sr_in: int
    sr_out: int
    method: str
    l_in: int
    l_out: int
    context: int  # periods of context on each side

    @classmethod
    def build(cls, sr_in: int, sr_out: int, method: str) -> ChunkedPeriods:
        g = gcd(sr_in, sr_out)
        l_in, l_out = sr_in // g, sr_out // g
        repeat = -(-MIN_CHUNK // l_in)
        reach = interpolation_kernel(method, sr_in, sr_out).max_taps + 2
        return cls(sr_in, sr_out, method, repeat * l_in, repeat * l_out, -(-reach // (repeat * l_in)))

    @property
    def lo(self) -> int:
        return -self.context * self.l_in

    @property
    def hi(self) -> int:
        return (1 + self.context) * self.l_in

    def apply(self, xp: np.ndarray, first: int, periods: int) -> np.ndarray:
        """Outputs (periods * l_out,) float64 of periods ``0..periods-1``, period 0 reading
        ``xp[first + lo : first + hi]`` (as :meth:`BankGroups.apply`)."""
        if first + self.lo < 0 or first + (periods - 1) * self.l_in + self.hi > len(xp):
            raise ValueError(f"resampler: periods 0..{periods - 1} from {first} reach outside "
                             f"the {len(xp)} input samples")
        chunk = xp[first + self.lo:first + (periods - 1) * self.l_in + self.hi]
        y = resample(chunk, self.sr_in, self.sr_out, self.method)
        skip = self.context * self.l_out
        return y[skip:skip + periods * self.l_out].astype(np.float64)


class StreamResampler:
    """Mono audio at ``sr_in`` Hz in, the same stream at ``sr_out`` Hz out (float64).

    :func:`resample` resamples a whole buffer; a stream is resampled once, as it comes, so
    that consecutive windows cut from the output share their samples (and their STFT frames:
    see :mod:`ser_edge.frontend.mfcc_mean.incremental`). For the tap bank's methods and rate pairs this
    class applies the per-phase tap bank (resampy's filter, rational rate ratios) to the
    samples received so far, one *period* (``l_in`` inputs -> ``l_out`` outputs) at a time, as
    soon as a period's inputs have all arrived; ``"polyphase"`` applies resample_poly's
    phase table the same way (equal to ``resample_polyphase`` of the whole stream to ~1e-15);
    for every other method or rate pair
    (:class:`ChunkedPeriods`) each period goes through :func:`resample` with its neighbours
    as context. Its output does not depend on how the stream is cut into blocks, and equals
    ``resample()`` of the whole stream to ~1e-6 (``resample()`` recomputes a few outputs per
    second with resampy's float rounding of the sample times; the bank uses the exact phase
    of every output).

    :meth:`push` returns the outputs the new samples complete (the output lags the input by
    about one period plus the filter's half-length: 7 ms for 48000 -> 22050 Hz);
    :meth:`flush` returns the rest at the end of the stream, as ``resample()`` would (zeros
    after the last input, length ``output_length(n, sr_in, sr_out, method)`` in total). With equal rates
    the samples pass through unchanged.
    """

    def __init__(self, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> None:
        if sr_in <= 0 or sr_out <= 0:
            raise AudioError(f"sample rates must be positive, got {sr_in} -> {sr_out}")
        if method not in METHODS:
            raise AudioError(f"stream resampler: method must be one of {METHODS}, got {method!r}")
        self.sr_in, self.sr_out, self.method = int(sr_in), int(sr_out), method
        self._groups: BankGroups | ChunkedPeriods | None = None
        if self.sr_in != self.sr_out and method == "polyphase":
            self._groups = _poly_groups(*_reduced(self.sr_in, self.sr_out))
        elif self.sr_in != self.sr_out:
            banked = _groups(method, self.sr_in, self.sr_out) if method in BANK_METHODS else None
            self._groups = banked or ChunkedPeriods.build(self.sr_in, self.sr_out, method)
        self.reset()

    @staticmethod
    def supports(sr_in: int, sr_out: int, method: str) -> bool:
        """Whether a stream from ``sr_in`` to ``sr_out`` Hz with ``method`` can be built
        (every method at every pair of positive whole rates)."""
        return method in METHODS and int(sr_in) == sr_in > 0 and int(sr_out) == sr_out > 0

    @property
    def banked(self) -> bool:
        """Whether resampy's tap bank serves this stream (else resample_poly's phase table,
        :class:`ChunkedPeriods`, or equal rates)."""
        return isinstance(self._groups, BankGroups) and self.method in BANK_METHODS

    def reset(self) -> None:
        """Start a new stream: the next sample pushed is input sample 0."""
        pad = -self._groups.lo if self._groups is not None else 0
        self._buf = np.zeros(pad)       # inputs from absolute index self._buf_start on
        self._buf_start = -pad          # negative indices: the zeros before the stream
        self._received = 0              # input samples pushed
        self._period = 0                # next period to compute
        self._emitted = 0               # output samples returned

    @property
    def received(self) -> int:
        """Input samples pushed since the last reset."""
        return self._received

    @property
    def emitted(self) -> int:
        """Output samples returned since the last reset."""
        return self._emitted

    def input_needed(self, n_outputs: int) -> int:
        """Input samples that must have been pushed for :meth:`push` to have returned
        ``n_outputs`` output samples in total."""
        if self._groups is None or n_outputs <= 0:
            return max(0, n_outputs)
        g = self._groups
        periods = -(-n_outputs // g.l_out)
        return (periods - 1) * g.l_in + g.hi

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Append mono input samples (n,); return the new output samples (m,) float64."""
        x = np.asarray(samples, dtype=np.float64).reshape(-1)
        self._received += len(x)
        if self._groups is None:
            self._emitted += len(x)
            return x.copy()
        self._buf = np.concatenate([self._buf, x])
        g = self._groups
        periods = (self._received - g.hi) // g.l_in + 1 - self._period
        return self._compute(max(0, periods))

    def _compute(self, periods: int) -> np.ndarray:
        """The outputs of the next ``periods`` periods (their inputs are in the buffer)."""
        g = self._groups
        if periods <= 0:
            return np.zeros(0)
        y = g.apply(self._buf, self._period * g.l_in - self._buf_start, periods)
        self._period += periods
        keep_from = self._period * g.l_in + g.lo  # the first input any later period reads
        cut = keep_from - self._buf_start
        if cut > 0:
            self._buf = self._buf[cut:].copy()
            self._buf_start = keep_from
        self._emitted += len(y)
        return y

    def flush(self) -> np.ndarray:
        """End of stream: the remaining outputs (zeros read after the last input).

        In total ``ceil(received * sr_out / sr_in)`` samples have then been returned, the
        length ``resample()`` gives; call :meth:`reset` before pushing a new stream.
        """
        total = output_length(self._received, self.sr_in, self.sr_out, self.method)
        if self._groups is None:
            return np.zeros(0)
        g = self._groups
        computed = int(self._received * float(self.sr_out) / float(self.sr_in))  # resampy's count
        if self.method == "polyphase":  # resample_poly computes every output
            computed = total
        periods = max(0, -(-computed // g.l_out) - self._period)
        need = (self._period + periods - 1) * g.l_in + g.hi - self._buf_start
        if periods and need > len(self._buf):
            self._buf = np.concatenate([self._buf, np.zeros(need - len(self._buf))])
        emitted_before = self._emitted
        y = self._compute(periods)[:max(0, computed - emitted_before)]
        y = np.concatenate([y, np.zeros(max(0, total - emitted_before - len(y)))])
        self._emitted = emitted_before + len(y)
        return y
