"""Parity on real recordings: ser_edge's features vs librosa's on the shared audio.

Reference: ``librosa.feature.mfcc(y=y22, sr=22050, n_mfcc=40, pad_mode='reflect').mean(axis=1)``
(reflect = the frame padding of the librosa that made the training features), with ``y22``:

* today's ``librosa.load(p, res_type='kaiser_fast')`` (resampy 0.4.3's filter), compared
  with the runtime using ``resample(..., "resampy04_kaiser_fast")``;
* ``librosa.load(p, sr=None)`` resampled by resampy with the resampy <= 0.2.2 ``kaiser_fast``
  filter that made seed/X.joblib, compared with the runtime's default ``extract``.

Files at their native rates: RAVDESS 48 kHz (incl. a stereo one), TESS 24414 Hz FLAC, and
the two example WAVs.
"""

from __future__ import annotations

from functools import partial
from math import ceil
from pathlib import Path

import numpy as np
import pytest
from scipy.signal.windows import kaiser

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import resample
from ser_edge.frontend.mfcc_mean.mfcc import extract, mfcc_mean
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

librosa = pytest.importorskip("librosa")
resampy = pytest.importorskip("resampy")
pytest.importorskip("soundfile")

TOLERANCE = 0.05  # absolute, on every one of the 40 MFCC means
STEREO = "ravdess/Actor_01/03-01-02-01-01-02-01.flac"
TRAINING_FILTER = {"filter": "sinc_window", "num_zeros": 16, "precision": 9, "rolloff": 0.85,
                   "window": partial(kaiser, beta=8.555504641634386)}


def _sample(audio_dir: Path) -> list[Path]:
    """Every 10th file of the sorted corpus (deterministic, both corpora) plus a stereo file."""
    files = sorted(audio_dir.rglob("*.flac"))
    chosen = files[::10]
    stereo = audio_dir / STEREO
    if stereo.exists() and stereo not in chosen:
        chosen.append(stereo)
    return chosen


def _librosa_mfcc_mean(y22: np.ndarray) -> np.ndarray:
    return librosa.feature.mfcc(y=y22, sr=22050, n_mfcc=40, pad_mode="reflect").mean(axis=1)


def _training_resample(path: Path) -> np.ndarray:
    """librosa.load as it was in 2020: resampy <= 0.2.2's kaiser_fast, then fix_length."""
    y, sr = librosa.load(path, sr=None)
    if sr == 22050:
        return y
    y22 = resampy.resample(y, sr, 22050, **TRAINING_FILTER)
    return librosa.util.fix_length(y22, size=ceil(len(y) * 22050 / sr))


@pytest.fixture(scope="module")
def differences(audio_dir: Path, example_wavs: list[Path]) -> dict[str, dict[str, np.ndarray]]:
    """Per comparison ("today", "training"), per file: |ours - librosa| (40,)."""
    spec = MfccMeanSpec()
    out: dict[str, dict[str, np.ndarray]] = {"today": {}, "training": {}}
    for path in [*example_wavs, *_sample(audio_dir)]:
        samples, rate = read_audio(path)
        today = mfcc_mean(resample(samples, rate, 22050, "resampy04_kaiser_fast"), spec)
        ref_today = _librosa_mfcc_mean(librosa.load(path, res_type="kaiser_fast")[0])
        out["today"][str(path)] = np.abs(today - ref_today)
        ref_training = _librosa_mfcc_mean(_training_resample(path))
        out["training"][str(path)] = np.abs(extract(samples, rate, spec) - ref_training)
    return out


def test_sample_is_representative(differences, audio_dir: Path) -> None:
    keys = list(differences["today"])
    assert sum("/ravdess/" in k for k in keys) >= 30 and sum("/tess/" in k for k in keys) >= 25
    assert str(audio_dir / STEREO) in keys


def _report(name: str, diffs: dict[str, np.ndarray]) -> float:
    groups: dict[str, list[float]] = {"examples": [], "ravdess": [], "tess": []}
    for key, diff in diffs.items():
        group = "examples" if "/examples/" in key else ("ravdess" if "/ravdess/" in key else "tess")
        groups[group].append(float(diff.max()))
    for group, values in groups.items():
        print(f"parity[{name}] {group}: {len(values)} files, max |ours - librosa| = {max(values):.3g}")
    return max(max(v) for v in groups.values())


@pytest.mark.parametrize("name", ["today", "training"])
def test_every_coefficient_within_tolerance(differences, name: str) -> None:
    diffs = differences[name]
    worst = _report(name, diffs)
    worst_key = max(diffs, key=lambda k: diffs[k].max())
    assert worst <= TOLERANCE, f"{worst_key}: max coefficient difference {worst:.4f} > {TOLERANCE}"
