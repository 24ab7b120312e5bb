"""The training data set: feature rows, class ids and per-row metadata, validated once.

A :class:`Dataset` is what every other export module works on. It is built by
:mod:`export.loaders` from a features folder and checked here, so that a wrong shape, a
label outside the class range or metadata that does not describe the rows is reported as
one clear :class:`ExportError` before anything is trained or written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ser_edge.config import DEFAULT_LABELS

from ..core.errors import ExportError

#: Metadata columns the protocols use: the speaker id, the corpus and speech/song.
ACTOR, CORPUS, CHANNEL = "actor", "corpus", "vocal_channel"


@dataclass(frozen=True)
class Dataset:
    """Feature rows with their labels and optional metadata.

    ``X``: float32 array (n_rows, n_features), e.g. (5252, 40) MFCC means.
    ``y``: int64 array (n_rows,), class ids 0..len(labels)-1.
    ``meta``: column name -> str array (n_rows,), e.g. the columns of ``metadata.csv``.
    ``source``: where the rows came from, as the user named it (for the provenance record).
    """

    X: np.ndarray
    y: np.ndarray
    meta: dict[str, np.ndarray] = field(default_factory=dict)
    source: str = ""
    labels: tuple[str, ...] = DEFAULT_LABELS

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def actors(self) -> np.ndarray | None:
        """Speaker id of each row, int64 (n_rows,), or None without an ``actor`` column."""
        if ACTOR not in self.meta:
            return None
        return self.meta[ACTOR].astype(np.int64)

    def mask(self, corpus: str | None = None, channel: str | None = None) -> np.ndarray:
        """Boolean (n_rows,): rows of ``corpus`` and ``channel`` (None = any); all False without metadata."""
        keep = np.ones(len(self), dtype=bool)
        for column, wanted in ((CORPUS, corpus), (CHANNEL, channel)):
            if wanted is None:
                continue
            if column not in self.meta:
                return np.zeros(len(self), dtype=bool)
            keep &= self.meta[column] == wanted
        return keep

    def subset(self, rows: np.ndarray) -> Dataset:
        """The rows selected by an index or boolean array, metadata included."""
        return Dataset(
            X=self.X[rows],
            y=self.y[rows],
            meta={k: v[rows] for k, v in self.meta.items()},
            source=self.source,
            labels=self.labels,
        )


def make_dataset(
    X: np.ndarray,
    y: np.ndarray,
    meta: dict[str, np.ndarray],
    source: str,
    labels: tuple[str, ...] = DEFAULT_LABELS,
) -> Dataset:
    """Validate raw arrays and build a :class:`Dataset`; raise :class:`ExportError` naming the problem."""
    X = _check_features(np.asarray(X), source)
    y = _check_labels(np.asarray(y), len(X), len(labels), source)
    meta = {k: np.asarray(v).astype(str) for k, v in meta.items()}
    _check_meta(meta, y, source)
    return Dataset(X=X, y=y, meta=meta, source=source, labels=labels)


def _check_features(X: np.ndarray, source: str) -> np.ndarray:
    """(n, f) or (n, f, 1) numeric and finite -> float32 (n, f)."""
    if X.ndim == 3 and X.shape[2] == 1:
        X = X[:, :, 0]
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ExportError(f"{source}: X must have shape (rows, features), got {X.shape}")
    if not np.issubdtype(X.dtype, np.number):
        raise ExportError(f"{source}: X must be numeric, got dtype {X.dtype}")
    if not np.all(np.isfinite(X)):
        raise ExportError(f"{source}: X has {int(np.sum(~np.isfinite(X)))} NaN/inf values")
    return X.astype(np.float32)


def _check_labels(y: np.ndarray, n_rows: int, n_classes: int, source: str) -> np.ndarray:
    """(n,) integer class ids in 0..n_classes-1 -> int64."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n_rows:
        raise ExportError(f"{source}: y must have shape ({n_rows},) to match X, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.issubdtype(y.dtype, np.floating) or not np.all(y == np.round(y)):
            raise ExportError(f"{source}: y must hold integer class ids, got dtype {y.dtype}")
    bad = (y < 0) | (y >= n_classes)
    if np.any(bad):
        raise ExportError(
            f"{source}: labels must be 0..{n_classes - 1}, got {int(np.sum(bad))} outside "
            f"(e.g. {y[bad][0]} at row {int(np.argmax(bad))})"
        )
    return y.astype(np.int64)


def _check_meta(meta: dict[str, np.ndarray], y: np.ndarray, source: str) -> None:
    """Every column one value per row; ``row`` 0..n-1, ``emotion_id`` equal to y, ``actor`` integer."""
    for name, column in meta.items():
        if column.shape != y.shape:
            raise ExportError(
                f"{source}: metadata column '{name}' has {column.shape[0]} rows, X has {len(y)}"
            )
    if "row" in meta and not np.array_equal(_ints(meta, "row", source), np.arange(len(y))):
        raise ExportError(f"{source}: metadata 'row' column is not 0..{len(y) - 1} in order")
    if "emotion_id" in meta:
        differ = _ints(meta, "emotion_id", source) != y
        if np.any(differ):
            raise ExportError(
                f"{source}: metadata 'emotion_id' differs from y on {int(np.sum(differ))} rows "
                f"(first at row {int(np.argmax(differ))}): the metadata does not describe these rows"
            )
    if ACTOR in meta:
        _ints(meta, ACTOR, source)


def _ints(meta: dict[str, np.ndarray], name: str, source: str) -> np.ndarray:
    """Column ``name`` as int64, or an error naming the first value that is not an integer."""
    try:
        return meta[name].astype(np.int64)
    except ValueError:
        bad = next(v for v in meta[name] if not v.lstrip("-").isdigit())
        raise ExportError(f"{source}: metadata column '{name}' must hold integers, got {bad!r}") from None
