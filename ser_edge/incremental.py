"""Sliding-window MFCC means for a stream, each frame's mel power computed once.

Consecutive windows of a stream share most STFT frames, so recomputing every window's
features from scratch (:func:`ser_edge.features.mfcc_mean`) repeats most of the work.
:class:`IncrementalMfcc` keeps the dB mel power of every *interior* frame (one whose samples
lie inside the window, so it is the same in every window that holds it) and computes per
window only what differs:

* the *edge* frames: with ``center=True`` a window's first and last ``ceil(n_fft/2/hop)``
  frames reach into the window's own ``pad_mode`` padding (reflect), so they depend on the
  window and are recomputed from its samples (4 frames for the default spec and 3 s);
* the ``top_db`` clip, which is relative to the window's loudest (mel band, frame) value.

The result equals ``mfcc_mean(window, spec)`` (float32, differences ~1e-12 before the cast).
Frames are shared only when windows start on the frame grid, so the hop is rounded to a
whole number of ``spec.hop_length`` samples (1 s at 22050 Hz -> 43 frames = 0.9985 s):
:attr:`IncrementalMfcc.hop_samples` is the hop really used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import FeatureSpec
from .errors import AudioError
from .features import _frames, _power, apply_filterbank, dct_matrix, frame_count, power_to_db


@dataclass(frozen=True)
class WindowFeatures:
    """One window's features: samples ``start:end`` of the stream (at the model rate)."""

    start: int
    end: int
    features: np.ndarray  # (n_mfcc,) float32, = features.mfcc_mean(stream[start:end], spec)


class IncrementalMfcc:
    """Feed audio at ``spec.sample_rate`` with :meth:`push`; get each window's MFCC mean.

    Window ``k`` covers stream samples ``[k * hop_samples, k * hop_samples + window_samples)``
    and is returned by the :meth:`push` call that completes it. Memory is bounded by about
    one window of audio and one window of frames.
    """

    def __init__(self, spec: FeatureSpec, window_seconds: float, hop_seconds: float) -> None:
        self.spec = spec
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
        self.reset()

    def reset(self) -> None:
        """Forget all audio: the next sample pushed is stream sample 0."""
        self._audio = np.zeros(0)
        self._pending: list[np.ndarray] = []  # blocks pushed since the last window
        self._audio_start = 0       # stream index of self._audio[0]
        self._received = 0          # stream samples pushed so far
        self._next_window = 0       # index k of the next window to emit
        self._db = np.zeros((0, self.spec.n_mels))  # dB rows of global frames [_db_first, ...)
        self._db_first = 0

    def _to_db(self, frames: np.ndarray) -> np.ndarray:
        """dB mel power (n, n_mels) of STFT frames (n, n_fft), before the top_db clip."""
        mel = apply_filterbank(_power(frames, self.spec), self.spec)
        return power_to_db(mel, self.spec.ref, self.spec.amin, top_db=None).T  # clipped per window

    def _interior(self, first: int, last: int) -> np.ndarray:
        """dB rows of global frames ``first..last`` (inclusive), computing the missing ones."""
        known_end = self._db_first + len(self._db)
        if first < self._db_first or first > known_end:  # a gap (hop > window) or a restart
            self._db, self._db_first, known_end = self._db[:0], first, first
        if last >= known_end:
            hop, n_fft = self.spec.hop_length, self.spec.n_fft
            lo = known_end * hop - self._offset - self._audio_start
            hi = last * hop - self._offset - self._audio_start + n_fft
            segment = np.asarray(self._audio[lo:hi], dtype=np.float64)
            frames = np.lib.stride_tricks.sliding_window_view(segment, n_fft)[::hop]
            self._db = np.concatenate([self._db, self._to_db(frames)])
        keep = first - self._db_first
        self._db, self._db_first = self._db[keep:], first
        return self._db[:last - first + 1]

    def _window(self, k: int) -> WindowFeatures:
        """Features of window ``k`` (its audio is in the buffer)."""
        start = k * self.hop_samples
        base = start // self.spec.hop_length
        lo, hi = self._first_inner, self._last_inner
        inner = self._interior(base + lo, base + hi)
        edge_idx = np.r_[0:lo, hi + 1:self.n_frames]
        if edge_idx.size:
            window = self._audio[start - self._audio_start:start - self._audio_start + self.window_samples]
            edges = self._to_db(_frames(window, self.spec)[edge_idx])
            db = np.concatenate([edges[:lo], inner, edges[lo:]])
        else:
            db = inner
        if self.spec.top_db is not None:
            db = np.maximum(db, db.max() - self.spec.top_db)
        features = (self._dct @ db.mean(axis=0)).astype(np.float32)
        return WindowFeatures(start, start + self.window_samples, features)

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
