"""16 kHz frame features as python_speech_features defines them, one-shot and incremental.

Spectral frames follow ``python_speech_features.fbank(..., winfunc=numpy.hamming)``: the whole
signal is pre-emphasised, cut into frames of ``spec.frame_len`` samples every ``spec.hop``
samples (the last frame zero-padded; ``n_frames`` frames), windowed, and turned into the power
spectrum ``|rfft(frame, nfft)|**2 / nfft``. From it: the log mel filterbank (``logmel``), MFCCs
(DCT-II ortho of the same log filterbank, liftered, c0 replaced by the log frame energy), the
log frame energy, spectral centroid/roll-off/flatness and the zero-crossing rate. F0 and
voicing come from :mod:`.pitch` on the raw signal, centred on the same frames.

:class:`FrameStream` computes the same rows incrementally: each ``push`` costs only the frames
it completes, and ``push``... ``flush`` equals :func:`compute_frames` on the whole signal.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from ..dsp import dct_matrix
from .pitch import semitones, yin
from .spec import Frames16kSpec

EPS = float(np.finfo(float).eps)  # python_speech_features' floor before log


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """HTK mel scale used by python_speech_features: 2595 log10(1 + hz / 700)."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


@lru_cache(maxsize=8)
def filterbank(spec: Frames16kSpec) -> np.ndarray:
    """Triangular mel filters, (n_mels, nfft // 2 + 1), as ``get_filterbanks`` builds them."""
    mels = np.linspace(hz_to_mel(spec.lowfreq), hz_to_mel(spec.highfreq), spec.n_mels + 2)
    bins = np.floor((spec.nfft + 1) * mel_to_hz(mels) / spec.sample_rate)
    idx = np.arange(spec.nfft // 2 + 1)
    lo, mid, hi = bins[:-2, None], bins[1:-1, None], bins[2:, None]
    rise = np.where((idx >= lo) & (idx < mid), (idx - lo) / np.maximum(mid - lo, 1), 0.0)
    fall = np.where((idx >= mid) & (idx < hi), (hi - idx) / np.maximum(hi - mid, 1), 0.0)
    bank = rise + fall
    bank.setflags(write=False)
    return bank


#: ``Frames16kSpec.window`` -> numpy's symmetric window function of that name.
WINDOW_FUNCTIONS = {"hamming": np.hamming}


@lru_cache(maxsize=8)
def _window(spec: Frames16kSpec) -> np.ndarray:
    """The analysis window ``spec.window`` (numpy's symmetric Hamming), (frame_len,)."""
    return WINDOW_FUNCTIONS[spec.window](spec.frame_len)


def n_frames(n_samples: int, spec: Frames16kSpec) -> int:
    """Frames python_speech_features makes of ``n_samples``: 1 + ceil((n - len) / hop), at least 1."""
    if n_samples <= spec.frame_len:
        return 1
    return 1 + int(np.ceil((n_samples - spec.frame_len) / spec.hop))


def preemphasis(signal: np.ndarray, coeff: float, previous: float = 0.0, first: bool = True) -> np.ndarray:
    """y[n] = x[n] - coeff x[n-1]; y[0] = x[0] at the start of a signal, else uses ``previous``."""
    x = np.asarray(signal, dtype=np.float64)
    if len(x) == 0:
        return x
    prev = np.concatenate([[x[0] / coeff if (first and coeff) else previous], x[:-1]])
    out = x - coeff * prev
    if first:
        out[0] = x[0]
    return out


def frame_view(signal: np.ndarray, length: int, hop: int, count: int) -> np.ndarray:
    """``count`` frames of ``length`` samples every ``hop`` samples, (count, length); no copy.

    ``signal`` must hold at least ``(count - 1) * hop + length`` samples.
    """
    if count <= 0:
        return np.zeros((0, length))
    return np.lib.stride_tricks.sliding_window_view(signal, length)[: (count - 1) * hop + 1 : hop]


@dataclass(frozen=True)
class FrameBlock:
    """Per-frame features of ``n`` consecutive frames (10 ms apart by default).

    logmel (n, n_mels) natural-log filterbank energies; mfcc (n, n_mfcc); log_energy (n,);
    centroid_hz, rolloff_hz (n,) in Hz; flatness (n,) in [0, 1]; zcr (n,) crossings per
    sample; f0_semitones (n,) (NaN where unvoiced); periodicity (n,) in [0, 1]; voiced (n,) bool.
    """

    logmel: np.ndarray
    mfcc: np.ndarray
    log_energy: np.ndarray
    centroid_hz: np.ndarray
    rolloff_hz: np.ndarray
    flatness: np.ndarray
    zcr: np.ndarray
    f0_semitones: np.ndarray
    periodicity: np.ndarray
    voiced: np.ndarray

    def __len__(self) -> int:
        return len(self.log_energy)

    @classmethod
    def concat(cls, blocks: list[FrameBlock]) -> FrameBlock:
        """Join blocks along time (an empty list is not allowed)."""
        return cls(**{f.name: np.concatenate([getattr(b, f.name) for b in blocks]) for f in fields(cls)})

    def select(self, index: np.ndarray) -> FrameBlock:
        """Rows picked by a boolean mask or index array."""
        return FrameBlock(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def spectral_shape(pspec: np.ndarray, spec: Frames16kSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroid (Hz), roll-off (Hz, ``rolloff_fraction`` of power below) and flatness per frame.

    ``pspec``: (n, nfft // 2 + 1) power spectrum.
    """
    freqs = np.arange(pspec.shape[1]) * spec.sample_rate / spec.nfft
    total = np.maximum(pspec.sum(axis=1), EPS)
    centroid = pspec @ freqs / total
    cum = np.cumsum(pspec, axis=1)
    rolloff = freqs[np.argmax(cum >= spec.rolloff_fraction * total[:, None], axis=1)]
    floored = np.maximum(pspec, EPS)
    flatness = np.exp(np.mean(np.log(floored), axis=1)) / np.mean(floored, axis=1)
    return centroid, rolloff, flatness


def pitch_features(pitch_frames: np.ndarray, spec: Frames16kSpec,
                   rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """F0 in semitones (NaN where unvoiced), periodicity and voicing of each pitch frame, (n,)
    each; YIN runs only on ``rows`` ((n,) bool; None: all), other frames are NaN, 0, unvoiced."""
    if rows is None:
        f0, periodicity, voiced = yin(pitch_frames, spec)
    else:
        rows = np.asarray(rows, dtype=bool)
        f0, periodicity, voiced = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows), dtype=bool)
        f0[rows], periodicity[rows], voiced[rows] = yin(pitch_frames[rows], spec)
    return semitones(f0, spec), periodicity, voiced


def spectral_features(frames: np.ndarray, spec: Frames16kSpec) -> tuple[np.ndarray, ...]:
    """logmel, mfcc, log_energy, centroid_hz, rolloff_hz, flatness, zcr (FrameBlock's first
    fields) of pre-emphasised spectral frames (n, frame_len); see the module docstring."""
    windowed = frames * _window(spec)
    pspec = np.abs(np.fft.rfft(windowed, spec.nfft, axis=1)) ** 2 / spec.nfft
    energy = pspec.sum(axis=1)
    energy = np.where(energy == 0, EPS, energy)
    bands = pspec @ filterbank(spec).T
    logmel = np.log(np.where(bands == 0, EPS, bands))
    mfcc = logmel @ dct_matrix(spec.n_mfcc, spec.n_mels).T  # scipy dct(type=2, norm="ortho")[:, :n_mfcc]
    if spec.ceplifter > 0:
        mfcc = mfcc * (1.0 + spec.ceplifter / 2.0 * np.sin(np.pi * np.arange(spec.n_mfcc) / spec.ceplifter))
    if spec.append_energy:
        mfcc[:, 0] = np.log(energy)
    centroid, rolloff, flatness = spectral_shape(pspec, spec)
    signs = np.signbit(windowed)
    zcr = np.mean(signs[:, 1:] != signs[:, :-1], axis=1)
    return logmel, mfcc, np.log(energy), centroid, rolloff, flatness, zcr


def features_from_frames(frames: np.ndarray, pitch_frames: np.ndarray, spec: Frames16kSpec,
                         rows: np.ndarray | None = None, pitch_rows: np.ndarray | None = None) -> FrameBlock:
    """All frame features from pre-emphasised spectral frames (n, frame_len) and raw pitch frames
    (n, pitch_len): the spectral ones (:func:`spectral_features`) only on ``rows`` ((n,) bool;
    None: all; other rows 0), F0 only on ``pitch_rows`` (:func:`pitch_features`)."""
    if rows is None:
        spectral = spectral_features(frames, spec)
    else:
        rows = np.asarray(rows, dtype=bool)
        computed = spectral_features(frames[rows], spec)
        spectral = tuple(np.zeros((len(rows), *part.shape[1:])) for part in computed)
        for full, part in zip(spectral, computed, strict=True):
            full[rows] = part
    return FrameBlock(*spectral, *pitch_features(pitch_frames, spec, pitch_rows))


def compute_frames(signal: np.ndarray, spec: Frames16kSpec, rows: np.ndarray | None = None,
                   pitch_rows: np.ndarray | None = None) -> FrameBlock:
    """Frame features of a whole 16 kHz mono signal (float, [-1, 1]), ``n_frames(len)`` rows: the
    spectral ones only on ``rows``, F0 only on ``pitch_rows`` ((n_frames,) bool each; None: every
    frame). Pooling over a speech mask needs F0 on the mask and the rest on the mask widened
    by ``delta_n`` (the MFCC deltas' reach)."""
    x = np.asarray(signal, dtype=np.float64).ravel()
    count = n_frames(len(x), spec)
    pre = preemphasis(x, spec.preemph)
    pre = np.concatenate([pre, np.zeros(max(0, (count - 1) * spec.hop + spec.frame_len - len(pre)))])
    raw = np.concatenate([np.zeros(spec.pitch_offset), x])
    raw = np.concatenate([raw, np.zeros(max(0, (count - 1) * spec.hop + spec.pitch_len - len(raw)))])
    return features_from_frames(frame_view(pre, spec.frame_len, spec.hop, count),
                                frame_view(raw, spec.pitch_len, spec.hop, count), spec, rows, pitch_rows)


class FrameStream:
    """Incremental :func:`compute_frames`: push blocks of any size, get the frames they complete.

    Concatenating every ``push`` result and ``flush()`` equals ``compute_frames`` of the whole
    signal (tested). Memory is bounded by one pitch frame plus the last block.
    """

    def __init__(self, spec: Frames16kSpec) -> None:
        self.spec = spec
        self.reset()

    def reset(self) -> None:
        """Forget all audio: the next push starts a new signal."""
        self._pre = np.zeros(0)  # pre-emphasised samples from frame self._next's start
        self._raw = np.zeros(self.spec.pitch_offset)  # raw samples, left-padded for pitch
        self._last = 0.0
        self._samples = 0
        self._emitted = 0

    def _append(self, block: np.ndarray) -> None:
        x = np.asarray(block, dtype=np.float64).ravel()
        if len(x) == 0:
            return
        pre = preemphasis(x, self.spec.preemph, self._last, first=self._samples == 0)
        self._last = float(x[-1])
        self._samples += len(x)
        self._pre = np.concatenate([self._pre, pre])
        self._raw = np.concatenate([self._raw, x])

    def _take(self, count: int) -> FrameBlock:
        spec = self.spec
        block = features_from_frames(frame_view(self._pre, spec.frame_len, spec.hop, count),
                                     frame_view(self._raw, spec.pitch_len, spec.hop, count), spec)
        self._pre = self._pre[count * spec.hop:]
        self._raw = self._raw[count * spec.hop:]
        self._emitted += count
        return block

    def push(self, block: np.ndarray) -> FrameBlock:
        """Add samples; return the features of every frame now complete (possibly 0 rows)."""
        self._append(block)
        spec = self.spec
        ready_pre = (len(self._pre) - spec.frame_len) // spec.hop + 1
        ready_raw = (len(self._raw) - spec.pitch_len) // spec.hop + 1
        return self._take(max(0, min(ready_pre, ready_raw)))

    def flush(self) -> FrameBlock:
        """Zero-pad the end as python_speech_features does and return the remaining frames."""
        spec = self.spec
        count = max(0, n_frames(self._samples, spec) - self._emitted) if self._samples else 0
        need_pre = (count - 1) * spec.hop + spec.frame_len if count else 0
        need_raw = (count - 1) * spec.hop + spec.pitch_len if count else 0
        self._pre = np.concatenate([self._pre, np.zeros(max(0, need_pre - len(self._pre)))])
        self._raw = np.concatenate([self._raw, np.zeros(max(0, need_raw - len(self._raw)))])
        out = self._take(count)
        self.reset()
        return out
