""":class:`StreamResampler`: a stream resampled block by block, equal to :func:`resample` of the
whole of it (the tap bank's or resample_poly's phase table per period; :class:`ChunkedPeriods`
for the other methods and rate pairs)."""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np

from ...errors import AudioError
from .bank import BANK_METHODS, BankGroups, bank_groups
from .buffers import METHODS, check_method, output_length, resample
from .polyphase import polyphase_groups, reduced_ratio
from .resampy import interpolation_kernel

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
        check_method(method)
        self.sr_in, self.sr_out, self.method = int(sr_in), int(sr_out), method
        self._groups: BankGroups | ChunkedPeriods | None = None
        if self.sr_in != self.sr_out and method == "polyphase":
            self._groups = polyphase_groups(*reduced_ratio(self.sr_in, self.sr_out))
        elif self.sr_in != self.sr_out:
            banked = bank_groups(method, self.sr_in, self.sr_out) if method in BANK_METHODS else None
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
