"""IncrementalMfcc gives, window by window, exactly features.mfcc_mean of the same samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import resample
from ser_edge.errors import AudioError
from ser_edge.frontend.mfcc_mean.incremental import IncrementalMfcc
from ser_edge.frontend.mfcc_mean.mfcc import mfcc_mean
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

TOLERANCE = 1e-4


def _stream(example_wavs: list[Path], rate: int) -> np.ndarray:
    """The example recordings at the model rate, one after the other, with a quiet gap."""
    parts = []
    for path in example_wavs:
        x, sr = read_audio(path)
        parts += [resample(x, sr, rate), np.zeros(rate // 3, dtype=np.float32)]
    return np.concatenate(parts)


def _check(stream: np.ndarray, spec: MfccMeanSpec, window: float, hop: float, block: int,
           remove_dc: bool = False) -> int:
    inc = IncrementalMfcc(spec, window, hop, remove_dc=remove_dc)
    got = [w for i in range(0, len(stream), block) for w in inc.push(stream[i:i + block])]
    expected = (len(stream) - inc.window_samples) // inc.hop_samples + 1
    assert len(got) == expected
    for k, w in enumerate(got):
        assert (w.start, w.end) == (k * inc.hop_samples, k * inc.hop_samples + inc.window_samples)
        samples = stream[w.start:w.end]
        ref = mfcc_mean(samples - samples.mean() if remove_dc else samples, spec)
        assert w.features.dtype == np.float32 and w.features.shape == (spec.n_mfcc,)
        assert np.abs(w.features - ref).max() <= TOLERANCE, k
    return len(got)


@pytest.mark.parametrize(("window", "hop", "block"), [(3.0, 1.0, 1102), (3.0, 0.5, 4096), (2.0, 0.25, 777),
                                                       (1.0, 1.5, 5000)])
def test_equals_mfcc_mean_on_speech(example_wavs: list[Path], window: float, hop: float, block: int) -> None:
    spec = MfccMeanSpec()
    stream = _stream(example_wavs, spec.sample_rate)
    assert _check(stream, spec, window, hop, block) >= 3


def test_top_db_clip_is_per_window() -> None:
    """A loud burst in one window must not clip the quiet frames of the other windows."""
    spec = MfccMeanSpec()
    rng = np.random.default_rng(0)
    stream = 1e-4 * rng.standard_normal(8 * spec.sample_rate)
    stream[spec.sample_rate:spec.sample_rate + 3000] += 0.9 * np.sin(np.arange(3000) * 0.3)
    _check(stream, spec, 2.0, 0.5, 10_000)


def test_other_specs_and_edges() -> None:
    """No top_db, center=False (no edge frames), and a block of 1 sample."""
    rng = np.random.default_rng(1)
    specs = (MfccMeanSpec(top_db=None), MfccMeanSpec(center=False),
             MfccMeanSpec(n_fft=1024, win_length=1024, hop_length=256))
    for spec in specs:
        _check(0.1 * rng.standard_normal(3 * spec.sample_rate), spec, 1.0, 0.3, 3001)
    spec = MfccMeanSpec()
    _check(0.1 * rng.standard_normal(spec.sample_rate + 600), spec, 0.2, 0.05, 1)


def test_hop_is_whole_frames_and_reset() -> None:
    spec = MfccMeanSpec()
    inc = IncrementalMfcc(spec, 3.0, 1.0)
    assert inc.hop_samples == 43 * spec.hop_length and inc.window_samples == 66150
    x = 0.1 * np.random.default_rng(2).standard_normal(70_000)
    first = inc.push(x)
    inc.reset()
    again = inc.push(x)
    assert len(first) == len(again) == 1 and np.array_equal(first[0].features, again[0].features)
    with pytest.raises(AudioError):
        IncrementalMfcc(spec, 0.05, 0.01)
    with pytest.raises(AudioError):
        inc.push(np.zeros((10, 2)))


@pytest.mark.parametrize("offset", [0.0, 0.05, -0.3])
def test_remove_dc_equals_mfcc_mean_of_the_dc_free_window(example_wavs: list[Path], offset: float) -> None:
    """With remove_dc, each window is as if its own mean had been subtracted before the STFT,
    including a DC offset that changes within the stream (so every window's mean differs)."""
    spec = MfccMeanSpec()
    stream = _stream(example_wavs, spec.sample_rate).astype(np.float64) + offset
    stream[len(stream) // 3:len(stream) // 2] += 0.2
    assert _check(stream, spec, 3.0, 1.0, 2205, remove_dc=True) >= 3
    assert _check(stream, spec, 2.0, 0.5, 10_000, remove_dc=True) >= 3


def test_remove_dc_changes_only_the_bands_a_constant_reaches() -> None:
    """For the Hann window a constant reaches rfft bins 0 and 1, which feed mel band 0 only."""
    inc = IncrementalMfcc(MfccMeanSpec(), 3.0, 1.0, remove_dc=True)
    assert inc._bins.tolist() == [0, 1] and inc._bands.tolist() == [0]
    assert IncrementalMfcc(MfccMeanSpec(), 3.0, 1.0)._bins.size == 0


@pytest.mark.parametrize("pad_mode", ["constant", "edge", "symmetric", "wrap"])
def test_edge_frames_for_other_pad_modes(pad_mode: str) -> None:
    """Edge frames padded from the window's ends (or the whole window for 'wrap') are exact."""
    spec = MfccMeanSpec(pad_mode=pad_mode)
    x = 0.1 * np.random.default_rng(3).standard_normal(3 * spec.sample_rate) + 0.02
    _check(x, spec, 1.0, 0.3, 4000)
    _check(x, spec, 1.0, 0.3, 4000, remove_dc=True)


def test_reflect_padding_shortcut_equals_np_pad() -> None:
    from ser_edge.frontend.mfcc_mean.incremental import fast_pad

    x = np.random.default_rng(4).standard_normal(12)
    for before, after in ((3, 0), (0, 3), (0, 0), (11, 11), (2, 5)):
        for mode in ("reflect", "constant", "edge"):
            assert np.array_equal(fast_pad(x, before, after, mode), np.pad(x, (before, after), mode=mode))
