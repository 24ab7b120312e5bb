"""Speech detection: none on tones, melodies, noise, clicks; speech on real recordings."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.frontend.frames16k.frames import n_frames
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.frontend.frames16k.vad import ChunkProbabilities, SpeechDecider, detect_speech, speech_mask

from support import frames_signals
from support.frames_signals import SR, read_example_16k, tone

SPEC = Frames16kSpec()


@pytest.fixture
def speech_files() -> list:
    """The shared example recordings; skips when ../shared/data is absent."""
    return frames_signals.speech_files()


@pytest.fixture(scope="module")
def probs() -> ChunkProbabilities:
    return ChunkProbabilities(SPEC)


def _melody() -> np.ndarray:
    t = np.arange(3 * SR) / SR
    notes = np.repeat([262.0, 330.0, 392.0, 523.0, 440.0, 349.0], SR // 2)
    pluck = np.exp(-6.0 * (t % 0.5))
    return 0.3 * pluck * sum(np.sin(2 * np.pi * k * notes * t) / k for k in (1, 2, 3))


def _clicks() -> np.ndarray:
    x = np.zeros(2 * SR)
    x[:: SR // 4] = 0.9
    return x


NON_SPEECH = {
    "beep_1k": lambda: np.concatenate([tone(1000.0, 0.3), np.zeros(SR // 2)] * 3),
    "tone_440": lambda: tone(440.0, 2.0),
    "melody": _melody,
    "white_noise": lambda: 0.05 * np.random.default_rng(0).standard_normal(2 * SR),
    "quiet_noise": lambda: 1e-4 * np.random.default_rng(1).standard_normal(2 * SR),
    "clicks": _clicks,
    "silence": lambda: np.zeros(SR),
}


@pytest.mark.parametrize("name", sorted(NON_SPEECH))
def test_no_speech_in_non_speech(name: str, probs: ChunkProbabilities) -> None:
    x = NON_SPEECH[name]()
    assert not detect_speech(x, n_frames(len(x), SPEC), SPEC, probs).any()


@pytest.mark.parametrize("gain_db", [-20.0, 0.0, 20.0])
def test_speech_found_at_any_level(speech_files, gain_db: float, probs: ChunkProbabilities) -> None:
    for path in speech_files:
        x = read_example_16k(path) * 10 ** (gain_db / 20)
        mask = detect_speech(x, n_frames(len(x), SPEC), SPEC, probs)
        assert mask.sum() >= SPEC.min_speech_frames, path.name
        assert mask.mean() < 0.95, path.name  # the silence around the words is not speech


def test_pre_gate_skips_the_model_in_silence(probs: ChunkProbabilities) -> None:
    probs.reset()
    probs.calls = 0
    out = probs.push(np.zeros(SR))
    assert probs.calls == 0 and len(out) == SR // SPEC.vad_chunk and not out.any()


def test_streaming_blocks_equal_one_shot(speech_files, probs: ChunkProbabilities) -> None:
    x = read_example_16k(speech_files[0])
    probs.reset()
    whole = probs.push(x)
    probs.reset()
    parts = [probs.push(x[i:i + 777]) for i in range(0, len(x), 777)]
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-6)


def test_decider_hysteresis_and_reset() -> None:
    decider = SpeechDecider(SPEC)
    p = np.array([0.1, 0.6, 0.4, 0.2, 0.2, 0.2, 0.2, 0.2, 0.9])
    got = decider.decide(p)
    assert list(got[:2]) == [False, True] and got[2] and not got[-2] and got[-1]
    decider.reset()
    assert not decider.decide(np.array([0.4]))[0]


def test_speech_mask_maps_chunks_to_frames() -> None:
    flags = np.zeros(20, dtype=bool)
    flags[10] = True
    mask = speech_mask(flags, 200, SPEC)
    centre = (np.arange(200) * SPEC.hop + SPEC.frame_len // 2) // SPEC.vad_chunk
    assert mask[centre == 10].all() and not mask[:10].any()


@pytest.mark.parametrize("frames", [1, 11, 20, 21, 22, 300])
def test_speech_mask_has_one_flag_per_frame_for_any_length(frames: int) -> None:
    """Regression: padding a mask shorter than the pad kernel (2 * speech_pad_frames + 1 = 21)
    returned 21 flags, and pooling failed with an IndexError on a 0.12 s buffer."""
    spec = Frames16kSpec()
    mask = speech_mask(np.ones(frames * spec.hop // spec.vad_chunk + 1, dtype=bool), frames, spec)
    assert mask.shape == (frames,) and mask.all()
    one = speech_mask(np.eye(40, dtype=bool)[20], 300, spec)  # one speech chunk, padded both sides
    assert one.sum() > 2 * spec.speech_pad_frames and len(one) == 300
