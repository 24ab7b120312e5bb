"""Sliding-window MFCC means for a stream, each frame's mel power computed once.

Consecutive windows of a stream share most STFT frames, so recomputing every window's
features from scratch (:func:`ser_edge.frontend.mfcc_mean.mfcc.mfcc_mean`) repeats most of the work.
:class:`IncrementalMfcc` keeps the dB mel power of every *interior* frame (one whose samples
lie inside the window, so it is the same in every window that holds it) and computes per
window only what differs:

* the *edge* frames: with ``center=True`` a window's first and last ``ceil(n_fft/2/hop)``
  frames reach into the window's own ``pad_mode`` padding (reflect), so they depend on the
  window and are recomputed from its samples (4 frames for the default spec and 3 s);
* the ``top_db`` clip, which is relative to the window's loudest (mel band, frame) value.

The result equals ``mfcc_mean(window, spec)`` (float32, differences ~1e-12 before the cast).
With ``remove_dc`` it equals ``mfcc_mean(window - window.mean(), spec)``: a constant ``c``
changes frame ``X = rfft(frame * w)`` by ``-c * rfft(w)``, which for a Hann window is zero
except in bins 0 and 1, so each interior frame keeps its spectrum at those bins and the mel
power of the other bins, and the few mel bands those bins feed are redone per window.
Frames are shared only when windows start on the frame grid, so the hop is rounded to a
whole number of ``spec.hop_length`` samples (1 s at 22050 Hz -> 43 frames = 0.9985 s):
:attr:`IncrementalMfcc.hop_samples` is the hop really used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import AudioError
from ..dsp import dct_matrix
from .mel import apply_filterbank, mel_filterbank
from .mfcc import (
    analysis_window,
    frame_count,
    frame_signal,
    frames_power,
    frames_spectrum,
    power_to_db,
    spectrum_power,
    stft_frames,
)
from .spec import MfccMeanSpec

#: ``np.pad`` modes whose padding depends only on the samples next to it.
LOCAL_PAD_MODES = ("reflect", "symmetric", "edge", "constant")


def fast_pad(x: np.ndarray, before: int, after: int, mode: str) -> np.ndarray:
    """``np.pad(x, (before, after), mode)``; 'reflect' built directly (np.pad's set-up costs more
    than the copy for a few thousand samples). Needs ``len(x) > max(before, after)``."""
    if mode != "reflect":
        return np.pad(x, (before, after), mode=mode)
    return np.concatenate([x[1:before + 1][::-1], x, x[-2::-1][:after]])


@dataclass(frozen=True)
class WindowFeatures:
    """One window's features: samples ``start:end`` of the stream (at the model rate)."""

    start: int
    end: int
    features: np.ndarray  # (n_mfcc,) float32, = mfcc.mfcc_mean(stream[start:end], spec)


