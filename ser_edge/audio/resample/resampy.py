"""resampy's filters: the Kaiser-windowed sinc tables (rebuilt from their parameters), the
interpolation kernel per rate pair, and resampy's exact per-sample loop (:func:`resample_exact`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

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


def kaiser_right_half(m: int, beta: float) -> np.ndarray:
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
    table = kaiser_right_half(2 * n + 1, beta) * sinc
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
