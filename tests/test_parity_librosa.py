"""Parity on real recordings: ser_edge's features vs librosa's on the shared audio.

Reference: ``librosa.feature.mfcc(y=librosa.load(p, res_type='kaiser_fast')[0], sr=22050,
n_mfcc=40, pad_mode='reflect').mean(axis=1)`` (reflect = the padding of the librosa that made
the training features). Files at their native rates: RAVDESS 48 kHz (some stereo), TESS
24414 Hz FLAC, and the two example WAVs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio import read_audio
from ser_edge.config import FeatureSpec
from ser_edge.features import extract

librosa = pytest.importorskip("librosa")
pytest.importorskip("resampy")
pytest.importorskip("soundfile")

TOLERANCE = 0.05  # absolute, on every one of the 40 MFCC means
STEREO = "ravdess/Actor_01/03-01-02-01-01-02-01.flac"


def _sample(audio_dir: Path) -> list[Path]:
    """Every 10th file of the sorted corpus (deterministic, both corpora) plus a stereo file."""
    files = sorted(audio_dir.rglob("*.flac"))
    chosen = files[::10]
    stereo = audio_dir / STEREO
    if stereo.exists() and stereo not in chosen:
        chosen.append(stereo)
    return chosen


def _librosa_features(path: Path) -> np.ndarray:
    y, sr = librosa.load(path, res_type="kaiser_fast")
    return librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40, pad_mode="reflect").mean(axis=1)


@pytest.fixture(scope="module")
def differences(audio_dir: Path, example_wavs: list[Path]) -> dict[str, np.ndarray]:
    """Per file: |ours - librosa| over the 40 coefficients, keyed by corpus/path."""
    spec = FeatureSpec()
    out = {}
    for path in [*example_wavs, *_sample(audio_dir)]:
        samples, rate = read_audio(path)
        out[str(path)] = np.abs(extract(samples, rate, spec) - _librosa_features(path))
    return out


def test_sample_is_representative(differences: dict[str, np.ndarray], audio_dir: Path) -> None:
    keys = list(differences)
    assert sum("/ravdess/" in k for k in keys) >= 30 and sum("/tess/" in k for k in keys) >= 25
    assert str(audio_dir / STEREO) in keys


def test_every_coefficient_within_tolerance(differences: dict[str, np.ndarray]) -> None:
    groups = {"examples": [], "ravdess": [], "tess": []}
    for key, diff in differences.items():
        group = "examples" if "/examples/" in key else ("ravdess" if "/ravdess/" in key else "tess")
        groups[group].append(diff.max())
    for group, values in groups.items():
        print(f"parity {group}: {len(values)} files, max |ours - librosa| = {max(values):.3g}")
    worst_key = max(differences, key=lambda k: differences[k].max())
    worst = differences[worst_key].max()
    print(f"parity overall: {len(differences)} files, max {worst:.3g} ({Path(worst_key).name})")
    assert worst <= TOLERANCE, f"{worst_key}: max coefficient difference {worst:.4f} > {TOLERANCE}"
