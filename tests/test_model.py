"""EmotionModel: the metadata contract, shape checks, session defaults, path checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ser_edge.config import FRONTEND_KEY, LABELS_KEY
from ser_edge.errors import ContractError, ModelError
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.model import (
    DEFAULT_MODEL,
    SEED_INT8_NAME,
    SEED_MODEL_NAME,
    SHIPPED_MODELS,
    EmotionModel,
    ModelSpec,
    check_model_path,
    rate_warning,
    shipped_model_path,
)
from ser_edge.sessions import SessionOptions

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
    model = EmotionModel.load(path, labels=LABELS, frontend=MfccMeanSpec())
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
    model = EmotionModel.load(shipped_model_path(SEED_MODEL_NAME))
    assert model.labels == tuple(LABELS)
    assert model.spec.frontend == MfccMeanSpec.from_dict(model.spec.frontend.to_dict())
    assert model.spec.frontend.sample_rate == 22050 and model.spec.frontend.n_mfcc == 40
    assert model.spec.frontend.resampler == "kaiser_fast"


def test_modelspec_metadata_round_trip():
    spec = ModelSpec(labels=tuple(LABELS), frontend=MfccMeanSpec(), training={"protocol": "x"})
    again = ModelSpec.from_metadata(spec.to_metadata())
    assert again.labels == spec.labels and again.frontend == spec.frontend
    assert again.training == {"protocol": "x"}


def test_a_frontend_that_fails_on_audio_is_refused_at_load(tmp_path):
    # The probe used to feed zeros to ONNX without the frontend: a model whose window scipy
    # does not know loaded, then failed on the first utterance of a stream.
    meta = contract()
    frontend = json.loads(meta[FRONTEND_KEY])
    frontend["window"] = "no-such-window"
    meta[FRONTEND_KEY] = json.dumps(frontend)
    path = tiny_model(tmp_path / "m.onnx", metadata=meta)
    with pytest.raises(ModelError, match="m.onnx: its frontend cannot compute features.*no-such-window"):
        EmotionModel.load(path)


@pytest.mark.parametrize(("setting", "value"), [
    ("mel_norm", "l1"), ("amin", 0.0), ("top_db", -1.0), ("pad_mode", "bogus"), ("hop_length", 0),
    ("power", "2"), ("center", "yes"), ("dct_norm", "l2"), ("win_length", 4096),
])
def test_feature_spec_checks_every_setting_when_built(setting, value):
    # mel_norm, amin and top_db used to be checked only when features were first computed.
    with pytest.raises(ContractError, match=f"frontend.*{setting}"):
        MfccMeanSpec(**{setting: value})
    with pytest.raises(ContractError, match=setting):
        MfccMeanSpec.from_dict({setting: value})


def test_mono_is_read_for_compatibility_and_only_as_mean():
    assert MfccMeanSpec.from_dict({"mono": "mean"}) == MfccMeanSpec()
    assert "mono" not in MfccMeanSpec().to_dict()
    with pytest.raises(ContractError, match="frontend mono: expected 'mean'"):
        MfccMeanSpec.from_dict({"mono": "left"})


def test_stream_settings_raise_a_config_error_not_a_model_error():
    from ser_edge.config import StreamSpec
    from ser_edge.errors import ConfigError

    with pytest.raises(ConfigError, match="stream hop: expected > 0") as info:
        StreamSpec(hop=0)
    assert not isinstance(info.value, ModelError)


FIGURES = {"min_fine_rate": 16000, "full_band": {"accuracy": 0.425},
           "measured": [{"rate": 16000, "accuracy": 0.4389, "agreement": 0.886},
                        {"rate": 8000, "accuracy": 0.30, "agreement": 0.5}]}


def test_rate_warnings_follow_the_measured_figures():
    # 16 kHz used to warn "clearly less accurate" although measured fine; 8 kHz warned nothing.
    spec = ModelSpec(labels=tuple(LABELS), frontend=MfccMeanSpec(), training={"input_rates": FIGURES})
    assert spec.min_fine_rate == 16000
    assert rate_warning(spec, 16000) is None and rate_warning(spec, 48000) is None
    warning = rate_warning(spec, 8000)
    assert warning is not None and "8000 Hz is below 16000 Hz" in warning
    assert "accuracy 30.0% vs 42.5% at full band (-12.5 points; 50% of labels unchanged)" in warning
    assert "measured at 8000 Hz" in rate_warning(spec, 11025)


def test_rate_warning_without_figures_names_the_band_and_says_not_measured():
    spec = ModelSpec(labels=tuple(LABELS), frontend=MfccMeanSpec())
    assert spec.min_fine_rate == 22050 and rate_warning(spec, 22050) is None
    assert "nothing above 8000 Hz" in rate_warning(spec, 16000)
    assert "not measured" in rate_warning(spec, 16000)


def test_warn_rate_logs_once_per_input(tmp_path, caplog):
    meta = contract()
    meta["ser_edge.training"] = json.dumps({"input_rates": FIGURES})
    model = EmotionModel.load(tiny_model(tmp_path / "m.onnx", metadata=meta))
    with caplog.at_level("WARNING", logger="ser_edge"):
        assert model.warn_rate(16000, "a.wav") is None
        for _ in range(2):
            assert "8000 Hz is below 16000 Hz" in model.warn_rate(8000, "b.wav")
    assert [r.getMessage()[:40] for r in caplog.records] == ["b.wav: audio at 8000 Hz is below 16000 H"]


def test_shipped_model_names():
    """--model seed / seed-int8 is the MFCC-mean model whatever the default; int8 follows the default."""
    assert check_model_path("seed") == shipped_model_path(SEED_MODEL_NAME)
    assert check_model_path("seed-int8") == shipped_model_path(SEED_INT8_NAME)
    assert SHIPPED_MODELS["float32"] == DEFAULT_MODEL
    assert SHIPPED_MODELS["int8"] == DEFAULT_MODEL.replace(".onnx", "_int8.onnx")
    seed = EmotionModel.load("seed")
    assert seed.spec.frontend.type == "mfcc_mean" and seed.path.name == "ser_edge_seed.onnx"
    assert EmotionModel.load("seed-int8").spec.training["quantization"]["source_sha256"]


# --- speaker calibration (issue 15) -----------------------------------------------------------

def calibrated_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    """Model inputs of a calibrated tiny model: frames (T, 64), functionals (F,) at a plausible scale."""
    from support.onnx_fixtures import tiny_calibration_prior

    rng = np.random.default_rng(seed)
    mean, std = tiny_calibration_prior()
    return {"frames": rng.normal(0, 1, (30, 64)).astype(np.float32),
            "functionals": (mean + std * rng.normal(0, 1.5, mean.shape)).astype(np.float32)}


def test_calibrated_model_gives_either_output(tmp_path):
    from support.onnx_fixtures import calibrated_reference, tiny_calibrated_model

    path = tiny_calibrated_model(tmp_path / "cal.onnx", min_utterances=3)
    model = EmotionModel.load(path)
    spec = model.calibration_spec
    assert spec is not None and spec.min_utterances == 3 and spec.n_statistics == 234
    assert sorted(model.bindings) == ["frames", "functionals"]  # the statistics are not the frontend's
    x = calibrated_inputs()
    plain = model.predict(x)[0]
    np.testing.assert_allclose(plain, calibrated_reference(path, x["frames"], x["functionals"]), atol=1e-5)
    mean = np.asarray(spec.mean, np.float32) + 0.5
    std = np.asarray(spec.std, np.float32) * 2.0
    calibrated = model.predict(x, (mean, std))[0]
    want = calibrated_reference(path, x["frames"], x["functionals"], mean, std)
    np.testing.assert_allclose(calibrated, want, atol=1e-5)
    assert np.abs(calibrated - plain).max() > 1e-3  # the two outputs really differ
    # a batch of two examples takes the statistics broadcast
    batch = {"frames": np.stack([x["frames"]] * 2), "functionals": np.stack([x["functionals"]] * 2)}
    np.testing.assert_allclose(model.predict(batch, (mean, std)), np.stack([calibrated] * 2), atol=1e-6)
    with pytest.raises(ValueError, match=r"speaker_std: expected shape \(234,\), got \[3\]"):
        model.predict(x, (mean, np.ones(3)))


def test_infer_both_gives_both_outputs_of_one_run(tmp_path):
    from ser_edge import CalibrationError

    from support.onnx_fixtures import add_dimension_heads, tiny_calibrated_model

    x = calibrated_inputs(1)
    for name, heads in (("labels", ()), ("heads", ("dimensions",)),
                        ("both", ("dimensions", "dimensions_calibrated"))):
        path = tiny_calibrated_model(tmp_path / f"{name}.onnx")
        for i, output in enumerate(heads):
            add_dimension_heads(path, source=("joined", "joined2")[i], output=output, seed=7 + i)
        model = EmotionModel.load(path)
        mean = np.asarray(model.calibration_spec.mean, np.float32) - 0.3
        std = np.asarray(model.calibration_spec.std, np.float32) * 0.5
        plain, calibrated = model.infer_both(x, (mean, std))
        for got, want in ((plain, model.infer(x)), (calibrated, model.infer(x, (mean, std)))):
            assert got.probs.shape == (1, len(model.labels)) and got.dimensions.shape == (1, 2)
            np.testing.assert_allclose(got.probs, want.probs, atol=1e-7)
            np.testing.assert_allclose(got.dimensions, want.dimensions, atol=1e-7)
        assert np.abs(plain.probs - calibrated.probs).max() > 1e-3
    uncalibrated = EmotionModel.load(tiny_model(tmp_path / "m.onnx", metadata=contract()))
    with pytest.raises(CalibrationError, match="has no speaker calibration"):
        uncalibrated.infer_both(np.zeros(40, np.float32), (mean, std))


def test_calibration_inputs_without_the_metadata_key_are_refused(tmp_path):
    from support.onnx_fixtures import tiny_calibrated_model

    path = tiny_calibrated_model(tmp_path / "cal.onnx", metadata_key=False)
    with pytest.raises(ModelError, match=r"the frontend does not make \['speaker_mean', 'speaker_std'\] "
                                         r"\(speaker calibration statistics\? its ser_edge.frontend metadata "
                                         r"has no 'calibration' key\)"):
        EmotionModel.load(path)


def test_the_metadata_key_without_calibration_inputs_is_refused(tmp_path):
    from support.onnx_fixtures import tiny_calibrated_model

    path = tiny_calibrated_model(tmp_path / "cal.onnx", calibrated_graph=False)
    with pytest.raises(ModelError, match=r"'calibration' names inputs \['speaker_mean', 'speaker_std'\], "
                                         r"but the model has no \['speaker_mean', 'speaker_std'\]"):
        EmotionModel.load(path)


def test_a_calibrated_output_that_is_not_probabilities_is_refused(tmp_path):
    from onnx import helper

    from support.onnx_fixtures import tiny_calibrated_model

    path = tiny_calibrated_model(tmp_path / "cal.onnx")
    graph = onnx.load(str(path))
    softmax = next(n for n in graph.graph.node if n.output[0] == "probs_calibrated")
    index = list(graph.graph.node).index(softmax)
    graph.graph.node.remove(softmax)
    graph.graph.node.insert(index, helper.make_node("Identity", ["logits2"], ["probs_calibrated"]))
    onnx.save(graph, str(path))
    with pytest.raises(ModelError, match="model output 'probs_calibrated' is not probabilities"):
        EmotionModel.load(path)


def test_statistics_for_a_model_without_calibration_are_refused(tmp_path):
    from ser_edge.errors import CalibrationError

    from support.onnx_fixtures import tiny_frames_model

    model = EmotionModel.load(tiny_frames_model(tmp_path / "plain.onnx"))
    assert model.calibration_spec is None
    with pytest.raises(CalibrationError, match=r"plain\.onnx has no speaker calibration"):
        model.predict(calibrated_inputs(), (np.zeros(234), np.ones(234)))
