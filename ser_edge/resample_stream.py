"""Resample a stream block by block, with the training resampler's taps.

:func:`ser_edge.resample.resample` resamples a whole buffer; a stream is resampled once, as it
comes, so that consecutive windows cut from the output share their samples (and their STFT
frames: see :mod:`ser_edge.incremental`). :class:`StreamResampler` applies the per-phase tap
bank of :mod:`ser_edge.resample_bank` (resampy's filter, rational rate ratios) to the samples
received so far, one *period* (``l_in`` inputs -> ``l_out`` outputs) at a time, as soon as a
period's inputs have all arrived. Its output does not depend on how the stream is cut into
blocks, and equals ``resample()`` of the whole stream to ~1e-6 (``resample()`` recomputes a
few outputs per second with resampy's float rounding of the sample times; this class uses the
exact phase of every output).
"""

from __future__ import annotations

import numpy as np

from .errors import AudioError
from .resample import output_length
from .resample_bank import BANK_METHODS, _groups


class StreamResampler:
    """Mono audio at ``sr_in`` Hz in, the same stream at ``sr_out`` Hz out (float64).

    :meth:`push` returns the outputs the new samples complete (the output lags the input by
    about one period plus the filter's half-length: 7 ms for 48000 -> 22050 Hz);
    :meth:`flush` returns the rest at the end of the stream, as ``resample()`` would (zeros
    after the last input, length ``ceil(n * sr_out / sr_in)`` in total). With equal rates
    the samples pass through unchanged.
    """

    def __init__(self, sr_in: int, sr_out: int, method: str = "kaiser_fast") -> None:
        if sr_in <= 0 or sr_out <= 0:
            raise AudioError(f"sample rates must be positive, got {sr_in} -> {sr_out}")
        self.sr_in, self.sr_out, self.method = int(sr_in), int(sr_out), method
        self._groups = None
        if self.sr_in != self.sr_out:
            if method not in BANK_METHODS:
                raise AudioError(f"stream resampler: method must be one of {BANK_METHODS}, got {method!r}")
            self._groups = _groups(method, self.sr_in, self.sr_out)
            if self._groups is None:
                raise AudioError(f"stream resampler: {self.sr_in} -> {self.sr_out} Hz is not a "
                                 "supported rational ratio (too many phases)")
        self.reset()

    @staticmethod
    def supports(sr_in: int, sr_out: int, method: str) -> bool:
        """Whether a StreamResampler can be made for this rate pair and method."""
        if sr_in == sr_out:
            return True
        return method in BANK_METHODS and _groups(method, int(sr_in), int(sr_out)) is not None

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
        total = output_length(self._received, self.sr_in, self.sr_out)
        if self._groups is None:
            return np.zeros(0)
        g = self._groups
        computed = int(self._received * float(self.sr_out) / float(self.sr_in))  # resampy's count
        periods = max(0, -(-computed // g.l_out) - self._period)
        need = (self._period + periods - 1) * g.l_in + g.hi - self._buf_start
        if periods and need > len(self._buf):
            self._buf = np.concatenate([self._buf, np.zeros(need - len(self._buf))])
        emitted_before = self._emitted
        y = self._compute(periods)[:max(0, computed - emitted_before)]
        y = np.concatenate([y, np.zeros(max(0, total - emitted_before - len(y)))])
        self._emitted = emitted_before + len(y)
        return y
