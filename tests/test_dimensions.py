"""Arousal and valence beside the labels: the mapping, a model with trained heads (its values
reported, not the mapping's), the shipped models without heads (the expectation of the mapping
under the reported probabilities), the contract checks, labels outside the mapping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ser_edge import EmotionClassifier, ModelError
from ser_edge.audio.filestream import FileBlocks
from ser_edge.audio.read import read_audio
from ser_edge.classifier import utterance_segments
from ser_edge.model import DIMENSION_NAMES, DIMENSIONS, EmotionModel, dimension_targets, expected_dimensions

from support.paths import ROOT

pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")

from support.onnx_fixtures import (  # noqa: E402
    LABELS,
    add_dimension_heads,
    contract,
    tiny_calibrated_model,
    tiny_frames_model,
    tiny_model,
)

EXAMPLES = sorted((ROOT / "examples" / "audio").glob("*.wav"))
#: Eight labels none of which has an arousal/valence point.
UNMAPPED = ["a", "b", "c", "d", "e", "f", "g", "h"]


def heads_of(model: EmotionModel, path: Path, output: str = "dimensions") -> np.ndarray:
    """(2,): what the model's heads output gives for a file's speech features, run directly."""
    samples, rate = read_audio(path)  # mono float32
    inputs = model.frontend.speech_features(samples, rate)
    assert inputs is not None, f"{path}: no speech found"
    (values,) = model.session.run([output], model.feeds(inputs))
    return values[0]


def in_label_order(scores: dict[str, float], labels: tuple[str, ...]) -> np.ndarray:
    return np.array([scores[k] for k in labels])


def test_the_mapping_puts_each_label_at_its_point():
    assert DIMENSION_NAMES == ("arousal", "valence") and set(DIMENSIONS) == set(LABELS)
    targets = dimension_targets(LABELS)
    assert targets.shape == (8, 2) and targets.dtype == np.float32
    assert np.all((targets >= 0) & (targets <= 1))
    for i, label in enumerate(LABELS):
        assert np.allclose(expected_dimensions(np.eye(8)[i], LABELS), DIMENSIONS[label])
    angry, sad = DIMENSIONS["angry"], DIMENSIONS["sad"]
    assert angry[0] > 0.5 > sad[0] and angry[1] < 0.5 and DIMENSIONS["happy"][1] > 0.5
    with pytest.raises(ValueError, match="no arousal/valence for label"):
        dimension_targets(["angry", "bored"])


@pytest.mark.parametrize("name", [None, "seed"])
def test_a_shipped_model_derives_them_from_its_probabilities(name):
    clf = EmotionClassifier.load(name)
    assert clf.model.dimensions_source == "labels"
    for path in EXAMPLES:
        pred = clf.predict_file(path)
        assert pred.label is not None, path
        expected = expected_dimensions(in_label_order(pred.scores, clf.labels), clf.labels)
        assert np.allclose([pred.arousal, pred.valence], expected, atol=1e-6), (path, pred)
        assert 0.0 <= pred.arousal <= 1.0 and 0.0 <= pred.valence <= 1.0
        row = pred.to_dict()
        assert (row["arousal"], row["valence"]) == (round(pred.arousal, 4), round(pred.valence, 4))


def test_a_model_with_heads_reports_its_heads_not_the_mapping(tmp_path):
    path = add_dimension_heads(tiny_frames_model(tmp_path / "heads.onnx"), source="joined")
    clf = EmotionClassifier.load(path)
    assert clf.model.dimensions_source == "heads"
    for wav in EXAMPLES:
        pred = clf.predict_file(wav)
        heads = heads_of(clf.model, wav)
        assert np.allclose([pred.arousal, pred.valence], heads, atol=1e-6), (wav, pred, heads)
        derived = expected_dimensions(in_label_order(pred.scores, clf.labels), clf.labels)
        assert not np.allclose(heads, derived, atol=1e-3)
    out = clf.model.infer(clf.features(*read_audio(EXAMPLES[0])))
    assert out.probs.shape == (1, 8) and out.dimensions.shape == (1, 2) and out.dimensions.dtype == np.float32


def test_a_long_recording_averages_them_over_its_utterances_as_its_scores(tmp_path):
    path = add_dimension_heads(tiny_frames_model(tmp_path / "heads.onnx"), source="joined")
    clf = EmotionClassifier.load(path)
    x, rate = read_audio(EXAMPLES[0])
    gap = np.zeros(rate, dtype=np.float32)
    blocks = [np.concatenate([gap, x, gap, x[: len(x) // 2] * 0.5, gap])]
    pred = clf.predict_utterances(blocks, rate)
    parts = [(seg, clf.predict_segment(seg, rate)) for seg in utterance_segments(blocks, rate)]
    parts = [(seg.end - seg.start, p) for seg, p in parts if p is not None and p.label is not None]
    assert pred.utterances == len(parts) >= 2
    weights = np.array([w for w, _ in parts], dtype=float)
    arousal = np.array([p.arousal for _, p in parts]) @ weights / weights.sum()
    valence = np.array([p.valence for _, p in parts]) @ weights / weights.sum()
    assert np.allclose([pred.arousal, pred.valence], [arousal, valence], atol=1e-6)


def test_calibrated_heads_are_used_when_speaker_statistics_are_fed(tmp_path):
    path = tiny_calibrated_model(tmp_path / "cal.onnx")
    add_dimension_heads(path, source="joined")
    add_dimension_heads(path, source="joined2", output="dimensions_calibrated", seed=8)
    model = EmotionModel.load(path)
    assert (model.dimensions_source, model.calibrated_dimensions_output) == ("heads", "dimensions_calibrated")
    inputs = model.frontend.probe_inputs()
    mean, std = model.prior[0] + 0.5, model.prior[1] * 2
    plain, calibrated = model.infer(inputs), model.infer(inputs, (mean, std))
    feeds = model.feeds(inputs, (mean, std))
    want, want_cal = model.session.run(["dimensions", "dimensions_calibrated"], feeds)
    assert np.allclose(plain.dimensions, model.session.run(["dimensions"], model.feeds(inputs))[0])
    assert np.allclose(calibrated.dimensions, want_cal) and not np.allclose(want_cal, want, atol=1e-4)
    assert np.allclose(calibrated.probs, model.predict(inputs, (mean, std)))


def test_a_calibrated_model_without_calibrated_heads_keeps_its_heads(tmp_path):
    path = add_dimension_heads(tiny_calibrated_model(tmp_path / "cal.onnx"), source="joined")
    model = EmotionModel.load(path)
    assert model.calibrated_dimensions_output == "dimensions"
    inputs = model.frontend.probe_inputs()
    stats = (model.prior[0] + 0.5, model.prior[1] * 2)
    assert np.allclose(model.infer(inputs, stats).dimensions, model.infer(inputs).dimensions)


def test_a_calibrated_model_without_heads_derives_them_from_its_calibrated_probabilities(tmp_path):
    model = EmotionModel.load(tiny_calibrated_model(tmp_path / "cal.onnx"))
    assert model.dimensions_source == "labels"
    inputs = model.frontend.probe_inputs()
    out = model.infer(inputs, (model.prior[0] + 0.5, model.prior[1] * 2))
    assert np.allclose(out.dimensions, expected_dimensions(out.probs, LABELS), atol=1e-6)
    assert not np.allclose(out.dimensions, model.infer(inputs).dimensions, atol=1e-4)


@pytest.mark.parametrize(("heads", "expected"), [
    ({"n_dims": 3}, "expected [1, 2] (arousal, valence)"),
    ({"sigmoid": False}, "expected arousal and valence in [0, 1]"),
])
def test_heads_that_break_the_contract_are_refused_in_one_line(tmp_path, heads, expected):
    path = add_dimension_heads(tiny_frames_model(tmp_path / "bad.onnx"), source="joined", **heads)
    with pytest.raises(ModelError) as info:
        EmotionModel.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "'dimensions'" in message, message
    assert expected in message
    if "n_dims" in heads:
        assert "is [1, 3] for one input" in message


def test_calibrated_heads_without_plain_heads_are_refused(tmp_path):
    path = add_dimension_heads(tiny_calibrated_model(tmp_path / "cal.onnx"), source="joined2",
                               output="dimensions_calibrated")
    with pytest.raises(ModelError, match="'dimensions_calibrated' needs an output 'dimensions'"):
        EmotionModel.load(path)


def test_labels_outside_the_mapping_give_none_without_an_error(tmp_path):
    path = tiny_model(tmp_path / "other.onnx", metadata=contract(labels=UNMAPPED))
    clf = EmotionClassifier.load(path)
    assert clf.model.dimensions_source is None
    pred = clf.predict_file(EXAMPLES[0])
    assert pred.label in UNMAPPED and pred.arousal is None and pred.valence is None
    row = json.loads(json.dumps(pred.to_dict()))
    assert row["arousal"] is None and row["valence"] is None
    assert clf.model.infer(clf.features(*read_audio(EXAMPLES[0]))).dimensions is None


def test_no_speech_has_no_arousal_or_valence():
    clf = EmotionClassifier.load()
    pred = clf.predict(np.zeros(32000, dtype=np.float32), 16000)
    assert pred.label is None and (pred.arousal, pred.valence) == (None, None)
    assert pred.to_dict()["arousal"] is None and pred.to_dict()["valence"] is None
    long = clf.predict_utterances([np.zeros(16000 * 3, dtype=np.float32)], 16000)
    assert long.utterances == 0 and long.arousal is None


def test_long_files_are_read_block_by_block_with_the_same_fields():
    blocks = FileBlocks(EXAMPLES[0])
    clf = EmotionClassifier.load()
    pred = clf.predict_utterances(iter(blocks), blocks.sample_rate)
    assert pred.label is not None
    expected = expected_dimensions(in_label_order(pred.scores, clf.labels), clf.labels)
    assert np.allclose([pred.arousal, pred.valence], expected, atol=1e-6)
