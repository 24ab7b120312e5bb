"""The shipped v2 (frames16k) model by name (``V2_MODEL_NAME`` + its int8 file), whatever the
default: contract, shapes, speech, its two outputs (``probs`` with the training prior,
``probs_calibrated`` with speaker statistics)."""

from __future__ import annotations

import json

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")

from ser_edge.frontend.frames16k.frames import compute_frames  # noqa: E402
from ser_edge.frontend.frames16k.pooling import cnn_input, functionals, has_speech  # noqa: E402
from ser_edge.frontend.frames16k.spec import Frames16kSpec  # noqa: E402
from ser_edge.frontend.frames16k.vad import detect_speech  # noqa: E402
from ser_edge.model import V2_INT8_NAME, V2_MODEL_NAME  # noqa: E402

from support import frames_signals  # noqa: E402
from support.frames_signals import read_example_16k, tone  # noqa: E402
from support.paths import ROOT  # noqa: E402

LABELS = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]


@pytest.fixture(scope="module", params=[V2_MODEL_NAME, V2_INT8_NAME])
def session(request: pytest.FixtureRequest):
    path = ROOT / "models" / request.param
    if not path.exists():
        pytest.skip(f"{path.name} not built")
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _spec(sess) -> Frames16kSpec:
    return Frames16kSpec.from_dict(json.loads(sess.get_modelmeta().custom_metadata_map["ser_edge.frontend"]))


def _feed(sess, x: np.ndarray) -> dict[str, np.ndarray] | None:
    """The model's four inputs for audio ``x`` (16 kHz) with the prior as speaker statistics;
    None when the detector finds no speech."""
    spec = _spec(sess)
    block = compute_frames(x, spec)
    mask = detect_speech(x, len(block), spec)
    if not has_speech(mask, spec):
        return None
    return {"frames": cnn_input(block, mask, spec)[None], "functionals": functionals(block, mask, spec)[None],
            "speaker_mean": np.array(spec.calibration.mean, np.float32)[None],
            "speaker_std": np.array(spec.calibration.std, np.float32)[None]}


def _classify(sess, x: np.ndarray) -> np.ndarray | None:
    feed = _feed(sess, x)
    return None if feed is None else sess.run(["probs"], feed)[0][0]


def test_contract(session) -> None:
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["ser_edge.labels"]) == LABELS
    spec = _spec(session)
    training = json.loads(meta["ser_edge.training"])
    assert len(training["data"]["speakers"]) == 20
    assert not any(s in training["data"]["speakers"] for s in (f"ravdess_{a}" for a in range(19, 25)))
    inputs = {i.name: i.shape for i in session.get_inputs()}
    assert inputs["frames"][-1] == spec.n_mels
    assert set(inputs) == {"frames", "functionals", "speaker_mean", "speaker_std"}
    assert [o.name for o in session.get_outputs()] == ["probs", spec.calibration.output]
    assert len(spec.calibration.mean) == inputs["functionals"][-1] == inputs["speaker_std"][-1]


def test_speaker_statistics_move_only_the_calibrated_output(session) -> None:
    feed = _feed(session, read_example_16k(frames_signals.speech_files()[0]))
    mean, std = feed["speaker_mean"], feed["speaker_std"]
    probs, calibrated = session.run(None, feed)
    other_probs, other = session.run(None, dict(feed, speaker_mean=mean + 0.5 * std))
    np.testing.assert_array_equal(other_probs, probs)
    assert np.abs(other - calibrated).max() > 1e-3 and calibrated.sum() == pytest.approx(1.0, abs=1e-4)


def test_speech_gets_a_label_and_tones_none(session) -> None:
    files = frames_signals.speech_files()
    probs = _classify(session, read_example_16k(files[0]))
    assert probs is not None and probs.shape == (8,) and probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert _classify(session, np.concatenate([tone(1000.0, 0.3), np.zeros(8000)] * 3)) is None
