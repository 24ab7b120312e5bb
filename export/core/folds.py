"""Folds: which rows train and which rows test, by speaker (both pipelines).

- ``seed-split`` (:func:`seed_split`): the original project's random 67/33 split, identical to
  scikit-learn's ``train_test_split(X, y, test_size=0.33, random_state=42)`` (reproduced with
  numpy, no scikit-learn needed). Every speaker is in both train and test: for comparison only.
- speaker groups (:func:`speaker_groups`, :func:`fold_for`): RAVDESS actors 1-24 in groups of 4
  consecutive actors, every other speaker a group of its own; a fold tests one group.
- :func:`ravdess_folds`: the frames16k pipeline's folds over speaker names (TESS always trains).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ExportError

RAVDESS_ACTORS = range(1, 25)


@dataclass(frozen=True)
class Fold:
    """One train/test partition: row indices into the data set, and a short name."""

    name: str
    train: np.ndarray
    test: np.ndarray


@dataclass(frozen=True)
class SpeakerFold:
    """Test speakers of one fold (by name, e.g. 'ravdess_05'); every other speaker trains it."""

    index: int
    test_speakers: tuple[str, ...]


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


def fold_for(actors: np.ndarray, group: tuple[int, ...]) -> Fold:
    """The fold that tests the rows of the actors in ``group`` (``actors``: one id per row)."""
    test = np.isin(actors, group)
    return Fold(name=group_name(group), train=np.flatnonzero(~test), test=np.flatnonzero(test))


def group_name(group: tuple[int, ...]) -> str:
    """'actor 25', 'actors 1-4' or 'actors 1,3'."""
    if len(group) == 1:
        return f"actor {group[0]}"
    if list(group) == list(range(group[0], group[-1] + 1)):
        return f"actors {group[0]}-{group[-1]}"
    return "actors " + ",".join(str(a) for a in group)


def ravdess_folds(speakers: list[str], n_folds: int) -> list[SpeakerFold]:
    """Consecutive groups of RAVDESS actors as test folds (TESS speakers always train).

    ``speakers``: names such as 'ravdess_05'; with 18 actors and 6 folds: (1,2,3), (4,5,6) ...
    """
    actors = sorted(s for s in set(speakers) if s.startswith("ravdess_"))
    groups = np.array_split(np.array(actors), n_folds)
    return [SpeakerFold(i, tuple(g.tolist())) for i, g in enumerate(groups) if len(g)]
