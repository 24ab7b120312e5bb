"""The frames16k frontend as the classifier uses it: no speech in non-speech, and window-mode
windows equal to the one-shot pooling of the same frames."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.audio.resample import StreamResampler, resample
from ser_edge.config import StreamSpec
from ser_edge.frontend.frames16k.frames import compute_frames
from ser_edge.frontend.frames16k.frontend import FramesFrontend, pooled_inputs, to_model_rate
from ser_edge.frontend.frames16k.pooling import n_functionals
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.frontend.frames16k.vad import ChunkProbabilities, SpeechDecider, speech_mask

from support.frames_signals import non_speech, speech_files
from support.speechlike import speechlike

SPEC = Frames16kSpec()


@pytest.fixture(scope="module")
def frontend() -> FramesFrontend:
    return FramesFrontend(SPEC)


def _speech_48k() -> np.ndarray:
    """The shared example recordings at 48 kHz with silence between them (skips without data)."""
    sf = pytest.importorskip("soundfile")
    parts = []
    for path in speech_files():
        x, rate = sf.read(str(path), dtype="float64", always_2d=True)
        parts += [resample(x.mean(axis=1), rate, 48000, "polyphase").astype(np.float64), np.zeros(48000)]
    return np.concatenate(parts)


def _synthetic_48k() -> np.ndarray:
    """The synthetic speech-like phrases (tests/support/speechlike.py) at 48 kHz: runs on a fresh
    clone."""
    return resample(speechlike(16000, phrases=3, seed=0), 16000, 48000, "polyphase").astype(np.float64)


#: The streams of the stream-equals-one-shot test: synthetic always, the corpus when present.
STREAMS = {"synthetic": _synthetic_48k, "corpus": _speech_48k}


@pytest.mark.parametrize("rate", [16000, 48000])
@pytest.mark.parametrize("name", sorted(non_speech()))
def test_no_speech_in_tones_music_and_noise(frontend: FramesFrontend, name: str, rate: int) -> None:
    x = non_speech(rate)[name]
    assert not frontend.has_speech(x, rate)
    assert frontend.speech_features(x, rate) is None


def test_inputs_of_speech(frontend: FramesFrontend) -> None:
    x = _speech_48k()
    inputs = frontend.speech_features(x, 48000)
    assert inputs is not None and frontend.has_speech(x, 48000)
    assert inputs["frames"].dtype == np.float32 and inputs["frames"].shape[1] == SPEC.n_mels
    assert inputs["functionals"].shape == (n_functionals(SPEC),)
    n_frames = len(compute_frames(to_model_rate(x, 48000, SPEC), SPEC))
    assert SPEC.min_speech_frames <= len(inputs["frames"]) < n_frames  # speech frames only


def _stream_reference(x: np.ndarray, rate: int) -> tuple:
    """The one-shot frames of the whole resampled stream and its streaming VAD mask."""
    resampler = StreamResampler(rate, SPEC.sample_rate, SPEC.resampler)
    y = np.concatenate([resampler.push(x), resampler.flush()])
    block = compute_frames(y, SPEC)
    probs = ChunkProbabilities(SPEC)
    decisions = SpeechDecider(SPEC).decide(np.concatenate([probs.push(y), probs.flush()]))
    return block, speech_mask(decisions, len(block), SPEC)


@pytest.mark.parametrize("source", sorted(STREAMS))
@pytest.mark.parametrize("seed", [0, 1])
def test_windows_equal_one_shot_pooling(frontend: FramesFrontend, seed: int, source: str) -> None:
    x, rate = STREAMS[source](), 48000
    stream_spec = StreamSpec(mode="window", window=2.0, hop=0.5)
    stream, rng, windows, i = frontend.window_stream(stream_spec, rate), np.random.default_rng(seed), [], 0
    while i < len(x):
        step = int(rng.integers(100, 9000))
        windows += stream.push(x[i:i + step])
        i += step
    windows += stream.flush()
    block, mask = _stream_reference(x, rate)
    assert len(windows) >= 4 and any(w.speech for w in windows)
    frame = SPEC.hop / SPEC.sample_rate
    for w in windows:
        a, b = round(w.start / frame), round(w.end / frame)
        assert b - a <= round(stream_spec.window / frame) and mask[a:b].any()
        want = pooled_inputs(block.select(slice(a, b)), mask[a:b], SPEC)
        for name in ("frames", "functionals"):
            np.testing.assert_allclose(w.features[name], want[name], atol=1e-4, err_msg=name)
        assert w.speech == (mask[a:b].sum() >= SPEC.min_speech_frames)
        assert w.decided_at >= w.end - 1e-9


def test_window_stream_skips_non_speech(frontend: FramesFrontend) -> None:
    x = np.concatenate(list(non_speech(48000).values()))
    stream = frontend.window_stream(StreamSpec(mode="window"), 48000)
    windows = [w for i in range(0, len(x), 2400) for w in stream.push(x[i:i + 2400])] + stream.flush()
    assert not any(w.speech for w in windows)


def test_probe_inputs_need_no_speech_detector() -> None:
    frontend = FramesFrontend(SPEC)
    inputs = frontend.probe_inputs()
    assert frontend._probabilities is None  # Silero not loaded for the probe
    assert inputs["frames"].shape[1] == SPEC.n_mels and np.all(np.isfinite(inputs["functionals"]))


def test_speech_features_equal_pooling_of_all_frames(frontend: FramesFrontend) -> None:
    """speech_features computes frames only where pooling reads them (F0 on speech frames, the
    rest within delta_n of one): the same inputs as pooling every frame's features."""
    x = _speech_48k()
    y, mask = frontend.speech(x, 48000)
    want = pooled_inputs(compute_frames(y, SPEC), mask, SPEC)
    got = frontend.speech_features(x, 48000)
    assert got is not None and 0 < mask.mean() < 1
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-6, atol=1e-6, err_msg=name)
