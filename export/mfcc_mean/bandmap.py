"""A learned band-limit map for feature-domain augmentation (numpy/scipy; features by the runtime).

A 16 kHz microphone has nothing above 8 kHz. Its effect on a 40-MFCC-mean row ``x`` is
learned from real audio: every file of a folder is featurised by the runtime's own frontend
(:func:`ser_edge.frontend.mfcc_mean.mfcc.extract`) as recorded (full band) and after resampling to
16 kHz (``scipy.signal.resample_poly``; the frontend then resamples to its rate, as the
runtime does with 16 kHz input). A ridge regression (``alpha``, with intercept) maps the
full-band row to the change ``limited - full``: ``delta ~ x @ W + b``. Augmentation adds
``x @ W + b + r`` to a training row, ``r`` a residual of the fit drawn at random, so the
spread of real band-limited rows is kept. Only unlabeled audio is used.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ser_edge.audio.read import read_audio
from ser_edge.errors import SerEdgeError
from ser_edge.frontend.mfcc_mean.mfcc import extract
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

from ..core.errors import ExportError

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")
BAND_RATE = 16000


@dataclass(frozen=True)
class BandMap:
    """The fitted map: ``weights`` float64 (n_features, n_features), ``bias`` (n_features,),
    ``residuals`` (n_files, n_features); ``source`` names the audio folder."""

    weights: np.ndarray
    bias: np.ndarray
    residuals: np.ndarray
    source: str

    def apply(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Rows ``X`` (n, n_features) as a 16 kHz microphone would give them (float32)."""
        picked = self.residuals[rng.integers(0, len(self.residuals), len(X))]
        rows = X.astype(np.float64)
        return (rows + rows @ self.weights + self.bias + picked).astype(np.float32)

    def describe(self) -> dict[str, object]:
        """JSON-ready summary for the training record."""
        return {"audio": self.source, "files": int(len(self.residuals)), "rate_hz": BAND_RATE}


def audio_files(folder: Path) -> list[Path]:
    """Every audio file under ``folder`` (recursive), sorted."""
    if not folder.is_dir():
        raise ExportError(f"--band-audio: expected a folder of audio files, got '{folder}'")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    if len(files) < 50:
        raise ExportError(
            f"--band-audio: expected at least 50 audio files under '{folder}', got {len(files)}"
        )
    return files


def paired_features(files: list[Path], spec: MfccMeanSpec) -> tuple[np.ndarray, np.ndarray]:
    """Full-band and 16 kHz rows (n_files, n_mfcc) float64 of ``files``, by the runtime frontend."""
    full, limited = [], []
    for i, path in enumerate(files):
        try:
            samples, rate = read_audio(path)
            ratio = Fraction(BAND_RATE, rate)
            low = resample_poly(samples, ratio.numerator, ratio.denominator).astype(np.float32)
            full.append(extract(samples, rate, spec))
            limited.append(extract(low, BAND_RATE, spec))
        except SerEdgeError as exc:
            raise ExportError(f"--band-audio: {exc}") from None
        if (i + 1) % 100 == 0:
            print(f"  band map: {i + 1}/{len(files)} files", file=sys.stderr, flush=True)
    return np.asarray(full, np.float64), np.asarray(limited, np.float64)


def fit_band_map(full: np.ndarray, limited: np.ndarray, source: str, alpha: float = 1.0) -> BandMap:
    """Ridge regression (with intercept) of ``limited - full`` on ``full``, both (n, n_features)."""
    delta = limited - full
    mean_x, mean_d = full.mean(axis=0), delta.mean(axis=0)
    xc = full - mean_x
    gram = xc.T @ xc + alpha * np.eye(full.shape[1])
    weights = np.linalg.solve(gram, xc.T @ (delta - mean_d))
    bias = mean_d - mean_x @ weights
    residuals = delta - (full @ weights + bias)
    return BandMap(weights=weights, bias=bias, residuals=residuals, source=source)


def load_band_map(folder: str | Path, spec: MfccMeanSpec | None = None) -> BandMap:
    """Featurise every audio file under ``folder`` and fit the map (progress on stderr)."""
    files = audio_files(Path(folder))
    print(f"band map: featurising {len(files)} files of '{folder}' at full band and 16 kHz", file=sys.stderr)
    full, limited = paired_features(files, spec or MfccMeanSpec())
    return fit_band_map(full, limited, source=str(folder))
