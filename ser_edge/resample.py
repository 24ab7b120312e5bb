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

from dataclasses import dataclass
from functools import lru_cache
from math import ceil, gcd

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: (zero crossings, table entries per crossing, Kaiser beta, rolloff as a fraction of
#: Nyquist). resampy <= 0.2.2 documented its kaiser_fast parameters in full; for 0.4.3,
#: beta is fitted to its shipped tables (it only prints it rounded) and rolloff is stored.
FILTERS: dict[str, tuple[int, int, float, float]] = {
    "kaiser_fast": (16, 512, 8.555504641634386, 0.85),
    "resampy04_kaiser_fast": (24, 512, 9.903224416455275, 0.8682120388377784),
    "kaiser_best": (50, 8192, 12.984585247040014, 0.9173473712608761),
}
METHODS = (*FILTERS, "polyphase")

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
class _Kernel:
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
def _kernel(method: str, sr_in: int, sr_out: int) -> _Kernel:
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
    return _Kernel(win_t, delta_t, precision, scale)


def output_length(n: int, sr_in: int, sr_out: int) -> int:
    """Samples librosa.load returns for ``n`` input samples: ``ceil(n * sr_out / sr_in)``.

    Evaluated in float64 exactly as ``librosa.resample`` does (``int(np.ceil(n * ratio))``).
    """
    return ceil(n * (float(sr_out) / sr_in))


def _wing(k: _Kernel, frac: np.ndarray, xp: np.ndarray, base: np.ndarray, sign: int,
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
