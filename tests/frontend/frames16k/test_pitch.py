"""YIN on synthetic signals of known F0, on noise (unvoiced), and against its direct definition."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.frontend.frames16k.frames import compute_frames, frame_view, n_frames
from ser_edge.frontend.frames16k.pitch import BLOCK_FRAMES, lag_range, pick_lag, refine_lag, semitones, yin
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from support.frames_signals import SR, read_example_16k, speech_files, tone

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


def _reference_yin(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """YIN as de Cheveigné & Kawahara define it, by direct sums: d(tau) = sum_{j<W} (x_j - x_{j+tau})^2,
    then pitch's own lag picking (F0 Hz, voiced) on the cumulative mean normalised d'."""
    tau_min, tau_max = lag_range(SPEC)
    width = frames.shape[1] - tau_max
    dprime = np.ones((len(frames), tau_max + 1))
    for i, x in enumerate(frames):
        shifted = np.lib.stride_tricks.sliding_window_view(x, width)[: tau_max + 1]
        d = np.sum((shifted - x[:width]) ** 2, axis=1)
        dprime[i, 1:] = d[1:] * np.arange(1, tau_max + 1) / np.maximum(np.cumsum(d[1:]), 1e-12)
    tau, voiced = pick_lag(dprime, tau_min, SPEC.yin_threshold)
    return np.where(voiced, SR / np.maximum(refine_lag(dprime, tau), 1.0), 0.0), voiced


def _pitch_frames(x: np.ndarray) -> np.ndarray:
    count = n_frames(len(x), SPEC)
    raw = np.concatenate([np.zeros(SPEC.pitch_offset), x, np.zeros(SPEC.pitch_len + count * SPEC.hop)])
    return frame_view(raw, SPEC.pitch_len, SPEC.hop, count)


def _real_and_synthetic() -> dict[str, np.ndarray]:
    t = np.arange(int(0.6 * SR)) / SR
    signals = {"tone_123": tone(123.4, 0.6), "tone_450": tone(450.0, 0.6),
               "harmonics_150": sum(0.2 / k * np.sin(2 * np.pi * 150.0 * k * t) for k in range(2, 8)),
               "noise": 0.1 * np.random.default_rng(0).standard_normal(SR // 2)}
    try:
        signals.update({p.name: read_example_16k(p) for p in speech_files()})
    except pytest.skip.Exception:
        pass
    return signals


@pytest.mark.parametrize("name", sorted(_real_and_synthetic()))
def test_yin_equals_the_direct_definition(name: str) -> None:
    """The FFT-based YIN (length pitch_len, blocks of BLOCK_FRAMES) against direct sums: F0
    within 0.05 cents and the same voicing on every frame."""
    frames = _pitch_frames(_real_and_synthetic()[name])
    f0, _, voiced = yin(frames, SPEC)
    want_f0, want_voiced = _reference_yin(np.asarray(frames))
    np.testing.assert_array_equal(voiced, want_voiced)
    both = voiced & want_voiced
    assert np.max(np.abs(1200 * np.log2(f0[both] / want_f0[both])), initial=0.0) < 0.05
    assert len(frames) > BLOCK_FRAMES or name.startswith(("tone", "harmonics", "noise"))


def test_pitch_only_on_the_rows_asked_for() -> None:
    x = read_example_16k(speech_files()[0])
    full = compute_frames(x, SPEC)
    rows = np.zeros(len(full), dtype=bool)
    rows[::3] = True
    part = compute_frames(x, SPEC, pitch_rows=rows)
    np.testing.assert_array_equal(part.voiced[rows], full.voiced[rows])
    np.testing.assert_array_equal(part.f0_semitones[rows], full.f0_semitones[rows])
    assert not part.voiced[~rows].any() and np.isnan(part.f0_semitones[~rows]).all()
    np.testing.assert_array_equal(part.logmel, full.logmel)
