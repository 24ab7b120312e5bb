"""YIN on synthetic signals of known F0, and on noise (unvoiced)."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.frontend.frames16k.frames import compute_frames
from ser_edge.frontend.frames16k.pitch import semitones
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from support.frames_signals import SR, tone

SPEC = Frames16kSpec()


@pytest.mark.parametrize("f0", [80.0, 123.4, 220.0, 330.0, 450.0])
def test_tone_f0(f0: float) -> None:
    block = compute_frames(tone(f0, 0.6), SPEC)
    inner = slice(5, -5)
    assert block.voiced[inner].all()
    hz = SPEC.semitone_ref_hz * 2 ** (block.f0_semitones[inner] / 12)
    assert np.max(np.abs(hz / f0 - 1)) < 0.01


def test_harmonic_complex_gives_fundamental() -> None:
    t = np.arange(int(0.6 * SR)) / SR
    x = sum(0.2 / k * np.sin(2 * np.pi * 150.0 * k * t) for k in range(2, 8))  # missing fundamental
    block = compute_frames(x, SPEC)
    hz = SPEC.semitone_ref_hz * 2 ** (np.nanmedian(block.f0_semitones) / 12)
    assert hz == pytest.approx(150.0, rel=0.02)


def test_noise_is_unvoiced() -> None:
    x = 0.1 * np.random.default_rng(0).standard_normal(SR)
    block = compute_frames(x, SPEC)
    assert block.voiced.mean() < 0.05
    assert np.isnan(block.f0_semitones[~block.voiced]).all()


def test_silence_is_unvoiced() -> None:
    assert not compute_frames(np.zeros(SR // 2), SPEC).voiced.any()


def test_semitones() -> None:
    got = semitones(np.array([55.0, 110.0, 0.0]), SPEC)
    np.testing.assert_allclose(got[:2], [0.0, 12.0])
    assert np.isnan(got[2])
