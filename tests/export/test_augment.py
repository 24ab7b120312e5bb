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


def test_the_training_rooms_span_rt60_0_2_to_1_s_and_are_none_of_the_held_out_rooms() -> None:
    pytest.importorskip("pyroomacoustics")
    from export.frames16k import rooms

    heldout = rooms.heldout_room_bank()
    first = rooms._bank(rooms.TRAINING_BANK_SEED, 4, rooms.TRAINING_DRAW)  # the bank's first 4 rooms
    for rir in first:
        energy = np.cumsum(rir[::-1] ** 2)[::-1]
        edc = 10 * np.log10(energy / energy[0] + 1e-12)
        rt60 = 3 * (np.argmax(edc < -25) - np.argmax(edc < -5)) / SR
        assert 0.1 < rt60 < 1.6
        assert not any(len(h) == len(rir) and np.allclose(h, rir) for h in heldout)
    y = augment.simulated_room(_voice(), np.random.default_rng(0))
    assert augment.active_power(y) == pytest.approx(augment.active_power(_voice()), rel=1e-6)


def test_babble_overlaps_the_given_talkers_at_5_to_20_db() -> None:
    x = _voice(2.0)
    t = np.arange(3 * SR) / SR
    talkers = [np.sin(2 * np.pi * f * t) * (1 + np.sin(2 * np.pi * 4 * t)) for f in (210.0, 330.0, 470.0)]
    for seed in range(5):
        y = augment.speech_babble(x, np.random.default_rng(seed), talkers)
        noise = y - x
        snr = 10 * np.log10(augment.active_power(x) / np.mean(noise**2))
        assert augment.BABBLE_SNR_DB[0] - 1.5 < snr < augment.BABBLE_SNR_DB[1] + 1.5
        spectrum = np.abs(np.fft.rfft(noise))
        freqs = np.fft.rfftfreq(len(noise), 1 / SR)
        assert np.min(np.abs(freqs[np.argmax(spectrum)] - np.array([210.0, 330.0, 470.0]))) < 2.0  # a talker
    alone = augment.speech_babble(x, np.random.default_rng(0))  # no talkers: stretches of x itself
    assert len(alone) == len(x) and not np.allclose(alone, x)


def test_trim_silence_cuts_the_quiet_ends_only() -> None:
    voice = _voice(0.5)
    x = np.concatenate([np.zeros(SR // 2), voice, 1e-4 * voice, np.zeros(SR // 4)])
    trimmed = augment.trim_silence(x)
    assert len(voice) <= len(trimmed) <= len(voice) + 800
    assert np.max(np.abs(trimmed)) == np.max(np.abs(voice))


def test_extraction_hands_babble_only_the_speakers_own_other_recordings(monkeypatch, tmp_path) -> None:
    extract = pytest.importorskip("export.frames16k.extract")
    from export.frames16k.corpus import Clip

    seen: dict[str, tuple] = {}

    def fake_work(job):
        clip, _, _, others = job
        seen[clip.path.name] = others
        return None

    monkeypatch.setattr(extract, "_work", fake_work)
    clips = [Clip(tmp_path / f"{s}_{k}.wav", s, 0, "c") for s in ("a", "b") for k in range(3)]
    extract.extract_all(clips, None, tmp_path / "cache", workers=1)  # type: ignore[arg-type]
    for clip in clips:
        others = seen[clip.path.name]
        assert clip.path not in others and len(others) == 2
        assert all(p.name.startswith(clip.speaker + "_") for p in others)
