"""Against the original feature set: ser_edge's features of each shared recording are nearest
to that recording's own row of seed/X.joblib, and the original model classifies them the same.

Rows come from seed/metadata.csv (RAVDESS ``source_file`` with .wav -> .flac under
``audio/ravdess/Actor_NN``; TESS ``folder/file`` under ``audio/tess``) plus the two examples.
Features are computed once per module, on all cores.
"""

from __future__ import annotations

import csv
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.frontend.mfcc_mean.mfcc import extract
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

EXAMPLE_ROWS = {"03-01-01-01-01-02-05.wav": 417, "10-16-07-29-82-30-63.wav": 3853}
MIN_HIT_RATE = 0.99
MIN_AGREEMENT = 0.98
MAX_ROW_DIFF = 0.05  # largest |ours - stored row| on any coefficient of any file


def _audio_path(row: dict[str, str], audio_dir: Path) -> Path | None:
    source = row["source_file"]
    if not source:
        return None
    flac = source.rsplit(".", 1)[0] + ".flac"
    if row["corpus"] == "ravdess":
        return audio_dir / "ravdess" / f"Actor_{int(row['actor']):02d}" / flac
    return audio_dir / "tess" / flac


def _matched_files(seed_dir: Path, audio_dir: Path, example_wavs: list[Path]) -> list[tuple[Path, int]]:
    """(audio file, row of X) for every shared recording that has a row."""
    pairs = []
    with open(seed_dir / "metadata.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            path = _audio_path(row, audio_dir)
            if path is not None and path.exists():
                pairs.append((path, int(row["row"])))
    pairs += [(p, EXAMPLE_ROWS[p.name]) for p in example_wavs if p.name in EXAMPLE_ROWS]
    return pairs


@pytest.fixture(scope="module")
def seed_xy(seed_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    joblib = pytest.importorskip("joblib")
    return joblib.load(seed_dir / "X.joblib"), joblib.load(seed_dir / "y.joblib")


@pytest.fixture(scope="module")
def ours(
    seed_dir: Path, audio_dir: Path, example_wavs: list[Path]
) -> tuple[list[Path], np.ndarray, np.ndarray]:
    """(files, their rows (N,), our features (N, 40)) for every matched recording."""
    pytest.importorskip("soundfile")
    pairs = _matched_files(seed_dir, audio_dir, example_wavs)
    spec = MfccMeanSpec()

    def features(path: Path) -> np.ndarray:
        samples, rate = read_audio(path)
        return extract(samples, rate, spec)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        feats = list(pool.map(features, [p for p, _ in pairs]))
    return [p for p, _ in pairs], np.array([r for _, r in pairs]), np.stack(feats)


def test_every_audio_file_is_matched(ours, audio_dir: Path) -> None:
    files, rows, _ = ours
    # the seed's corpora only: the data folder also holds corpora the seed never saw (EMOVO)
    n_audio = sum(len(list((audio_dir / corpus).rglob("*.flac"))) for corpus in ("ravdess", "tess"))
    print(f"seed: {len(files)} files matched to rows ({n_audio} shared RAVDESS/TESS FLAC files + examples)")
    assert len(set(rows)) == len(rows) - 1  # only the RAVDESS example repeats a row (417)
    assert len(files) >= 0.98 * n_audio


def test_nearest_row_is_own_row(ours, seed_xy) -> None:
    files, rows, feats = ours
    X, _ = seed_xy
    d2 = (feats.astype(np.float64) ** 2).sum(1)[:, None] - 2 * feats @ X.T + (X ** 2).sum(1)[None, :]
    nearest = d2.argmin(axis=1)
    hits = int((nearest == rows).sum())
    own = np.abs(feats - X[rows]).max(axis=1)
    print(f"seed: nearest row of X is the file's own row for {hits}/{len(rows)} files; "
          f"max |ours - own row| per file: median {np.median(own):.2g}, max {own.max():.2g}")
    misses = [f"{files[i].name}: nearest {nearest[i]}, own {rows[i]}"
              for i in np.flatnonzero(nearest != rows)]
    assert hits >= MIN_HIT_RATE * len(rows), misses
    if misses:
        print("seed: misses:", "; ".join(misses))
    assert own.max() <= MAX_ROW_DIFF  # the stored training features themselves are reproduced


def test_original_model_agrees(ours, seed_xy, seed_dir: Path) -> None:
    tf_keras = pytest.importorskip("tf_keras")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _, rows, feats = ours
    X, y = seed_xy
    model = tf_keras.models.load_model(seed_dir / "SER_model.h5", compile=False)
    from_ours = model.predict(feats[:, :, None], verbose=0).argmax(axis=1)
    from_rows = model.predict(X[rows][:, :, None].astype(np.float32), verbose=0).argmax(axis=1)
    agreement = float(np.mean(from_ours == from_rows))
    print(f"seed: original model gives the same class on {agreement:.2%} of {len(rows)} files "
          f"({int((from_ours != from_rows).sum())} differ); accuracy vs y: ours "
          f"{np.mean(from_ours == y[rows]):.2%}, stored rows {np.mean(from_rows == y[rows]):.2%}")
    assert agreement >= MIN_AGREEMENT
