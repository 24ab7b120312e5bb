"""export: the protocols' splits (seed-split = scikit-learn's, speaker folds disjoint), --holdout-actors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from export.core.errors import ExportError
from export.core.folds import parse_actors, seed_split, speaker_groups
from export.mfcc_mean.data import make_dataset
from export.mfcc_mean.loaders import load_features
from export.mfcc_mean.protocol import holdout_fold, speaker_folds


@pytest.fixture(scope="module")
def seed(seed_dir: Path):
    pytest.importorskip("joblib")
    return load_features(seed_dir)


@pytest.mark.parametrize("n_rows", [5252, 10, 101])
def test_seed_split_equals_scikit_learn(n_rows: int) -> None:
    model_selection = pytest.importorskip("sklearn.model_selection")
    train, test = model_selection.train_test_split(np.arange(n_rows), test_size=0.33, random_state=42)
    fold = seed_split(n_rows)
    np.testing.assert_array_equal(fold.train, train)
    np.testing.assert_array_equal(fold.test, test)


def test_speaker_folds_never_share_a_speaker_and_test_every_row_once(seed) -> None:
    folds = speaker_folds(seed)
    assert [f.name for f in folds] == [
        "actors 1-4",
        "actors 5-8",
        "actors 9-12",
        "actors 13-16",
        "actors 17-20",
        "actors 21-24",
        "actor 25",
        "actor 26",
    ]
    for fold in folds:
        assert not set(seed.actors[fold.train]) & set(seed.actors[fold.test])
        assert fold.train.size + fold.test.size == len(seed)
    tested = np.concatenate([f.test for f in folds])
    np.testing.assert_array_equal(np.sort(tested), np.arange(len(seed)))


def test_speaker_groups_keep_non_ravdess_speakers_alone() -> None:
    assert speaker_groups(np.array([1, 2, 3, 5, 30, 30, 25])) == [(1, 2, 3, 5), (25,), (30,)]


@pytest.mark.parametrize(
    ("text", "actors"),
    [("19-24", (19, 20, 21, 22, 23, 24)), ("1,3,5", (1, 3, 5)), ("1-2, 25", (1, 2, 25)), ("7", (7,))],
)
def test_parse_actors(text: str, actors: tuple[int, ...]) -> None:
    assert parse_actors(text) == actors


@pytest.mark.parametrize("text", ["", "a", "24-19", "0", "1,,2", "1-", "-3"])
def test_parse_actors_rejects_bad_lists(text: str) -> None:
    with pytest.raises(ExportError, match="--holdout-actors"):
        parse_actors(text)


def test_holdout_fold_tests_exactly_the_listed_actors(seed) -> None:
    fold = holdout_fold(seed, (19, 20, 21, 22, 23, 24))
    assert set(seed.actors[fold.test]) == {19, 20, 21, 22, 23, 24}
    assert not set(seed.actors[fold.train]) & {19, 20, 21, 22, 23, 24}
    with pytest.raises(ExportError, match=r"\[27\] have no rows"):
        holdout_fold(seed, (1, 27))


def test_protocols_need_speaker_ids() -> None:
    data = make_dataset(np.ones((8, 40)), np.arange(8), {}, "no-meta")
    with pytest.raises(ExportError, match="metadata.csv"):
        speaker_folds(data)
    with pytest.raises(ExportError, match="every actor"):
        holdout_fold(make_dataset(np.ones((2, 40)), np.arange(2), {"actor": np.array(["1", "1"])}, "x"), (1,))