class IncrementalMfcc:
    """Feed audio at ``spec.sample_rate`` with :meth:`push`; get each window's MFCC mean.

    Window ``k`` covers stream samples ``[k * hop_samples, k * hop_samples + window_samples)``
    and is returned by the :meth:`push` call that completes it. Memory is bounded by about
    one window of audio and one window of frames.
    """

    def __init__(self, spec: MfccMeanSpec, window_seconds: float, hop_seconds: float,
                 remove_dc: bool = False) -> None:
        self.spec = spec
        self.remove_dc = remove_dc
        rate, hop = spec.sample_rate, spec.hop_length
        self.window_samples = int(round(window_seconds * rate))
        if self.window_samples < spec.n_fft:
            raise AudioError(f"window: need at least n_fft={spec.n_fft} samples, got "
                             f"{self.window_samples} ({window_seconds} s at {rate} Hz)")
        self.hop_frames = max(1, int(round(hop_seconds * rate / hop)))
        self.hop_samples = self.hop_frames * hop
        self.n_frames = frame_count(self.window_samples, spec)
        self._offset = spec.n_fft // 2 if spec.center else 0
        # Window frames [first_inner, last_inner] never touch the window's padding.
        self._first_inner = -(-self._offset // hop)
        self._last_inner = (self.window_samples + self._offset - spec.n_fft) // hop
        self._dct = dct_matrix(spec.n_mfcc, spec.n_mels, spec.dct_type, spec.dct_norm)
        self._dc_bins(spec)
        self.reset()

    def _dc_bins(self, spec: MfccMeanSpec) -> None:
        """The bins a constant reaches (``_bins``), their ``rfft(w)`` and the bands they feed."""
        self._analysis = analysis_window(spec.window, spec.win_length, spec.n_fft)
        response = np.fft.rfft(self._analysis, n=spec.n_fft)
        bins = np.flatnonzero(np.abs(response) > 1e-9 * np.abs(response).max()) if self.remove_dc else []
        self._bins = np.asarray(bins, dtype=np.intp)
        self._response = response[self._bins]
        fb = mel_filterbank(spec.sample_rate, spec.n_fft, spec.n_mels, float(spec.fmin), float(spec.fmax),
                            spec.htk, spec.mel_norm)[:, self._bins]
        self._bands = np.flatnonzero(np.any(fb != 0, axis=1))
        self._fb = fb[self._bands]  # (len(bands), len(bins))

    def reset(self) -> None:
        """Forget all audio: the next sample pushed is stream sample 0."""
        self._audio = np.zeros(0)
        self._pending: list[np.ndarray] = []  # blocks pushed since the last window
        self._audio_start = 0       # stream index of self._audio[0]
        self._received = 0          # stream samples pushed so far
        self._next_window = 0       # index k of the next window to emit
        # per global frame from _db_first on: dB mel rows (n, n_mels); with remove_dc the mel
        # power of the DC-reached bands without those bins (n, len(bands)) and rfft at them
        self._db = np.zeros((0, self.spec.n_mels))
        self._rest = np.zeros((0, len(self._bands)))
        self._spec_dc = np.zeros((0, len(self._bins)), dtype=complex)
        self._db_first = 0

    def _db_rows(self, mel: np.ndarray) -> np.ndarray:
        """dB rows (n, n_mels) of mel power (n_mels, n), before the top_db clip (done per window)."""
        return power_to_db(mel, self.spec.ref, self.spec.amin, top_db=None).T

    def _to_db(self, frames: np.ndarray) -> np.ndarray:
        """dB mel power (n, n_mels) of STFT frames (n, n_fft), before the top_db clip."""
        return self._db_rows(apply_filterbank(frames_power(frames, self.spec), self.spec))

    def _interior_rows(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cached values of interior frames (n, n_fft): dB rows without the DC-reached bins,
        the mel power of the DC-reached bands without them, and the spectrum at those bins
        (without remove_dc there are no such bins: the dB rows are complete)."""
        spectrum = frames_spectrum(frames, self.spec)  # (bins, n)
        power = spectrum_power(spectrum, self.spec.power)
        at_bins = spectrum[self._bins].T
        power[self._bins] = 0.0
        mel = apply_filterbank(power, self.spec)
        return self._db_rows(mel), mel[self._bands].T, at_bins

    def _interior(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cached rows of global frames ``first..last`` (inclusive), computing the missing ones."""
        known_end = self._db_first + len(self._db)
        if first < self._db_first or first > known_end:  # a gap (hop > window) or a restart
            self._db, self._rest, self._spec_dc = self._db[:0], self._rest[:0], self._spec_dc[:0]
            self._db_first = known_end = first
        if last >= known_end:
            hop, n_fft = self.spec.hop_length, self.spec.n_fft
            lo = known_end * hop - self._offset - self._audio_start
            hi = last * hop - self._offset - self._audio_start + n_fft
            segment = np.asarray(self._audio[lo:hi], dtype=np.float64)
            frames = np.lib.stride_tricks.sliding_window_view(segment, n_fft)[::hop]
            db, rest, at_bins = self._interior_rows(frames)
            self._db = np.concatenate([self._db, db])
            self._rest = np.concatenate([self._rest, rest])
            self._spec_dc = np.concatenate([self._spec_dc, at_bins])
        keep, n = first - self._db_first, last - first + 1
        self._db, self._rest, self._spec_dc = self._db[keep:], self._rest[keep:], self._spec_dc[keep:]
        self._db_first = first
        return self._db[:n], self._rest[:n], self._spec_dc[:n]

    def _without_dc(self, db: np.ndarray, rest: np.ndarray, at_bins: np.ndarray, dc: float) -> np.ndarray:
        """Interior dB rows of the window minus ``dc``: the DC-reached bands redone (a copy when
        there are any; without remove_dc, ``db`` itself)."""
        if not len(self._bands):
            return db
        db = db.copy()
        power = spectrum_power(at_bins - dc * self._response, self.spec.power)  # (n, len(bins))
        db[:, self._bands] = self._db_rows((rest + power @ self._fb.T).T)
        return db

    def _edge_frames(self, window: np.ndarray, dc: float) -> np.ndarray:
        """The window's first and last frames (those reaching into its padding) of ``window - dc``.

        Padded from the window's ends only (enough for the pad modes that look at the
        nearest samples); other modes pad the whole window as :func:`.mfcc.stft_frames` does.
        """
        spec, lo, hi, n = self.spec, self._first_inner, self._last_inner, self.n_frames
        if spec.pad_mode not in LOCAL_PAD_MODES:
            return stft_frames(window - dc, spec)[np.r_[0:lo, hi + 1:n]]
        hop, n_fft, pad = spec.hop_length, spec.n_fft, self._offset
        parts = []
        if lo:  # padded[0 : (lo - 1) * hop + n_fft] comes from the window's head
            head = fast_pad(window[:(lo - 1) * hop + n_fft - pad] - dc, pad, 0, spec.pad_mode)
            parts.append(frame_signal(head, n_fft, hop)[:lo])
        if hi + 1 < n:  # padded[(hi + 1) * hop :] comes from the window's tail
            tail = fast_pad(window[(hi + 1) * hop - pad:] - dc, 0, pad, spec.pad_mode)
            parts.append(frame_signal(tail, n_fft, hop)[:n - hi - 1])
        return np.concatenate(parts)

    def _window(self, k: int) -> WindowFeatures:
        """Features of window ``k`` (its audio is in the buffer)."""
        start = k * self.hop_samples
        base = start // self.spec.hop_length
        lo, hi = self._first_inner, self._last_inner
        window = self._audio[start - self._audio_start:start - self._audio_start + self.window_samples]
        dc = float(np.mean(window)) if self.remove_dc else 0.0
        inner = self._without_dc(*self._interior(base + lo, base + hi), dc)
        if lo or hi + 1 < self.n_frames:
            edges = self._to_db(self._edge_frames(window, dc))
            db = np.concatenate([edges[:lo], inner, edges[lo:]])
        else:
            db = inner
        if self.spec.top_db is not None:
            db = np.maximum(db, db.max() - self.spec.top_db)
        features = (self._dct @ db.mean(axis=0)).astype(np.float32)
        return WindowFeatures(start, start + self.window_samples, features)

    @property
    def next_end(self) -> int:
        """Stream samples (at the model rate) that complete the next window."""
        return self._next_window * self.hop_samples + self.window_samples

    def push(self, samples: np.ndarray) -> list[WindowFeatures]:
        """Append mono samples (n,) at ``spec.sample_rate``; return the windows they complete."""
        x = np.asarray(samples, dtype=np.float64)
        if x.ndim != 1:
            raise AudioError(f"expected mono samples of shape (n,), got {x.shape}")
        self._pending.append(x)
        self._received += len(x)
        out: list[WindowFeatures] = []
        if self._next_window * self.hop_samples + self.window_samples > self._received:
            return out
        self._audio = np.concatenate([self._audio, *self._pending])
        self._pending = []
        while self._next_window * self.hop_samples + self.window_samples <= self._received:
            out.append(self._window(self._next_window))
            self._next_window += 1
        self._drop_old_audio()
        return out

    def _drop_old_audio(self) -> None:
        """Keep audio from the next window's start (all that any later frame can need)."""
        keep_from = min(self._next_window * self.hop_samples, self._received)
        if keep_from > self._audio_start:
            self._audio = self._audio[keep_from - self._audio_start:].copy()
            self._audio_start = keep_from
