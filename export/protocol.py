"""Evaluation protocols: which rows train and which rows test.

- ``seed-split``: the original project's random 67/33 split, identical to scikit-learn's
  ``train_test_split(X, y, test_size=0.33, random_state=42)`` (reproduced with numpy, no
  scikit-learn needed). Every speaker is in both train and test: for comparison only.
- ``speaker-independent``: grouped folds over the speakers; no speaker is in both the
  training and the test rows of a fold. RAVDESS actors 1-24 form 6 folds of 4 consecutive
  actors (1-4, 5-8, ...: two male and two female each); every other speaker (TESS 25 and
  26) is a fold of its own. 8 folds on the seed data; each row is tested exactly once.
- ``holdout``: the actors the user lists are the test set, the rest train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .data import Dataset
from .errors import ExportError

SEED_SPLIT, SPEAKER_INDEPENDENT, HOLDOUT = "seed-split", "speaker-independent", "holdout"
RAVDESS_ACTORS = range(1, 25)


@dataclass(frozen=True)
class Fold:
    """One train/test partition: row indices into the data set, and a short name."""

    name: str
    train: np.ndarray
    test: np.ndarray


def seed_split(n_rows: int, test_size: float = 0.33, random_state: int = 42) -> Fold:
    """scikit-learn's shuffled ``train_test_split`` indices for ``n_rows`` rows.

    Same arithmetic as ``ShuffleSplit``: n_test = ceil(test_size * n), one
    ``RandomState(random_state).permutation(n)``, test rows first.
    """
    n_test = math.ceil(test_size * n_rows)
    if not 0 < n_test < n_rows:
        raise ExportError(f"seed-split: {n_rows} rows cannot be split with test_size={test_size}")
    permutation = np.random.RandomState(random_state).permutation(n_rows)
    return Fold(name="seed-split", train=permutation[n_test:], test=permutation[:n_test])


def speaker_groups(actors: np.ndarray, group_size: int = 4) -> list[tuple[int, ...]]:
    """Speaker groups: RAVDESS actors in consecutive groups of ``group_size``, others alone."""
    present = sorted(set(int(a) for a in actors))
    ravdess = [a for a in present if a in RAVDESS_ACTORS]
    groups = [tuple(ravdess[i : i + group_size]) for i in range(0, len(ravdess), group_size)]
    return groups + [(a,) for a in present if a not in RAVDESS_ACTORS]


def speaker_folds(data: Dataset, group_size: int = 4) -> list[Fold]:
    """One :class:`Fold` per speaker group; needs the ``actor`` metadata column."""
    actors = _need_actors(data, SPEAKER_INDEPENDENT)
    groups = speaker_groups(actors, group_size)
    if len(groups) < 2:
        raise ExportError(f"{SPEAKER_INDEPENDENT}: need at least 2 speaker groups, got {groups}")
    return [_fold_for(actors, group) for group in groups]


def holdout_fold(data: Dataset, held: tuple[int, ...]) -> Fold:
    """The fold whose test rows are the listed actors' rows."""
    actors = _need_actors(data, "--holdout-actors")
    missing = sorted(set(held) - set(int(a) for a in actors))
    if missing:
        raise ExportError(
            f"--holdout-actors: actor(s) {missing} have no rows (actors: {sorted(set(actors))})"
        )
    fold = _fold_for(actors, held)
    if fold.train.size == 0:
        raise ExportError("--holdout-actors: every actor is held out, nothing left to train on")
    return fold


def parse_actors(text: str) -> tuple[int, ...]:
    """``"19-24"``, ``"1,3,5"`` or ``"1-4,25"`` -> sorted unique actor ids."""
    actors: set[int] = set()
    for part in text.split(","):
        lo, sep, hi = part.strip().partition("-")
        try:
            first, last = int(lo), int(hi if sep else lo)
        except ValueError:
            raise ExportError(f"--holdout-actors: expected e.g. '19-24' or '1,3,5', got {text!r}") from None
        if first < 1 or last < first:
            raise ExportError(
                f"--holdout-actors: expected a range low-high of ids >= 1, got {part.strip()!r}"
            )
        actors.update(range(first, last + 1))
    return tuple(sorted(actors))


def _fold_for(actors: np.ndarray, group: tuple[int, ...]) -> Fold:
    test = np.isin(actors, group)
    return Fold(name=_group_name(group), train=np.flatnonzero(~test), test=np.flatnonzero(test))


def _group_name(group: tuple[int, ...]) -> str:
    if len(group) == 1:
        return f"actor {group[0]}"
    if list(group) == list(range(group[0], group[-1] + 1)):
        return f"actors {group[0]}-{group[-1]}"
    return "actors " + ",".join(str(a) for a in group)


def _need_actors(data: Dataset, what: str) -> np.ndarray:
    actors = data.actors
    if actors is None:
        raise ExportError(
            f"{what} needs speaker ids: add metadata.csv (with an 'actor' column) beside the features"
        )
    return actors
