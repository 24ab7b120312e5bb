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

import numpy as np

from ..core.errors import ExportError
from ..core.folds import Fold, fold_for, speaker_groups
from .data import Dataset

SEED_SPLIT, SPEAKER_INDEPENDENT, HOLDOUT = "seed-split", "speaker-independent", "holdout"


def speaker_folds(data: Dataset, group_size: int = 4) -> list[Fold]:
    """One :class:`Fold` per speaker group; needs the ``actor`` metadata column."""
    actors = _need_actors(data, SPEAKER_INDEPENDENT)
    groups = speaker_groups(actors, group_size)
    if len(groups) < 2:
        raise ExportError(f"{SPEAKER_INDEPENDENT}: need at least 2 speaker groups, got {groups}")
    return [fold_for(actors, group) for group in groups]


def holdout_fold(data: Dataset, held: tuple[int, ...]) -> Fold:
    """The fold whose test rows are the listed actors' rows."""
    actors = _need_actors(data, "--holdout-actors")
    missing = sorted(set(held) - set(int(a) for a in actors))
    if missing:
        raise ExportError(
            f"--holdout-actors: actor(s) {missing} have no rows (actors: {sorted(set(actors))})"
        )
    fold = fold_for(actors, held)
    if fold.train.size == 0:
        raise ExportError("--holdout-actors: every actor is held out, nothing left to train on")
    return fold


def _need_actors(data: Dataset, what: str) -> np.ndarray:
    actors = data.actors
    if actors is None:
        raise ExportError(
            f"{what} needs speaker ids: add metadata.csv (with an 'actor' column) beside the features"
        )
    return actors
