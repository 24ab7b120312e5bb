"""The per-phase tap bank (fast path of ser_edge.audio.resample) equals the exact per-sample loop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import BANK_METHODS, resample, resample_exact, tap_bank

#: Largest allowed difference from the exact (resampy bit-exact) loop: float64 sums of the
#: same weights vs resampy's float32 running sums; measured ~3e-7 on speech at full scale.
TOLERANCE = 1e-6


def _speech(audio_dir: Path, example_wavs: list[Path]) -> dict[int, np.ndarray]:
    """Real recordings at 48000 and 24414 Hz, and 44100/16000 Hz made from the 48 kHz one."""
    pytest.importorskip("soundfile")
    ravdess = sorted((audio_dir / "ravdess").glob("Actor_0*/*.flac"))[0]
    tess = sorted((audio_dir / "tess").glob("*/*.flac"))[0]
    x48, r48 = read_audio(ravdess)
    x24, r24 = read_audio(tess)
    assert (r48, r24) == (48000, 24414)
    wav, rate = read_audio(example_wavs[0])
    out = {48000: x48, 24414: x24, rate: wav}
    for target in (44100, 16000):
        out[target] = resample_exact(x48, 48000, target, "kaiser_fast")
    return out


@pytest.mark.parametrize("method", BANK_METHODS)
def test_bank_equals_exact_loop_on_speech(audio_dir: Path, example_wavs: list[Path], method: str) -> None:
    signals = _speech(audio_dir, example_wavs)
    assert {48000, 44100, 24414, 16000} <= set(signals)
    for rate, x in signals.items():
        assert tap_bank(method, rate, 22050) is not None  # the fast path is really taken
        fast = resample(x, rate, 22050, method)
        exact = resample_exact(x, rate, 22050, method)
        diff = np.abs(fast[:len(exact)] - exact).max()
        print(f"{rate} -> 22050 {method}: max |bank - exact| = {diff:.3g} over {len(exact)} samples")
        assert diff <= TOLERANCE
        assert np.abs(exact).max() > 0.01  # real speech, not near-silence


@pytest.mark.parametrize(("sr_in", "sr_out"), [(48000, 22050), (22050, 16000), (44100, 48000), (8000, 22050)])
def test_bank_equals_exact_loop_at_full_scale(sr_in: int, sr_out: int) -> None:
    """Full-scale noise, both edges and every phase (also exact phase-0 points)."""
    x = np.random.default_rng(sr_in).uniform(-1, 1, sr_in + 13).astype(np.float32)
    for method in BANK_METHODS:
        fast = resample(x, sr_in, sr_out, method)
        exact = resample_exact(x, sr_in, sr_out, method)
        assert np.abs(fast[:len(exact)] - exact).max() <= TOLERANCE


def test_many_phase_ratio_falls_back_to_exact_loop() -> None:
    """A ratio with more output phases than the bank allows still resamples (exact loop)."""
    assert tap_bank("kaiser_fast", 22051, 22050) is None
    x = np.random.default_rng(1).standard_normal(3000).astype(np.float32)
    assert np.array_equal(resample(x, 22051, 22050)[:2999], resample_exact(x, 22051, 22050, "kaiser_fast"))


def test_straggler_search_is_kept_for_short_outputs_and_extended_for_long_ones():
    """The search is cached per rate pair up to STRAGGLER_CACHE outputs; a longer input goes
    on from the cached part and gives what a fresh search gives, without being kept."""
    from ser_edge.audio.resample import STRAGGLER_CACHE, StragglerSearch, straggler_search

    bank = tap_bank("kaiser_fast", 48000, 22050)
    straggler_search.cache_clear()
    search = straggler_search("kaiser_fast", 48000, 22050)
    short = search.below(bank, 100_000)
    assert search.searched == 100_000 and short.size > 0
    assert straggler_search("kaiser_fast", 48000, 22050) is search
    long = search.below(bank, STRAGGLER_CACHE + 50_000)
    assert search.searched == 100_000  # not kept
    fresh = StragglerSearch("kaiser_fast", 48000, 22050).below(bank, STRAGGLER_CACHE + 50_000)
    assert np.array_equal(long, fresh) and np.array_equal(long[:short.size], short)
