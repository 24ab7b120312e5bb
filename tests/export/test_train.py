"""export train / evaluate / card: a short run writes a valid, described ONNX; bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from export import cli
from export.cli import main
from export.core.onnx_io import metadata, run, session
from export.mfcc_mean.crossval import run_folds
from export.mfcc_mean.loaders import load_features
from export.mfcc_mean.protocol import speaker_folds
from export.mfcc_mean.recipe import Recipe
from ser_edge.config import DEFAULT_LABELS, FRONTEND_KEY, LABELS_KEY, TRAINING_KEY

HELD = "21-24"


@pytest.fixture(scope="module")
def trained(seed_dir: Path, tmp_path_factory) -> Path:
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf2onnx")
    pytest.importorskip("matplotlib")
    folder = tmp_path_factory.mktemp("train")
    args = [
        "train",
        "--features",
        str(seed_dir),
        "-o",
        str(folder / "m.onnx"),
        "--epochs",
        "2",
        "--holdout-actors",
        HELD,
        "--card",
        str(folder / "README.md"),
    ]
    assert main(args) == 0
    return folder / "m.onnx"


@pytest.mark.slow
def test_train_writes_a_runnable_onnx_with_the_contract(trained: Path, seed_dir: Path) -> None:
    sess = session(trained)
    props = metadata(sess)
    assert {LABELS_KEY, FRONTEND_KEY, TRAINING_KEY} <= set(props)
    assert json.loads(props[LABELS_KEY]) == list(DEFAULT_LABELS)
    scores = run(sess, load_features(seed_dir).X[:10])
    assert scores.shape == (10, 8)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, atol=1e-5)
    training = json.loads(props[TRAINING_KEY])
    assert list(training["metrics"]) == ["holdout"]
    assert training["metrics"]["holdout"]["held_out_actors"] == [21, 22, 23, 24]
    assert training["data"]["trained_rows"] == 5252 - 4 * 104
    assert training["recipe"]["epochs"] == 2 and "--holdout-actors" in training["command"]


@pytest.mark.slow
def test_evaluate_reproduces_the_recorded_holdout_figure(trained: Path, seed_dir: Path, capsys) -> None:
    recorded = json.loads(metadata(session(trained))[TRAINING_KEY])["metrics"]["holdout"]["pooled"]["all"]
    assert main(["evaluate", str(trained), "--features", str(seed_dir), "--actors", HELD, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["reports"]
    assert report["all"]["rows"] == recorded["rows"] == 416
    assert abs(report["all"]["accuracy"] - recorded["accuracy"]) <= 2 / 416  # Keras vs ONNX argmax ties
    assert set(report) == {"all", "ravdess_speech", "ravdess_song"}
    assert main(["evaluate", str(trained), "--features", str(seed_dir)]) == 0
    text = capsys.readouterr().out
    assert "all: 5252 rows, accuracy" in text and "confusion matrix" in text and "ravdess_speech" in text


@pytest.mark.slow
def test_card_and_pngs_are_written(trained: Path) -> None:
    card = (trained.parent / "README.md").read_text()
    for needle in (
        "CC BY-NC-SA 4.0",
        "CC BY-NC-ND 4.0",
        "Known limits",
        "python -m export train",
        "`scores`",
    ):
        assert needle in card
    for png in ("confusion_matrix.png", "training_curves.png"):
        assert (trained.parent / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_speaker_folds_pool_every_row_once(seed_dir: Path) -> None:
    pytest.importorskip("tensorflow")
    data = load_features(seed_dir)
    small = data.subset(np.isin(data.actors, [1, 2, 3, 4, 5, 6, 7, 8, 25]))
    recipe = Recipe(
        filters=(8, 16), epochs=1, batch_size=256, normalize=True, optimizer="adam", learning_rate=1e-3
    )
    summary, _ = run_folds(small, speaker_folds(small), recipe, seed=0, protocol="speaker-independent")
    assert [f["name"] for f in summary["folds"]] == ["actors 1-4", "actors 5-8", "actor 25"]
    assert summary["pooled"]["all"]["rows"] == len(small)
    assert summary["spread"]["ravdess_speech"]["folds"] == 2
    assert summary["curves"]["epoch"] == [1] and "val_accuracy" in summary["curves"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--holdout-actors", "30"], "[30] have no rows"),
        (["--holdout-actors", "x"], "--holdout-actors"),
        (["--recipe", "nope"], "--recipe"),
    ],
)
def test_bad_train_input_exits_2_and_writes_nothing(
    seed_dir: Path, tmp_path: Path, capsys, extra, message
) -> None:
    pytest.importorskip("tensorflow")
    out = tmp_path / "m.onnx"
    assert main(["train", "--features", str(seed_dir), "-o", str(out), "--epochs", "1", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error:") and message in err[-1]
    assert list(tmp_path.iterdir()) == []


def test_bad_features_and_outputs_exit_2(tmp_path: Path, capsys) -> None:
    pytest.importorskip("tensorflow")
    np.savez(tmp_path / "features.npz", X=np.ones((5, 40)), y=np.array([0, 1, 2, 3, 9]))
    cases = [
        (["--features", str(tmp_path)], "labels must be 0..7"),
        (["--features", str(tmp_path / "none")], "not found"),
    ]
    for args, message in cases:
        assert main(["train", *args, "-o", str(tmp_path / "m.onnx")]) == 2
        assert message in capsys.readouterr().err
    assert main(["train", "--features", str(tmp_path), "-o", str(tmp_path / "no" / "m.onnx")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["features.npz"]


def test_missing_extra_names_the_pip_extra(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(cli, "TRAIN_EXTRAS", ("no_such_module_for_ser_edge",))
    assert main(["train", "--features", str(tmp_path), "-o", str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: the optional package 'no_such_module_for_ser_edge' is not installed: "
        "pip install 'ser-edge[export]'"
    ]
