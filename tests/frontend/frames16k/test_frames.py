"""Frame features equal python_speech_features (the reference); incremental == one-shot."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.frontend.frames16k.frames import FrameBlock, FrameStream, compute_frames, filterbank, n_frames
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from support import frames_signals  # noqa: E402
from support.frames_signals import read_example_16k, tone  # noqa: E402

psf = pytest.importorskip("python_speech_features")
SPEC = Frames16kSpec()


@pytest.fixture
def speech_files() -> list:
    """The shared example recordings; skips when ../shared/data is absent."""
    return frames_signals.speech_files()


def _reference(x: np.ndarray, spec: Frames16kSpec) -> tuple[np.ndarray, np.ndarray]:
    fb, energy = psf.fbank(x, spec.sample_rate, spec.winlen, spec.winstep, spec.n_mels, spec.nfft,
                           spec.lowfreq, spec.highfreq, spec.preemph, winfunc=np.hamming)
    mfcc = psf.mfcc(x, spec.sample_rate, spec.winlen, spec.winstep, spec.n_mfcc, spec.n_mels, spec.nfft,
                    spec.lowfreq, spec.highfreq, spec.preemph, spec.ceplifter, spec.append_energy,
                    winfunc=np.hamming)
    return np.log(fb), mfcc


@pytest.mark.parametrize("n", [100, 400, 401, 560, 16000, 23457])
def test_equals_python_speech_features(n: int) -> None:
    x = np.random.default_rng(n).standard_normal(n) * 0.1
    block = compute_frames(x, SPEC)
    logmel, mfcc = _reference(x, SPEC)
    assert len(block) == n_frames(n, SPEC) == len(logmel)
    np.testing.assert_allclose(block.logmel, logmel, rtol=0, atol=1e-9)
    np.testing.assert_allclose(block.mfcc, mfcc, rtol=0, atol=1e-9)


def test_filterbank_equals_reference() -> None:
    ref = psf.get_filterbanks(SPEC.n_mels, SPEC.nfft, SPEC.sample_rate, SPEC.lowfreq, SPEC.highfreq)
    np.testing.assert_allclose(filterbank(SPEC), ref, atol=1e-12)


def test_speech_equals_reference(speech_files) -> None:
    x = read_example_16k(speech_files[0])
    logmel, mfcc = _reference(x, SPEC)
    block = compute_frames(x, SPEC)
    np.testing.assert_allclose(block.logmel, logmel, atol=1e-9)
    np.testing.assert_allclose(block.mfcc, mfcc, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_equals_one_shot(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(rng.integers(300, 30000))) * 0.1
    x += 0.3 * np.sin(2 * np.pi * 150 * np.arange(len(x)) / 16000)
    stream, parts, i = FrameStream(SPEC), [], 0
    while i < len(x):
        step = int(rng.integers(1, 2500))
        parts.append(stream.push(x[i:i + step]))
        i += step
    parts.append(stream.flush())
    got, want = FrameBlock.concat(parts), compute_frames(x, SPEC)
    assert len(got) == len(want)
    names = ("logmel", "mfcc", "log_energy", "centroid_hz", "rolloff_hz", "flatness", "zcr", "periodicity")
    for name in names:
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), atol=1e-9, err_msg=name)
    np.testing.assert_array_equal(got.voiced, want.voiced)
    np.testing.assert_allclose(got.f0_semitones, want.f0_semitones, atol=1e-9)


def test_stream_cost_is_only_new_frames() -> None:
    stream = FrameStream(SPEC)
    stream.push(np.zeros(16000))
    block = stream.push(np.zeros(SPEC.hop))
    assert len(block) == 1  # one hop of audio completes exactly one new frame
    assert len(stream._pre) < SPEC.pitch_len + SPEC.hop  # bounded memory


def test_reset_starts_a_new_signal() -> None:
    x = np.random.default_rng(5).standard_normal(5000)
    stream = FrameStream(SPEC)
    stream.push(np.ones(3000))
    stream.reset()
    got = FrameBlock.concat([stream.push(x), stream.flush()])
    np.testing.assert_allclose(got.logmel, compute_frames(x, SPEC).logmel, atol=1e-9)


def test_spectral_shape_of_a_tone() -> None:
    block = compute_frames(tone(1000.0, 0.5), SPEC)
    mid = slice(5, -5)
    assert np.median(block.centroid_hz[mid]) == pytest.approx(1000.0, rel=0.05)
    assert np.median(block.flatness[mid]) < 0.05
    noise = compute_frames(np.random.default_rng(0).standard_normal(8000), SPEC)
    assert np.median(noise.flatness) > 0.2  # pre-emphasis tilts white noise
