"""EMOVO as a corpus, multi-corpus training and ``python -m export loco`` on tiny generated corpora.

CI never trains a full model: 1 epoch, the small CNN, a few short clips per corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tf_keras")
pytest.importorskip("tf2onnx")
pytest.importorskip("soundfile")

from export.cli import main as export_main  # noqa: E402
from export.frames16k.corpus import LABELS, scan_corpora, scan_emovo  # noqa: E402
from export.frames16k.dataset import Dataset  # noqa: E402
from export.frames16k.heldout import corpus_scores, heldout_folds, restricted_argmax  # noqa: E402
from export.frames16k.multicorpus import (  # noqa: E402
    balanced_weights,
    corpus_masks,
    masked_crossentropy,
    targets,
)
from export.frames16k.testnorm import group_standardised  # noqa: E402

from support.tiny_corpus import EMOVO_CODES, write_emovo, write_ravdess, write_tess  # noqa: E402

CALM = LABELS.index("calm")
EMOVO_SPEAKERS = ("f1", "f2", "m1", "m2")


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpora")
    rng = np.random.default_rng(1)
    emovo = write_emovo(root / "emovo", EMOVO_SPEAKERS, rng)
    (emovo / "f1" / "README.txt").write_text("not audio")
    (emovo / "f1" / "xyz-f1-b1.flac").write_bytes((emovo / "f1" / "neu-f1-b1.flac").read_bytes())
    return {
        "ravdess": write_ravdess(root / "ravdess", (1, 2), rng),
        "tess": write_tess(root / "tess", rng),
        "emovo": emovo,
    }


def test_scan_emovo_maps_its_codes_and_speakers(corpora: dict[str, Path]) -> None:
    clips = scan_emovo(corpora["emovo"])
    assert len(clips) == len(EMOVO_SPEAKERS) * 7  # the unknown code 'xyz' and the README are skipped
    assert {c.speaker for c in clips} == {f"emovo_{s}" for s in EMOVO_SPEAKERS}
    names = {c.path.name.split("-")[0]: LABELS[c.label] for c in clips}
    assert names == dict(zip(EMOVO_CODES, ("neutral", "happy", "sad", "angry", "fearful", "disgust",
                                           "surprised"), strict=True))
    assert {c.corpus for c in clips} == {"emovo"} and CALM not in {c.label for c in clips}
    both = scan_corpora(corpora["ravdess"], corpora["tess"], "x", corpora["emovo"])
    assert [c.corpus for c in both].count("emovo") == len(clips)


def test_masks_weights_and_the_masked_loss() -> None:
    labels = np.array([0, 1, 4, 0, 4, 7, 2])
    corpus = np.array(["ravdess", "ravdess", "ravdess", "tess", "tess", "emovo", "emovo"])
    masks = corpus_masks(labels, corpus)
    assert masks[0].nonzero()[0].tolist() == [0, 1, 4] and masks[3].nonzero()[0].tolist() == [0, 4]
    weights = balanced_weights(corpus)
    assert weights.sum() == pytest.approx(1.0)
    assert [weights[corpus == c].sum() for c in ("ravdess", "tess", "emovo")] == pytest.approx([1 / 3] * 3)
    # A clip whose corpus has no calm: moving probability into calm leaves its loss unchanged.
    y = targets(np.array([0]), corpus_masks(np.array([0, 4]), np.array(["tess", "tess"]))[:1])
    a = np.array([[0.5, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]], np.float32)
    b = np.array([[0.25, 0.5, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0]], np.float32)
    loss_a, loss_b = (float(masked_crossentropy(y, p)[0]) for p in (a, b))
    assert loss_a == pytest.approx(np.log(2), abs=1e-4) and loss_b == pytest.approx(loss_a, abs=1e-4)
    # A clip of a corpus with calm is penalised for it, as by plain cross-entropy.
    y_calm = targets(np.array([0]), np.ones((1, 8), np.float32))
    assert float(masked_crossentropy(y_calm, b)[0]) == pytest.approx(np.log(4), abs=1e-4)


def test_scores_take_the_top_label_among_the_corpus_classes() -> None:
    classes = np.array([c for c in range(8) if c != CALM])
    probs = np.full((4, 8), 0.01)
    probs[:, CALM] = 0.9
    probs[np.arange(4), [0, 2, 3, 3]] = 0.05  # second choices: neutral, happy, sad, sad
    assert restricted_argmax(probs, classes).tolist() == [0, 2, 3, 3]
    y, speakers = np.array([0, 2, 3, 4]), np.array(["emovo_f1", "emovo_f1", "emovo_m1", "emovo_m1"])
    scores = corpus_scores(probs, y, speakers, np.unique(y))
    assert scores["uar"] == pytest.approx(0.75) and scores["acc"] == pytest.approx(0.75)
    assert scores["recall"] == {"neutral": 1.0, "happy": 1.0, "sad": 1.0, "angry": 0.0}
    assert scores["per_speaker"]["emovo_f1"]["uar"] == 1.0 and scores["per_speaker"]["emovo_m1"]["uar"] == 0.5
    assert np.array(scores["confusion"])[:, CALM].sum() == 0


def test_group_standardisation_maps_each_group_onto_the_training_statistics() -> None:
    rng = np.random.default_rng(0)
    func = np.concatenate([rng.normal(5, 2, (50, 3)), rng.normal(-1, 0.5, (30, 3))])
    groups = np.array(["a"] * 50 + ["b"] * 30)
    out = group_standardised(func, groups, np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]))
    for g in ("a", "b"):
        np.testing.assert_allclose(out[groups == g].mean(axis=0), [1, 2, 3], atol=1e-5)
        np.testing.assert_allclose(out[groups == g].std(axis=0), [1, 1, 2], atol=1e-3)


def _data(speakers: list[str], corpus: list[str]) -> Dataset:
    n = len(speakers)
    return Dataset([], np.zeros((n, 1, 1)), np.zeros(n, int), np.array(speakers), np.array(corpus),
                   ("clean",), [])


def test_heldout_folds_leave_the_corpus_or_its_speakers_out() -> None:
    speakers = ["ravdess_01", "tess_OAF"] + [f"emovo_{s}" for s in ("f1", "f2", "f3", "m1", "m2", "m3")]
    data = _data(speakers, ["ravdess", "tess"] + ["emovo"] * 6)
    (loco,) = heldout_folds(data, "emovo", 0)
    assert loco.train.tolist() == [0, 1] and loco.test.tolist() == list(range(2, 8))
    folds = heldout_folds(data, "emovo", 3)
    assert [f.speakers for f in folds] == [("emovo_f1", "emovo_m1"), ("emovo_f2", "emovo_m2"),
                                           ("emovo_f3", "emovo_m3")]
    for f in folds:
        assert not set(f.train) & set(f.test) and len(f.train) + len(f.test) == 8


def _loco_argv(corpora: dict[str, Path], tmp_path: Path, *extra: str) -> list[str]:
    return [
        "loco", "--ravdess", str(corpora["ravdess"]), "--tess", str(corpora["tess"]),
        "--emovo", str(corpora["emovo"]), "--cache", str(corpora["emovo"].parent / "cache"),
        "--report", str(tmp_path / "loco.json"), "--epochs", "1", "--mlp-epochs", "1", "--small-cnn",
        "--workers", "1", *extra,
    ]


def test_loco_reports_emovo_per_speaker_and_class(corpora: dict[str, Path], tmp_path: Path) -> None:
    assert export_main(_loco_argv(corpora, tmp_path)) == 0
    report = json.loads((tmp_path / "loco.json").read_text())
    assert report["protocol"].startswith("leave-one-corpus-out") and "ravdess + tess" in report["protocol"]
    assert report["classes"] == [n for n in LABELS if n != "calm"]
    assert report["folds"] == [{"fold": 0, "test_speakers": [f"emovo_{s}" for s in sorted(EMOVO_SPEAKERS)],
                                "n_train": 22, "n_test": 28}]
    scores = report["scores"]["clean/hybrid_tempered"]
    assert set(scores["per_speaker"]) == {f"emovo_{s}" for s in EMOVO_SPEAKERS}
    assert set(scores["recall"]) == set(report["classes"]) and 0.0 <= scores["uar"] <= 1.0
    assert {"band8k/cnn0", "band8k/mlp0", "clean/hybrid", "clean/corpusnorm/hybrid_tempered",
            "band8k/speakernorm/mlp0"} <= set(report["scores"])
    saved = np.load(tmp_path / "loco.npz")
    assert saved["clean__hybrid_tempered"].shape == (28, 8) and set(saved["speakers"]) == {
        f"emovo_{s}" for s in EMOVO_SPEAKERS}


def test_loco_speaker_folds_with_multi_corpus_training(corpora: dict[str, Path], tmp_path: Path) -> None:
    argv = _loco_argv(corpora, tmp_path, "--speaker-folds", "2", "--corpus-masks", "--balance-corpora")
    assert export_main(argv) == 0
    report = json.loads((tmp_path / "loco.json").read_text())
    assert report["protocol"].startswith("emovo speaker folds")
    assert [f["n_train"] for f in report["folds"]] == [22 + 14, 22 + 14]
    assert report["args"]["corpus_masks"] and report["args"]["train_corpora"] == "ravdess,tess,emovo"


def test_train_frames16k_with_emovo_in_every_fold(corpora: dict[str, Path], tmp_path: Path) -> None:
    argv = [
        "train-frames16k", "--ravdess", str(corpora["ravdess"]), "--tess", str(corpora["tess"]),
        "--emovo", str(corpora["emovo"]), "--cache", str(corpora["emovo"].parent / "cache"), "--report",
        str(tmp_path / "cv.json"), "--folds", "2", "--epochs", "1", "--mlp-epochs", "1", "--small-cnn",
        "--workers", "1", "--cv-only", "--corpus-masks", "--balance-corpora",
    ]
    assert export_main(argv) == 0
    cv = json.loads((tmp_path / "cv.json").read_text())
    assert "TESS OAF/YAF and EMOVO f1-m3 in every training set" in cv["protocol"]
    assert [f["n_test"] for f in cv["folds"]] == [8, 8]  # RAVDESS only is scored


def test_loco_usage_errors_are_one_line(corpora: dict[str, Path], tmp_path: Path, capsys) -> None:
    argv = _loco_argv(corpora, tmp_path)
    no_emovo = argv[: argv.index("--emovo")] + argv[argv.index("--emovo") + 2 :]
    assert export_main(no_emovo) == 2
    assert capsys.readouterr().err.strip() == "error: loco: --held-out emovo needs --emovo"
    assert export_main([*argv, "--member-temperatures", "1.0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--member-temperatures: expected 2 values" in err[0]


def test_loco_dimension_heads_and_held_out_conditions(corpora: dict[str, Path], tmp_path: Path) -> None:
    assert export_main(_loco_argv(corpora, tmp_path, "--dimension-heads")) == 0
    report = json.loads((tmp_path / "loco.json").read_text())
    scores = report["scores"]
    for variant in ("clean", "band8k", "test_noise10", "test_room06"):
        heads = scores[f"{variant}/dims"]  # the heads' binary arousal / valence UAR
        assert set(heads) == {"arousal_uar", "valence_uar"} and all(0.0 <= v <= 1.0 for v in heads.values())
        implied = scores[f"{variant}/hybrid_tempered"]  # the label probabilities' expected dimensions
        assert 0.0 <= implied["arousal_uar"] <= 1.0 and 0.0 <= implied["valence_uar"] <= 1.0
    dims = np.load(tmp_path / "loco.npz")["clean__dims"]
    assert dims.shape == (28, 2) and ((dims >= 0) & (dims <= 1)).all()


def test_training_on_a_held_out_condition_is_refused(
    corpora: dict[str, Path], tmp_path: Path, capsys
) -> None:
    argv = _loco_argv(corpora, tmp_path, "--variants", "clean,noise,test_noise10")
    assert export_main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --variants: expected 'clean' and others of") and "never trained on" in err


def test_the_v3_pipeline_trains_every_part_on_emovo_too(corpora: dict[str, Path], tmp_path: Path) -> None:
    import onnx

    out = tmp_path / "v3.onnx"
    argv = [
        "train-frames16k", "--ravdess", str(corpora["ravdess"]), "--tess", str(corpora["tess"]),
        "--emovo", str(corpora["emovo"]), "--cache", str(corpora["emovo"].parent / "cache"), "--report",
        str(tmp_path / "cv.json"), "--folds", "2", "--epochs", "1", "--mlp-epochs", "1", "--small-cnn",
        "--workers", "1", "--corpus-masks", "--dimension-heads", "--variants", "clean,noise,colour",
        "--members", str(tmp_path / "members"), "-o", str(out), "--calibrate",
    ]
    assert export_main(argv) == 0
    meta = {p.key: json.loads(p.value) for p in onnx.load(str(out)).metadata_props}
    speakers = meta["ser_edge.training"]["data"]["speakers"]
    assert {f"emovo_{s}" for s in EMOVO_SPEAKERS} <= set(speakers)
    assert not any(s in speakers for s in (f"ravdess_{a}" for a in range(19, 25)))
    assert [o.name for o in onnx.load(str(out)).graph.output] == ["probs", "probs_calibrated", "dimensions"]
    calibration = json.loads((tmp_path / "cv_calibration.json").read_text())
    assert calibration["conditions"]["clean/none"]["n"] == 16  # RAVDESS only is scored
