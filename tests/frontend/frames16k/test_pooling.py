"""Model inputs: speech frames only, level-independent, silence-independent; deltas == psf."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.frontend.frames16k.frames import compute_frames
from ser_edge.frontend.frames16k.pooling import cnn_input, delta, functional_names, functionals, has_speech
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from support.frames_signals import SR

SPEC = Frames16kSpec()


def _utterance(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(SR) / SR
    f0 = 140 + 30 * np.sin(2 * np.pi * 2 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    return 0.1 * sum(np.sin(k * phase) / k for k in range(1, 10)) + 1e-3 * rng.standard_normal(SR)


def test_delta_equals_python_speech_features() -> None:
    psf = pytest.importorskip("python_speech_features")
    feat = np.random.default_rng(0).standard_normal((50, 13))
    np.testing.assert_allclose(delta(feat, 2), psf.delta(feat, 2), atol=1e-12)


def test_level_independent() -> None:
    x = _utterance()
    mask = np.ones(len(compute_frames(x, SPEC)), dtype=bool)
    a, b = compute_frames(x, SPEC), compute_frames(x * 10 ** (-20 / 20), SPEC)
    np.testing.assert_allclose(cnn_input(a, mask, SPEC), cnn_input(b, mask, SPEC), atol=1e-4)
    np.testing.assert_allclose(functionals(a, mask, SPEC), functionals(b, mask, SPEC), atol=1e-3)


def test_silence_around_does_not_change_the_input() -> None:
    x = _utterance()
    pad = np.zeros(SPEC.hop * 50)
    block = compute_frames(x, SPEC)
    padded = compute_frames(np.concatenate([pad, x, pad]), SPEC)
    mask = np.zeros(len(padded), dtype=bool)
    mask[50:50 + len(block) - 3] = True
    ref = np.zeros(len(block), dtype=bool)
    ref[: len(block) - 3] = True
    np.testing.assert_allclose(cnn_input(padded, mask, SPEC), cnn_input(block, ref, SPEC), atol=1e-4)


def test_shapes_and_names() -> None:
    block = compute_frames(_utterance(), SPEC)
    mask = np.zeros(len(block), dtype=bool)
    mask[10:60] = True
    assert cnn_input(block, mask, SPEC).shape == (50, SPEC.n_mels)
    vec = functionals(block, mask, SPEC)
    assert vec.shape == (len(functional_names(SPEC)),) and np.isfinite(vec).all()
    assert has_speech(mask, SPEC) and not has_speech(mask[:15], SPEC)
    empty = functionals(block, np.zeros(len(block), dtype=bool), SPEC)
    assert np.isfinite(empty).all()
