"""export: loading and validating feature folders, to-npz, bad input (one line, exit 2, nothing written)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from export.cli import main
from export.core.errors import ExportError
from export.mfcc_mean.data import make_dataset
from export.mfcc_mean.loaders import load_features, write_npz

pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def seed(seed_dir: Path):
    return load_features(seed_dir)


def _npz_folder(folder: Path, X: np.ndarray, y: np.ndarray, meta_rows: list[dict] | None = None) -> Path:
    np.savez(folder / "features.npz", X=X, y=y)
    if meta_rows is not None:
        with open(folder / "metadata.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(meta_rows[0]))
            writer.writeheader()
            writer.writerows(meta_rows)
    return folder


def test_seed_folder_loads_with_metadata_and_a_pickle_warning(seed_dir: Path, capsys) -> None:
    data = load_features(seed_dir)
    assert data.X.shape == (5252, 40) and data.X.dtype == np.float32
    assert data.y.shape == (5252,) and set(np.unique(data.y)) == set(range(8))
    assert sorted(set(data.actors)) == list(range(1, 27))
    assert data.mask("ravdess", "speech").sum() == 1440
    assert "pickle" in capsys.readouterr().err


def test_to_npz_round_trips_without_pickle(seed, seed_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "features.npz"
    assert main(["to-npz", str(seed_dir), "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as npz:
        assert "meta_actor" in npz.files
    again = load_features(out)
    assert "pickle" not in capsys.readouterr().err
    np.testing.assert_array_equal(again.X, seed.X)
    np.testing.assert_array_equal(again.y, seed.y)
    np.testing.assert_array_equal(again.actors, seed.actors)


def test_npz_without_meta_arrays_reads_metadata_csv_beside_it(tmp_path: Path) -> None:
    rows = [{"row": i, "actor": 1 + i % 3, "emotion_id": i % 8} for i in range(16)]
    folder = _npz_folder(tmp_path, np.ones((16, 40)), np.arange(16) % 8, rows)
    data = load_features(folder)
    assert list(data.actors[:4]) == [1, 2, 3, 1]


@pytest.mark.parametrize(
    ("X", "y", "meta", "message"),
    [
        (np.ones((10, 40, 2)), np.zeros(10, int), None, "shape (rows, features)"),
        (np.ones((10, 40)), np.zeros(9, int), None, "y must have shape (10,)"),
        (np.ones((10, 40)), np.full(10, 8), None, "labels must be 0..7"),
        (np.ones((10, 40)), np.full(10, -1), None, "labels must be 0..7"),
        (np.full((10, 40), np.nan), np.zeros(10, int), None, "NaN"),
        (np.ones((10, 40)), np.zeros(10, int), [{"row": i, "actor": 1} for i in range(9)], "has 9 rows"),
        (
            np.ones((10, 40)),
            np.zeros(10, int),
            [{"row": i, "emotion_id": 3} for i in range(10)],
            "differs from y",
        ),
        (
            np.ones((10, 40)),
            np.zeros(10, int),
            [{"row": 9 - i, "actor": 1} for i in range(10)],
            "'row' column",
        ),
        (np.ones((10, 40)), np.zeros(10, int), [{"row": i, "actor": "x"} for i in range(10)], "integers"),
    ],
)
def test_bad_data_is_one_error_line_and_exit_2(tmp_path: Path, capsys, X, y, meta, message) -> None:
    folder = _npz_folder(tmp_path, X, y, meta)
    with pytest.raises(ExportError, match=re.escape(message)):
        load_features(folder)
    out = tmp_path / "out.npz"
    assert main(["to-npz", str(folder), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and message.split()[0] in err[0]
    assert not out.exists()


def test_missing_files_are_named(tmp_path: Path, capsys) -> None:
    (tmp_path / "X.joblib").write_bytes(b"")
    assert main(["to-npz", str(tmp_path), "-o", str(tmp_path / "o.npz")]) == 2
    assert "y.joblib" in capsys.readouterr().err
    assert main(["to-npz", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o.npz")]) == 2
    assert "not found" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X.joblib"]


def test_npz_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "features.npz", X=np.array([object()] * 3, dtype=object), y=np.zeros(3, int))
    with pytest.raises(ExportError, match="plain-array"):
        load_features(tmp_path)


def test_write_npz_replaces_atomically(tmp_path: Path) -> None:
    data = make_dataset(np.ones((4, 40)), np.arange(4), {}, "test")
    out = write_npz(data, tmp_path / "f.npz")
    write_npz(data, out)
    assert [p.name for p in tmp_path.iterdir()] == ["f.npz"]
