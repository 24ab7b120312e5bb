"""The MFCC-mean frontend as pure numpy/scipy functions, equal to librosa's.

The pipeline for one utterance ``y`` (n,) at ``spec.sample_rate`` Hz:

    frames (n_frames, n_fft) -> power spectrogram (n_fft//2+1, n_frames)
    -> mel power (n_mels, n_frames) -> dB (top_db clip relative to the utterance max)
    -> DCT-II over the mel axis (n_mfcc, n_frames) -> mean over frames (n_mfcc,)

which is ``librosa.feature.mfcc(y=y, sr=22050, n_mfcc=40, pad_mode='reflect').mean(axis=1)``
for the default :class:`MfccMeanSpec`. Mel power is computed per frame independently of
the later steps, so a streaming caller can keep per-frame mel power and apply
:func:`mfcc_from_mel_power` to any span. Arithmetic is float64 (librosa uses float32 from
the STFT on; the difference is ~1e-4 on MFCC means of real speech).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...audio.resample import resample
from ...errors import AudioError, ContractError, MissingExtraError
from ..dsp import dct_matrix
from .mel import apply_filterbank
from .spec import MfccMeanSpec

#: The ONNX input name of MFCC-mean models (the frontend's one input).
INPUT_NAME = "features"
#: STFT frames processed at once by :func:`mel_power` (bounds memory to ~FRAME_BLOCK * n_fft * 16 bytes).
FRAME_BLOCK = 64


def frame_count(n_samples: int, spec: MfccMeanSpec) -> int:
    """Number of STFT frames for ``n_samples`` samples (librosa's convention)."""
    if spec.center:
        return 1 + n_samples // spec.hop_length
    return 0 if n_samples < spec.n_fft else 1 + (n_samples - spec.n_fft) // spec.hop_length


def frame_signal(y: np.ndarray, frame_length: int, hop_length: int) -> np.ndarray:
    """Overlapping frames of ``y`` (n,): a read-only view (n_frames, frame_length).

    Frame ``i`` is ``y[i * hop_length : i * hop_length + frame_length]``;
    ``n_frames = 1 + (n - frame_length) // hop_length`` (AudioError when n < frame_length).
    """
    if len(y) < frame_length:
        raise AudioError(f"too short: {len(y)} samples, need at least {frame_length} for one frame")
    return sliding_window_view(y, frame_length)[::hop_length]


@lru_cache(maxsize=8)
def analysis_window(window: str, win_length: int, n_fft: int) -> np.ndarray:
    """Periodic window (n_fft,) float64, zero-padded to n_fft in the centre (librosa's).

    Hann is computed as scipy.signal.get_window('hann', n, fftbins=True) does (bit for bit);
    other names go to scipy.signal, imported only then (it takes seconds to import; scipy is the
    ``scipy`` extra: MissingExtraError without it).
    """
    if window in ("hann", "hann_periodic", "hanning"):
        fac = np.linspace(-np.pi, np.pi, win_length + 1)
        win = (np.zeros(win_length + 1) + 0.5 + 0.5 * np.cos(fac))[:-1]
    else:
        try:
            from scipy.signal import get_window
        except ImportError:  # only this setting needs scipy: the `scipy` extra
            raise MissingExtraError("scipy", "scipy") from None
        win = get_window(window, win_length, fftbins=True)
    left = (n_fft - win_length) // 2
    out = np.zeros(n_fft)
    out[left:left + win_length] = win
    out.flags.writeable = False
    return out


def stft_frames(y: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """STFT frames (n_frames, n_fft) of ``y`` (n,), a view of the padded signal."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or len(y) == 0:
        raise AudioError(f"too short or wrong shape: need mono samples (n,) with n >= 1, got {y.shape}")
    if spec.center:
        pad = spec.n_fft // 2
        y = np.pad(y, pad, mode=spec.pad_mode)
    return frame_signal(y, spec.n_fft, spec.hop_length)


def frames_spectrum(frames: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """``rfft(frame * window)`` of frames (n, n_fft): (n_fft//2 + 1, n) complex, bins-major.

    Transformed along axis 0 so that each bin's row is contiguous for the filterbank (the
    values are those of ``rfft(..., axis=-1).T``, bit for bit).
    """
    window = analysis_window(spec.window, spec.win_length, spec.n_fft)
    return np.fft.rfft((frames * window).T, n=spec.n_fft, axis=0)


def spectrum_power(spectrum: np.ndarray, power: float) -> np.ndarray:
    """``|spectrum| ** power`` (same shape, float64); squares without a square root for 2."""
    if power == 2.0:
        return spectrum.real ** 2 + spectrum.imag ** 2
    return np.abs(spectrum) ** power


def frames_power(frames: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """``|rfft(frame * window)| ** power`` of frames (n, n_fft): (n_fft//2 + 1, n) float64."""
    return spectrum_power(frames_spectrum(frames, spec), spec.power)


def power_spectrogram(y: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """``|STFT(y)| ** spec.power``: (n_fft//2 + 1, n_frames) float64.

    ``y`` (n,) at ``spec.sample_rate``; with ``spec.center`` the signal is padded by
    ``n_fft // 2`` on both sides with ``spec.pad_mode`` (numpy's ``np.pad`` modes), so
    frame ``t`` is centred on sample ``t * hop_length``.
    """
    return frames_power(stft_frames(y, spec), spec)


def mel_power(y: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """Mel-band power (n_mels, n_frames) float64 of ``y`` (n,) at ``spec.sample_rate``.

    Column ``t`` depends only on frame ``t`` of the signal (streaming-friendly). Computed
    in blocks of :data:`FRAME_BLOCK` frames, so long inputs need no full spectrogram.
    """
    frames = stft_frames(y, spec)
    out = np.empty((spec.n_mels, len(frames)))
    for start in range(0, len(frames), FRAME_BLOCK):
        block = frames[start:start + FRAME_BLOCK]
        out[:, start:start + len(block)] = apply_filterbank(frames_power(block, spec), spec)
    return out


def power_to_db(S: np.ndarray, ref: float = 1.0, amin: float = 1e-10,
                top_db: float | None = 80.0) -> np.ndarray:
    """``10 log10(max(S, amin) / max(ref, amin))`` in dB, same shape; = librosa.power_to_db.

    With ``top_db`` the result is clipped below at ``max(result) - top_db``, the max taken
    over the WHOLE input (so the value of a frame depends on the loudest frame).
    """
    if amin <= 0:
        raise ContractError(f"frontend amin: expected > 0, got {amin}")
    if top_db is not None and top_db < 0:
        raise ContractError(f"frontend top_db: expected >= 0 or None, got {top_db}")
    log_spec = 10.0 * np.log10(np.maximum(amin, np.asarray(S, dtype=np.float64)))
    log_spec -= 10.0 * np.log10(max(amin, abs(ref)))
    if top_db is not None and log_spec.size:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def mfcc_from_mel_power(mel: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """MFCCs (n_mfcc, n_frames) float64 from mel power (n_mels, n_frames): dB then DCT."""
    log_mel = power_to_db(mel, spec.ref, spec.amin, spec.top_db)
    return dct_matrix(spec.n_mfcc, spec.n_mels, spec.dct_type, spec.dct_norm) @ log_mel


def mfcc(y: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """MFCCs (n_mfcc, n_frames) float64 of ``y`` (n,) at ``spec.sample_rate`` Hz."""
    return mfcc_from_mel_power(mel_power(y, spec), spec)


def mfcc_mean_from_mel_power(mel: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """Mean over frames of :func:`mfcc_from_mel_power`: (n_mfcc,) float64.

    The DCT is linear, so it is applied once to the frame mean of the dB values (equal to the
    mean of per-frame MFCCs to ~1e-13; one matrix-vector product instead of one per frame).
    """
    log_mel = power_to_db(mel, spec.ref, spec.amin, spec.top_db)
    return dct_matrix(spec.n_mfcc, spec.n_mels, spec.dct_type, spec.dct_norm) @ log_mel.mean(axis=1)


def mfcc_mean(y: np.ndarray, spec: MfccMeanSpec) -> np.ndarray:
    """Mean over frames of :func:`mfcc`: (n_mfcc,) float32. ``y`` is at ``spec.sample_rate``."""
    return mfcc_mean_from_mel_power(mel_power(y, spec), spec).astype(np.float32)


def extract(samples: np.ndarray, sample_rate: int, spec: MfccMeanSpec) -> np.ndarray:
    """The model's input: mono ``samples`` (n,) at ``sample_rate`` Hz -> (n_mfcc,) float32.

    Resamples to ``spec.sample_rate`` with ``spec.resampler`` (as librosa.load), then
    :func:`mfcc_mean`. AudioError when the input is too short to give one output sample.
    """
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise AudioError(f"expected mono samples of shape (n,), got {samples.shape}")
    if int(len(samples) * float(spec.sample_rate) / float(sample_rate)) < 1:
        raise AudioError(f"too short: {len(samples)} samples at {sample_rate} Hz give no sample "
                         f"at {spec.sample_rate} Hz")
    y = resample(samples, int(sample_rate), spec.sample_rate, spec.resampler)
    return mfcc_mean(y, spec)
