"""Read a features folder (``features.npz``, or ``X.joblib`` + ``y.joblib``, plus ``metadata.csv``).

``.npz`` files are read with ``allow_pickle=False``: they hold plain arrays and cannot run
code. ``.joblib`` files are pickles, which execute code while loading; they are read only
from the folder the user named, with a warning, and :func:`write_npz` converts them once.

npz layout: ``X`` (rows, features), ``y`` (rows,), and optionally one array per metadata
column named ``meta_<column>`` (e.g. ``meta_actor``). Without ``meta_*`` arrays, a
``metadata.csv`` beside the file is used.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

from ..core.errors import ExportError
from ..core.files import write_atomic
from .data import Dataset, make_dataset

NPZ_NAME, X_NAME, Y_NAME, META_NAME = "features.npz", "X.joblib", "y.joblib", "metadata.csv"
META_PREFIX = "meta_"


def load_features(path: str | Path) -> Dataset:
    """Load and validate the data set at ``path`` (a folder, or an ``.npz`` file)."""
    path = Path(path)
    if path.is_file() and path.suffix == ".npz":
        return _from_npz(path)
    if not path.is_dir():
        raise ExportError(f"features: expected a folder or an .npz file, got '{path}' (not found)")
    if (path / NPZ_NAME).is_file():
        return _from_npz(path / NPZ_NAME)
    missing = [name for name in (X_NAME, Y_NAME) if not (path / name).is_file()]
    if missing:
        raise ExportError(f"features: '{path}' has neither {NPZ_NAME} nor {' + '.join(missing)}")
    return _from_joblib(path)


def _from_npz(path: Path) -> Dataset:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError) as exc:
        raise ExportError(f"features: cannot read '{path}' as a plain-array .npz: {exc}") from None
    for name in ("X", "y"):
        if name not in arrays:
            raise ExportError(f"features: '{path}' has no array '{name}' (has {sorted(arrays)})")
    meta = {k[len(META_PREFIX) :]: v for k, v in arrays.items() if k.startswith(META_PREFIX)}
    if not meta:
        meta = _read_csv(path.parent / META_NAME)
    return make_dataset(arrays["X"], arrays["y"], meta, str(path))


def _from_joblib(folder: Path) -> Dataset:
    try:
        import joblib
    except ImportError:
        raise ExportError(
            "reading .joblib needs the 'joblib' package: pip install 'ser-edge[export]'"
        ) from None
    print(
        f"warning: {folder}/*.joblib are pickles, and loading a pickle runs code; load only folders you "
        f"trust. Convert once with: python -m export to-npz {folder} -o features.npz",
        file=sys.stderr,
    )
    try:
        X, y = joblib.load(folder / X_NAME), joblib.load(folder / Y_NAME)
    except Exception as exc:  # noqa: BLE001 - unpickling can raise anything; report it as one line
        raise ExportError(f"features: cannot load joblib files in '{folder}': {exc}") from None
    return make_dataset(X, y, _read_csv(folder / META_NAME), str(folder))


def _read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of a metadata CSV as str arrays; {} when the file does not exist."""
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        rows = list(reader)
    if not header:
        raise ExportError(f"metadata: '{path}' is empty")
    short = next((i for i, r in enumerate(rows) if len(r) != len(header)), None)
    if short is not None:
        raise ExportError(
            f"metadata: '{path}' line {short + 2} has {len(rows[short])} fields, header has {len(header)}"
        )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(header)
    return {name: np.array(col, dtype=str) for name, col in zip(header, columns, strict=True)}


def write_npz(data: Dataset, out: str | Path) -> Path:
    """Write ``data`` as a plain-array .npz (X float32, y int64, ``meta_*`` str), atomically."""
    arrays = {"X": data.X, "y": data.y}
    arrays.update({META_PREFIX + k: v for k, v in data.meta.items()})
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return write_atomic(Path(out), buffer.getvalue())
