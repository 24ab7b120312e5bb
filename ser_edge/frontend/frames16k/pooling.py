"""Model inputs from the speech frames of an utterance only.

Both inputs ignore non-speech frames, so silence around an utterance does not change them,
and both are independent of the recording level (a gain adds a constant to every log band,
which band-mean removal cancels; the functionals use no absolute level):

* :func:`cnn_input` — (T, n_mels) log-mel frames of speech, each band minus its mean over them.
* :func:`functionals` — (n_functionals,) statistics of MFCCs, deltas, spectral shape, zero
  crossings, F0 (semitones, voiced frames) and voicing (:func:`frame_functionals`), then the
  long-term spectral envelope (:func:`band_functionals`); names in :func:`functional_names`.
"""

from __future__ import annotations

import numpy as np

from .frames import FrameBlock
from .spec import Frames16kSpec

_HZ_PER_KHZ = 1000.0


def delta(feat: np.ndarray, n: int) -> np.ndarray:
    """python_speech_features.delta: regression over +-n frames with edge padding; (T, D)."""
    if len(feat) == 0:
        return feat
    # edge padding by concatenation (np.pad's set-up costs more than the copy here)
    padded = np.concatenate([np.repeat(feat[:1], n, axis=0), feat, np.repeat(feat[-1:], n, axis=0)])
    weights = np.arange(-n, n + 1, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * n + 1, axis=0)  # (T, D, 2n+1)
    return windows @ weights / (2.0 * np.sum(weights[n + 1:] ** 2))


def has_speech(mask: np.ndarray, spec: Frames16kSpec) -> bool:
    """Whether the mask holds at least ``min_speech_frames`` speech frames."""
    return int(np.count_nonzero(mask)) >= spec.min_speech_frames


def cnn_input(block: FrameBlock, mask: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """Log-mel frames of speech, (T_speech, n_mels) float32, band means removed if the spec says."""
    mel = block.logmel[np.asarray(mask, dtype=bool)]
    if spec.band_mean_removal and len(mel):
        mel = mel - mel.mean(axis=0, keepdims=True)
    return mel.astype(np.float32)


def _stats(x: np.ndarray, spec: Frames16kSpec) -> list[np.ndarray]:
    """Mean, std and percentiles over axis 0 of (T, D) -> list of (D,) arrays (zeros if T = 0)."""
    if len(x) == 0:
        return [np.zeros(x.shape[1]) for _ in range(2 + len(spec.percentiles))]
    return [x.mean(axis=0), x.std(axis=0), *np.percentile(x, spec.percentiles, axis=0)]


def _pitch_stats(block: FrameBlock, spec: Frames16kSpec) -> list[np.ndarray]:
    """F0 statistics over voiced speech frames, its frame-to-frame change, voicing."""
    voiced = block.voiced & np.isfinite(block.f0_semitones)
    f0 = block.f0_semitones[voiced][:, None]
    stats = _stats(f0, spec)
    spread = np.atleast_1d(stats[-1] - stats[2]) if len(f0) else np.zeros(1)
    both = voiced[1:] & voiced[:-1]
    step = np.diff(np.nan_to_num(block.f0_semitones))[both]
    step_std = np.array([step.std() if len(step) else 0.0])
    voicing = np.array([voiced.mean() if len(voiced) else 0.0,
                        block.periodicity.mean() if len(block) else 0.0])
    return [*stats, spread, step_std, voicing]


def band_functionals(logmel: np.ndarray, mask: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """Spectral envelope statistics over speech frames, (2 * n_mels,) float32.

    Per band: the mean log-mel over speech frames minus the mean over all bands (the shape of
    the long-term spectrum, level-free), and the standard deviation over speech frames.
    """
    mel = np.asarray(logmel, dtype=np.float64)[np.asarray(mask, dtype=bool)]
    if len(mel) == 0:
        return np.zeros(2 * spec.n_mels, dtype=np.float32)
    mean = mel.mean(axis=0)
    return np.concatenate([mean - mean.mean(), mel.std(axis=0)]).astype(np.float32)


def functionals(block: FrameBlock, mask: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """All utterance statistics: :func:`frame_functionals` then :func:`band_functionals`."""
    return np.concatenate([frame_functionals(block, mask, spec), band_functionals(block.logmel, mask, spec)])


def frame_functionals(block: FrameBlock, mask: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """Utterance statistics of MFCCs, deltas, shape, F0 over speech frames, float32.

    Deltas are taken over the whole block, then restricted to speech frames.
    """
    mask = np.asarray(mask, dtype=bool)
    d_mfcc = delta(block.mfcc, spec.delta_n)[mask]
    speech = block.select(mask)
    energy = speech.mfcc[:, :1] - (np.median(speech.mfcc[:, 0]) if len(speech) else 0.0)
    shape = np.stack([speech.centroid_hz / _HZ_PER_KHZ, speech.rolloff_hz / _HZ_PER_KHZ,
                      speech.flatness, speech.zcr], axis=1)
    # one pass of statistics over the MFCC, energy and shape columns (same rows), split after
    stats, k = _stats(np.concatenate([speech.mfcc[:, 1:], energy, shape], axis=1), spec), spec.n_mfcc - 1
    parts = [*(s[:k] for s in stats), *(s[k:k + 1] for s in stats[1:]),
             d_mfcc.std(axis=0) if len(d_mfcc) else np.zeros(spec.n_mfcc),
             *(s[k + 1:] for s in stats), *_pitch_stats(speech, spec)]
    return np.concatenate([np.atleast_1d(p) for p in parts]).astype(np.float32)


def functional_names(spec: Frames16kSpec) -> list[str]:
    """Names of :func:`functionals`' entries, in order."""
    stat_names = ["mean", "std", *[f"p{p:g}" for p in spec.percentiles]]
    names = [f"mfcc{c}_{s}" for s in stat_names for c in range(1, spec.n_mfcc)]
    names += [f"energy_rel_{s}" for s in stat_names[1:]]
    names += [f"d_mfcc{c}_std" for c in range(spec.n_mfcc)]
    names += [f"{f}_{s}" for s in stat_names for f in ("centroid_khz", "rolloff_khz", "flatness", "zcr")]
    names += [f"f0_st_{s}" for s in stat_names]
    names += ["f0_st_spread", "f0_st_step_std", "voiced_ratio", "periodicity_mean"]
    names += [f"band{b}_rel_mean" for b in range(spec.n_mels)] + [f"band{b}_std" for b in range(spec.n_mels)]
    return names


def n_functionals(spec: Frames16kSpec) -> int:
    """Length of the :func:`functionals` vector."""
    return len(functional_names(spec))
