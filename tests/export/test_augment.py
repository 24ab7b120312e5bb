"""The frames16k training augmentations and the held-out test conditions (export only)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")
augment = pytest.importorskip("export.frames16k.augment")

SR = 16000


def _voice(seconds: float = 1.0) -> np.ndarray:
    """A harmonic 'voice' at 150 Hz with a formant-like bump, plus a little noise."""
    t = np.arange(int(seconds * SR)) / SR
    x = sum(np.sin(2 * np.pi * 150 * k * t) / k * (2.0 if 4 <= k <= 6 else 1.0) for k in range(1, 30))
    return x + 0.01 * np.random.default_rng(0).standard_normal(len(t))


def test_every_variant_is_deterministic_and_keeps_the_length_unless_it_changes_speed() -> None:
    x = _voice()
    for name, variant in augment.VARIANTS.items():
        a, b = variant(x, np.random.default_rng(7)), variant(x, np.random.default_rng(7))
        assert np.array_equal(a, b) and np.isfinite(a).all(), name
        if name != "speed":
            assert len(a) == len(x), name


def test_vtlp_moves_the_spectrum_by_its_factor_and_keeps_the_tempo() -> None:
    x = _voice()
    same = augment.vtlp(x, np.random.default_rng(0), alpha=1.0)
    assert np.corrcoef(same[1000:-1000], x[1000:-1000])[0, 1] > 0.99
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    for alpha in (0.9, 1.1):
        y = augment.vtlp(x, np.random.default_rng(0), alpha=alpha)
        peaks = freqs[np.argsort(np.abs(np.fft.rfft(y)))[-5:]]  # the strongest harmonics, moved
        harmonic = peaks / (150.0 * alpha)
        assert np.allclose(harmonic, np.round(harmonic), atol=0.05) and len(y) == len(x)


def test_microphone_colours_the_channel_and_mulaw_quantises_to_8_bits() -> None:
    x = _voice()
    y = augment.microphone(x, np.random.default_rng(3))
    assert not np.allclose(y, x) and abs(np.log10(augment.active_power(y) / augment.active_power(x))) < 1.5
    q = augment.mulaw(x)
    assert len(np.unique(np.round(q / np.max(np.abs(x)), 9))) <= 255
    assert np.max(np.abs(q - x)) < 0.05 * np.max(np.abs(x))


def test_the_held_out_noise_sits_at_10_db_snr() -> None:
    x = _voice()
    noisy = augment.heldout_noise(x, np.random.default_rng(1))
    snr = 10 * np.log10(augment.active_power(x) / np.mean((noisy - x) ** 2))
    assert snr == pytest.approx(augment.TEST_SNR_DB, abs=1.5)  # active power vs the mean power


def test_the_held_out_rooms_are_image_source_rooms_of_rt60_0_6_s() -> None:
    pytest.importorskip("pyroomacoustics")
    from export.frames16k.rooms import N_HELDOUT_ROOMS, heldout_room_bank

    bank = heldout_room_bank()
    assert len(bank) == N_HELDOUT_ROOMS
    for rir in bank:
        energy = np.cumsum(rir[::-1] ** 2)[::-1]  # Schroeder backward integration
        edc = 10 * np.log10(energy / energy[0] + 1e-12)
        t20 = np.argmax(edc < -25) - np.argmax(edc < -5)  # samples for 20 dB of decay
        rt60 = 3 * t20 / SR
        assert 0.4 < rt60 < 1.0
    assert augment.TEST_VARIANTS == ("test_noise10", "test_room06")
    assert set(augment.TEST_VARIANTS) <= set(augment.VARIANTS)
