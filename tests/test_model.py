"""EmotionModel: the metadata contract, shape checks, session defaults, path checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ser_edge.config import FRONTEND_KEY, LABELS_KEY, FeatureSpec, ModelSpec
from ser_edge.errors import ContractError, ModelError
from ser_edge.model import EmotionModel, SessionOptions, shipped_model_path

onnx = pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")
from support.onnx_fixtures import LABELS, contract, tiny_model  # noqa: E402


def test_loads_tiny_model_and_returns_probabilities(tmp_path):
    model = EmotionModel.load(tiny_model(tmp_path / "m.onnx", metadata=contract()))
    assert model.labels == tuple(LABELS)
    assert model.spec.input_shape == (40, 1)
    probs = model.predict(np.linspace(-1, 1, 40))
    assert probs.shape == (1, 8)
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)
    batch = model.predict(np.ones((5, 40)))
    assert batch.shape == (5, 8)


@pytest.mark.parametrize("missing", [LABELS_KEY, FRONTEND_KEY])
def test_refuses_model_without_contract_key(tmp_path, missing):
    meta = contract()
    del meta[missing]
    path = tiny_model(tmp_path / "m.onnx", metadata=meta)
    with pytest.raises(ContractError, match=missing.replace(".", r"\.")):
        EmotionModel.load(path)


def test_caller_can_supply_the_contract(tmp_path):
    path = tiny_model(tmp_path / "m.onnx", metadata={})
    model = EmotionModel.load(path, labels=LABELS, frontend=FeatureSpec())
    assert model.labels == tuple(LABELS)


def test_refuses_labels_that_disagree_with_the_output(tmp_path):
    path = tiny_model(tmp_path / "m.onnx", metadata=contract(labels=LABELS[:7]))
    with pytest.raises(ModelError, match="8 classes but 7 labels"):
        EmotionModel.load(path)


def test_refuses_input_that_disagrees_with_the_frontend(tmp_path):
    path = tiny_model(tmp_path / "m.onnx", n_in=20, metadata=contract())
    with pytest.raises(ModelError, match="20 values.*40 features"):
        EmotionModel.load(path)


def test_refuses_unknown_frontend_setting(tmp_path):
    meta = contract()
    front = json.loads(meta[FRONTEND_KEY])
    front["preemphasis"] = 0.97
    meta[FRONTEND_KEY] = json.dumps(front)
    with pytest.raises(ContractError, match="preemphasis"):
        EmotionModel.load(tiny_model(tmp_path / "m.onnx", metadata=meta))


def test_refuses_malformed_json_metadata(tmp_path):
    meta = contract()
    meta[LABELS_KEY] = "[neutral, calm"
    with pytest.raises(ContractError, match="not valid JSON"):
        EmotionModel.load(tiny_model(tmp_path / "m.onnx", metadata=meta))


def test_model_path_errors(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        EmotionModel.load(tmp_path / "nope.onnx")
    with pytest.raises(ModelError, match="is a directory"):
        EmotionModel.load(tmp_path)
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"this is not a protobuf" * 10)
    with pytest.raises(ModelError, match="not a usable ONNX model"):
        EmotionModel.load(junk)


def test_session_defaults_are_one_thread_without_spinning():
    opts = SessionOptions().build()
    assert opts.intra_op_num_threads == 1
    assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    raised = SessionOptions(threads=2, spinning=True).build()
    assert raised.intra_op_num_threads == 2
    assert raised.get_session_config_entry("session.intra_op.allow_spinning") == "1"
    with pytest.raises(ModelError, match="threads must be >= 1"):
        SessionOptions(threads=0).build()


def test_shipped_model_carries_the_contract():
    model = EmotionModel.load(shipped_model_path())
    assert model.labels == tuple(LABELS)
    assert model.spec.frontend == FeatureSpec.from_dict(model.spec.frontend.to_dict())
    assert model.spec.frontend.sample_rate == 22050 and model.spec.frontend.n_mfcc == 40
    assert model.spec.frontend.resampler == "kaiser_fast"


def test_modelspec_metadata_round_trip():
    spec = ModelSpec(labels=tuple(LABELS), frontend=FeatureSpec(), training={"protocol": "x"})
    again = ModelSpec.from_metadata(spec.to_metadata())
    assert again.labels == spec.labels and again.frontend == spec.frontend
    assert again.training == {"protocol": "x"}
