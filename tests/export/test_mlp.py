"""The MLP recipe and the learned band-limit map: a short run writes a one-input ONNX that runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from export.cli import main
from export.core.errors import ExportError
from export.core.onnx_io import metadata, run, session
from export.mfcc_mean.augment import augment
from export.mfcc_mean.bandmap import fit_band_map
from export.mfcc_mean.loaders import load_features
from export.mfcc_mean.recipe import PRESETS, Recipe, load_recipe
from ser_edge.config import TRAINING_KEY


@pytest.mark.slow
def test_mlp_preset_writes_a_one_input_onnx_that_runs(seed_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf2onnx")
    out = tmp_path / "mlp.onnx"
    args = ["train", "--features", str(seed_dir), "-o", str(out), "--recipe", "mlp", "--epochs", "2",
            "--holdout-actors", "21-24"]
    assert main(args) == 0
    sess = session(out)
    inputs = sess.get_inputs()
    assert [node.name for node in inputs] == ["features"]  # standardisation stats are constants
    assert inputs[0].shape[1:] == [40, 1] and [o.name for o in sess.get_outputs()] == ["scores"]
    scores = run(sess, load_features(seed_dir).X[:7])
    assert scores.shape == (7, 8)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, atol=1e-5)
    recipe = json.loads(metadata(sess)[TRAINING_KEY])["recipe"]
    assert recipe["arch"] == "mlp" and recipe["hidden"] == [512, 256] and recipe["batchnorm"] is True


def test_mlp_preset_and_recipe_validation() -> None:
    mlp = load_recipe("mlp")
    assert (mlp.arch, mlp.hidden, mlp.label_smoothing, mlp.class_weights) == ("mlp", (512, 256), 0.1, True)
    assert Recipe.from_dict(mlp.to_dict()) == mlp  # JSON round trip keeps tuples
    assert PRESETS["shipped"].arch == "conv"
    with pytest.raises(ExportError, match="arch"):
        Recipe(arch="transformer")
    with pytest.raises(ExportError, match="hidden"):
        Recipe(arch="mlp", hidden=())


def test_bandmap_recipe_without_audio_is_one_clear_error(seed_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "m.onnx"
    code = main(["train", "--features", str(seed_dir), "-o", str(out), "--recipe", "mlp_bandmap"])
    assert code == 2 and not out.exists()
    assert "--band-audio" in capsys.readouterr().err


def test_band_map_recovers_a_linear_effect_and_augments_copies() -> None:
    rng = np.random.default_rng(0)
    full = rng.normal(size=(300, 40)) * 10
    W = rng.normal(size=(40, 40)) * 0.05
    b = rng.normal(size=40)
    band = fit_band_map(full, full + full @ W + b, source="synthetic", alpha=1e-6)
    np.testing.assert_allclose(band.weights, W, atol=1e-6)
    np.testing.assert_allclose(band.bias, b, atol=1e-5)
    assert np.max(np.abs(band.residuals)) < 1e-5
    X, y = full[:20].astype(np.float32), np.arange(20) % 8
    X_aug, y_aug = augment(X, y, Recipe(aug_copies=1, aug_bandmap=1.0), seed=1, band_map=band)
    assert X_aug.shape == (40, 40) and list(y_aug[20:]) == list(y)
    np.testing.assert_allclose(X_aug[20:], X + X @ W + b, atol=1e-3)
