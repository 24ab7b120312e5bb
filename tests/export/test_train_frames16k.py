"""``python -m export train-frames16k`` (export/frames16k) on a tiny generated RAVDESS/TESS corpus.

CI never trains a full model: 1 epoch, the small CNN, 2 folds, 38 short clips.
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
from export.core.folds import ravdess_folds  # noqa: E402
from export.core.metrics import uar  # noqa: E402
from export.frames16k.corpus import HELD_OUT_ACTORS, read_16k, scan_ravdess, scan_tess  # noqa: E402
from export.frames16k.crossval import ece, fit_temperature, temper  # noqa: E402
from ser_edge.model import sha256_of  # noqa: E402

from support.tiny_corpus import write_ravdess, write_tess  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("corpus")
    rng = np.random.default_rng(0)
    ravdess = write_ravdess(root / "ravdess", (1, 2, 3, 4, 19), rng)  # + a song file per actor: skipped
    return ravdess, write_tess(root / "tess", rng)


def test_scan_layouts(corpus: tuple[Path, Path]) -> None:
    ravdess = scan_ravdess(corpus[0])
    tess = scan_tess(corpus[1])
    assert len(ravdess) == 4 * 8 and len(tess) == 6
    assert not any(int(c.speaker.split("_")[1]) in HELD_OUT_ACTORS for c in ravdess)
    assert {c.label for c in tess} == {4, 0, 7}
    assert len(read_16k(ravdess[0].path)) == pytest.approx(1.2 * 16000, abs=2)


def test_metrics() -> None:
    folds = ravdess_folds([f"ravdess_{a:02d}" for a in range(1, 19)] + ["tess_OAF"], 6)
    assert [len(f.test_speakers) for f in folds] == [3] * 6 and "tess_OAF" not in sum(
        (f.test_speakers for f in folds), ()
    )
    y = np.array([0, 1, 1, 1])
    assert uar(y, np.array([0, 1, 0, 0]), 8) == pytest.approx((1 + 1 / 3) / 2)
    probs = np.eye(8)[[0, 1, 2, 3]] * 0.9 + 0.1 / 8
    assert ece(probs, np.array([0, 1, 2, 3])) == pytest.approx(1 - probs.max(1).mean(), abs=1e-9)
    noisy = temper(np.full((50, 8), 0.01) + np.eye(8)[np.arange(50) % 8] * 0.92, 1.0)
    assert fit_temperature(noisy, np.zeros(50, dtype=int)) > 1.0


def tiny_train_frames16k(corpus: tuple[Path, Path], tmp_path: Path, out: Path) -> list[str]:
    """``train-frames16k`` arguments for a 1-epoch, 2-fold, small-CNN run on the tiny corpus (+ int8)."""
    return [
        "train-frames16k",
        "--ravdess",
        str(corpus[0]),
        "--tess",
        str(corpus[1]),
        "-o",
        str(out),
        "--cache",
        str(tmp_path / "cache"),
        "--report",
        str(tmp_path / "cv.json"),
        "--folds",
        "2",
        "--epochs",
        "1",
        "--mlp-epochs",
        "1",
        "--small-cnn",
        "--workers",
        "1",
        "--int8",
    ]


def test_train_frames16k_end_to_end(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    import onnx
    import onnxruntime as ort

    out, report = tmp_path / "v2.onnx", tmp_path / "cv.json"
    argv = tiny_train_frames16k(corpus, tmp_path, out)
    assert export_main(argv) == 0
    cv = json.loads(report.read_text())
    assert len(cv["folds"]) == 2 and "clean/hybrid" in cv["summary"] and cv["temperature"] > 0
    meta = {p.key: json.loads(p.value) for p in onnx.load(str(out)).metadata_props}
    assert meta["ser_edge.frontend"]["type"] == "frames16k" and len(meta["ser_edge.labels"]) == 8
    assert meta["ser_edge.training"]["data"]["speakers"] == [
        "ravdess_01",
        "ravdess_02",
        "ravdess_03",
        "ravdess_04",
        "tess_OAF",
        "tess_YAF",
    ]
    assert "/" not in json.dumps(meta["ser_edge.training"]["data"])  # no paths
    sess = ort.InferenceSession(str(out))
    assert [i.name for i in sess.get_inputs()] == ["frames", "functionals"]
    for frames in (50, 300):
        p = sess.run(
            None,
            {
                "frames": np.zeros((1, frames, 64), np.float32),
                "functionals": np.zeros((1, sess.get_inputs()[1].shape[1]), np.float32),
            },
        )[0]
        assert p.shape == (1, 8) and p.sum() == pytest.approx(1.0, abs=1e-5)
    int8 = {p.key: json.loads(p.value) for p in onnx.load(str(tmp_path / "v2_int8.onnx")).metadata_props}
    quantization = int8["ser_edge.training"].pop("quantization")  # the one quantizer records what it did
    assert quantization["source_sha256"] == sha256_of(out) and quantization["weights"] == "int8 per tensor"
    assert int8 == meta  # the same contract
    argv += ["--members", str(tmp_path / "members")]
    assert export_main(argv) == 0  # trains, saves the members
    assert (tmp_path / "members" / "recipe.json").exists()
    assert export_main(argv) == 0  # reads the feature cache and the members


def test_a_missing_or_empty_corpus_folder_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    # It raised IndexError deep in build_dataset (a traceback) for a folder without clips.
    out = str(tmp_path / "m.onnx")
    assert export_main(["train-frames16k", "--ravdess", str(tmp_path / "nope"), "-o", out]) == 2
    expected = f"error: train-frames16k: --ravdess {tmp_path / 'nope'}: not a folder"
    assert capsys.readouterr().err.strip() == expected
    assert export_main(["train-frames16k", "--ravdess", str(tmp_path), "-o", out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no RAVDESS speech clips" in err[0]


def test_calibrate_adds_a_calibrated_head_to_a_train_frames16k_model(
    corpus: tuple[Path, Path], tmp_path: Path, capsys
) -> None:
    import onnxruntime as ort

    from ser_edge import Calibration, EmotionClassifier

    cal = tmp_path / "cal.onnx"
    argv = tiny_train_frames16k(corpus, tmp_path, cal)
    assert export_main([*argv, "--calibrate"]) == 2  # needs --members
    assert export_main([*argv, "--members", str(tmp_path / "members"), "--calibrate"]) == 0
    report = json.loads((tmp_path / "cv_calibration.json").read_text())
    assert {
        "clean/session_first10",
        "clean/session_mixed_first10",
        "clean/none",
        "clean/all",
        "clean/neutral_calm",
        "clean/one_emotion",
        "clean/mixed",
        "clean/rand1",
        "clean/rand5",
        "band8k/none",
        "band8k/all",
    } <= set(report["conditions"])
    assert all(0 <= row["acc"] <= 100 and "uncalibrated_acc" in row for row in report["conditions"].values())
    sess = ort.InferenceSession(str(cal))
    assert [i.name for i in sess.get_inputs()] == ["frames", "functionals", "speaker_mean", "speaker_std"]
    assert [o.name for o in sess.get_outputs()] == ["probs", "probs_calibrated"]
    assert (tmp_path / "cal_int8.onnx").exists()

    clf = EmotionClassifier.load(cal)
    spec = clf.calibration_spec
    assert spec is not None and len(spec.mean) == len(spec.std) == sess.get_inputs()[1].shape[1]
    training = clf.spec.training
    t_uncal, t_cal = training["temperature"], training["calibration"]["temperature"]
    # Fed the prior, both heads see the same members: probs_calibrated = probs re-tempered.
    rng = np.random.default_rng(0)
    feeds = {
        "frames": rng.normal(0, 1, (1, 80, 64)).astype(np.float32),
        "functionals": (np.array(spec.mean) + rng.normal(0, 1, len(spec.mean)) * np.array(spec.std))[None],
        "speaker_mean": np.array(spec.mean, np.float32)[None],
        "speaker_std": np.array(spec.std, np.float32)[None],
    }
    feeds["functionals"] = feeds["functionals"].astype(np.float32)
    probs, calibrated = sess.run(None, feeds)
    np.testing.assert_allclose(calibrated, temper(probs.astype(np.float64), t_cal / t_uncal), atol=2e-5)
    # Other statistics move only the calibrated head.
    moved = dict(feeds, speaker_mean=feeds["speaker_mean"] + np.float32(0.5) * feeds["speaker_std"])
    probs2, calibrated2 = sess.run(None, moved)
    np.testing.assert_allclose(probs2, probs, atol=1e-6)
    assert np.abs(calibrated2 - calibrated).max() > 1e-4

    clip = next(corpus[0].glob("Actor_01/*.flac"))
    clf.calibration = Calibration(spec)
    clf.adapt = True
    first, second = clf.predict_file(clip), clf.predict_file(clip)
    assert (first.calibration, second.calibration) == (0, 1) and clf.calibration.count == 2

    pytest.importorskip("matplotlib")
    capsys.readouterr()
    npz = tmp_path / "cv_calibration.npz"
    assert export_main(["card-figures", "--calibrated", str(npz), "-o", str(tmp_path)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {"none", "all"} and len(figures["none"]["confusion"]) == 8
    for name in ("v2_confusion.png", "v2_calibrated_confusion.png", "v2_reliability.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"



def test_card_figures_without_predictions_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert export_main(["card-figures", "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == "error: card-figures: give --cnn and --mlp, or --calibrated"


def test_dimension_heads_give_the_model_a_dimensions_output(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    import onnxruntime as ort

    out, report = tmp_path / "v3.onnx", tmp_path / "cv.json"
    members = str(tmp_path / "m")
    argv = [*tiny_train_frames16k(corpus, tmp_path, out), "--dimension-heads", "--members", members]
    assert export_main(argv) == 0
    cv = json.loads(report.read_text())
    for variant in ("clean", "band8k", "test_noise10", "test_room06"):
        assert set(cv["dimensions"][variant]) == {"labels", "heads"}
        assert 0.0 <= cv["dimensions"][variant]["heads"]["arousal_uar"] <= 1.0
        assert variant in cv["nested"]
    sess = ort.InferenceSession(str(out))
    assert [o.name for o in sess.get_outputs()] == ["probs", "dimensions"]
    feed = {"frames": np.zeros((1, 80, 64), np.float32),
            "functionals": np.zeros((1, sess.get_inputs()[1].shape[1]), np.float32)}
    probs, dims = sess.run(None, feed)
    assert probs.shape == (1, 8) and dims.shape == (1, 2) and ((dims > 0) & (dims < 1)).all()
    int8 = ort.InferenceSession(str(tmp_path / "v3_int8.onnx"))
    assert [o.name for o in int8.get_outputs()] == ["probs", "dimensions"]
    assert export_main(argv) == 0  # the saved members (with heads) load again


def test_calibrated_model_keeps_the_cnn_dimension_heads(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    import onnxruntime as ort

    from ser_edge import EmotionClassifier

    cal = tmp_path / "cal.onnx"
    members = tmp_path / "m"
    argv = [*tiny_train_frames16k(corpus, tmp_path, cal), "--dimension-heads", "--members", str(members),
            "--seed", "3"]  # a seed other than 0: the calibrated export loads the members by their names
    assert export_main([*argv, "--calibrate"]) == 0
    assert {p.name for p in members.glob("*.h5")} == {"cnn_3.h5", "mlp_103.h5"}
    sess = ort.InferenceSession(str(cal))
    assert [o.name for o in sess.get_outputs()] == ["probs", "probs_calibrated", "dimensions"]
    clf = EmotionClassifier.load(cal)
    assert clf.model.dimensions_source == "heads"
    # The dimensions are the mean of the CNN's heads and of the recipe's own MLP's heads: the
    # functionals move them (the CNN sees only the frames).
    rng = np.random.default_rng(0)
    spec = clf.calibration_spec
    mean, std = (np.array(v, np.float32)[None] for v in (spec.mean, spec.std))
    feed = {"frames": rng.normal(0, 1, (1, 80, 64)).astype(np.float32), "speaker_mean": mean,
            "speaker_std": std}
    dims = [sess.run(["dimensions"], {**feed, "functionals": mean + np.float32(k) * std})[0]
            for k in (-0.5, 0.5)]
    assert np.abs(dims[0] - dims[1]).max() > 1e-4
    prediction = clf.predict_file(next(corpus[0].glob("Actor_01/*.flac")))
    assert 0.0 <= prediction.arousal <= 1.0 and 0.0 <= prediction.valence <= 1.0
