"""export: metrics (accuracy, UAR, report, confusion), recipes and feature-domain augmentation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from export.core.errors import ExportError
from export.core.metrics import accuracy, class_report, confusion, recalls, spread, uar
from export.mfcc_mean.augment import augment, band_limit, dct_matrix
from export.mfcc_mean.recipe import PRESETS, Recipe, load_recipe
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

LABELS = ("a", "b", "c")


def test_class_report_by_hand() -> None:
    y_true = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 0, 1, 1, 0, 2, 2])
    report = class_report(y_true, y_pred, LABELS)
    assert report["accuracy"] == 0.75
    assert report["uar"] == round((3 / 4 + 1 / 2 + 1) / 3, 4)
    assert report["confusion"] == [[3, 1, 0], [1, 1, 0], [0, 0, 2]]
    assert report["per_class"]["a"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4}


def test_uar_ignores_classes_absent_from_the_truth() -> None:
    report = class_report(np.array([0, 0, 2]), np.array([0, 1, 2]), LABELS)
    assert report["uar"] == 0.75 and report["per_class"]["b"]["support"] == 0


def test_one_convention_for_both_pipelines() -> None:
    """The per-row figures (frames16k CV) and the report (MFCC-mean) agree: same UAR, accuracy."""
    y_true, y_pred = np.array([0, 0, 2, 2, 2]), np.array([0, 1, 2, 2, 0])
    report = class_report(y_true, y_pred, LABELS)
    assert uar(y_true, y_pred, 3) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert report["uar"] == round(uar(y_true, y_pred, 3), 4)
    assert report["accuracy"] == round(accuracy(y_true, y_pred), 4) == 0.6
    assert np.isnan(recalls(y_true, y_pred, 3)[1]) and report["per_class"]["b"]["recall"] == 0.0


def test_confusion_and_spread() -> None:
    assert confusion(np.array([1, 1]), np.array([0, 1]), 2).tolist() == [[0, 0], [1, 1]]
    assert spread([0.5, 0.7]) == {"mean": 0.6, "std": 0.1, "min": 0.5, "max": 0.7}


def test_recipe_round_trip_and_json_file(tmp_path: Path) -> None:
    for recipe in PRESETS.values():
        assert Recipe.from_dict(json.loads(json.dumps(recipe.to_dict()))) == recipe
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({"filters": [8, 16], "epochs": 3}))
    recipe = load_recipe(str(path))
    assert recipe.name == "wide" and recipe.filters == (8, 16) and recipe.epochs == 3
    assert recipe.replace(epochs=None, batch_size=7).batch_size == 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"filtres": [1]}', "unknown setting"),
        ('{"optimizer": "sgd"}', "optimizer"),
        ("[1, 2]", "JSON object"),
        ("{", "JSON"),
    ],
)
def test_bad_recipes_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ExportError, match=message):
        load_recipe(str(path))
    with pytest.raises(ExportError, match="original.*or a JSON file"):
        load_recipe("no-such-recipe")


def test_dct_matrix_is_scipys_orthonormal_dct() -> None:
    from scipy.fft import dct

    spectrum = np.random.default_rng(0).normal(size=128)
    np.testing.assert_allclose(dct_matrix(40, 128) @ spectrum, dct(spectrum, norm="ortho")[:40], atol=1e-9)


def test_gain_moves_only_c0_and_band_limit_keeps_shape() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 40)).astype(np.float32), np.arange(50) % 8
    recipe = Recipe(aug_copies=2, aug_gain_db=6.0)
    X_aug, y_aug = augment(X, y, recipe, seed=0)
    assert X_aug.shape == (150, 40) and list(y_aug[50:58]) == list(range(8))
    np.testing.assert_allclose(X_aug[50:, 1:], np.tile(X[:, 1:], (2, 1)), atol=1e-5)
    assert np.all(np.abs(X_aug[50:, 0] - np.tile(X[:, 0], 2)) <= 6.0 * np.sqrt(128) + 1e-3)
    limited = band_limit(X, 8000.0, MfccMeanSpec())
    assert limited.shape == X.shape and not np.allclose(limited, X)
