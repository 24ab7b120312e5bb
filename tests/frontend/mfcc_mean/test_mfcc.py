"""ser_edge.frontend.mfcc_mean.mfcc equals librosa step by step on synthetic signals."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ser_edge.audio.resample import resample
from ser_edge.errors import AudioError, ContractError
from ser_edge.frontend.mfcc_mean.mel import apply_filterbank, mel_filterbank
from ser_edge.frontend.mfcc_mean.mfcc import (
    FRAME_BLOCK,
    extract,
    frame_count,
    frame_signal,
    mel_power,
    mfcc,
    mfcc_from_mel_power,
    mfcc_mean,
    power_spectrogram,
    power_to_db,
)
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

librosa = pytest.importorskip("librosa")

SPEC = MfccMeanSpec()
SR = SPEC.sample_rate


def _speechlike(seconds: float, seed: int = 0, sr: int = SR) -> np.ndarray:
    """Harmonics with a wandering pitch, an amplitude envelope and noise: float32 (n,)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 140 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 20))
    env = 0.5 * (1 + np.sin(2 * np.pi * 2.3 * t)) ** 2
    return (0.1 * env * voice + 0.005 * rng.standard_normal(len(t))).astype(np.float32)


def _librosa_mfcc(y: np.ndarray, spec: MfccMeanSpec = SPEC) -> np.ndarray:
    return librosa.feature.mfcc(
        y=y, sr=spec.sample_rate, n_mfcc=spec.n_mfcc, n_fft=spec.n_fft, hop_length=spec.hop_length,
        win_length=spec.win_length, center=spec.center, pad_mode=spec.pad_mode, n_mels=spec.n_mels,
        fmin=spec.fmin, fmax=spec.fmax, htk=spec.htk, norm="ortho",
    )


@pytest.mark.parametrize(
    ("sr", "n_fft", "n_mels", "fmin", "fmax", "htk", "norm"),
    [
        (22050, 2048, 128, 0.0, 11025.0, False, "slaney"),
        (16000, 512, 40, 20.0, 7600.0, False, "slaney"),
        (16000, 400, 64, 0.0, 8000.0, True, "slaney"),
        (8000, 256, 26, 300.0, 3700.0, True, None),
        (44100, 1024, 80, 50.0, 16000.0, False, None),
    ],
)
def test_filterbank_equals_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm) -> None:
    ours = mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk,
                              norm=norm, dtype=np.float64)
    assert ours.shape == (n_mels, n_fft // 2 + 1)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-14)
    assert not ours.flags.writeable
    assert mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm) is ours  # cached


def test_filterbank_rejects_unknown_norm() -> None:
    with pytest.raises(ContractError, match="mel_norm"):
        mel_filterbank(16000, 512, 40, 0.0, 8000.0, False, "l1")


@pytest.mark.parametrize("pad_mode", ["reflect", "constant"])
@pytest.mark.parametrize("win_length", [2048, 1024])
def test_power_spectrogram_equals_librosa(pad_mode: str, win_length: int) -> None:
    spec = dataclasses.replace(SPEC, pad_mode=pad_mode, win_length=win_length)
    y = _speechlike(1.3)
    ours = power_spectrogram(y, spec)
    ref = np.abs(librosa.stft(y.astype(np.float64), n_fft=2048, hop_length=512, win_length=win_length,
                              center=True, pad_mode=pad_mode)) ** 2
    assert ours.shape == ref.shape == (1025, frame_count(len(y), spec))
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12 * ref.max())


def test_power_spectrogram_uncentred() -> None:
    spec = dataclasses.replace(SPEC, center=False, power=1.0)
    y = _speechlike(0.5)
    ours = power_spectrogram(y, spec)
    ref = np.abs(librosa.stft(y.astype(np.float64), n_fft=2048, hop_length=512, center=False))
    assert ours.shape == ref.shape == (1025, frame_count(len(y), spec))
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12 * ref.max())


def test_frame_signal() -> None:
    frames = frame_signal(np.arange(10.0), 4, 3)
    assert frames.shape == (3, 4) and frames[2].tolist() == [6.0, 7.0, 8.0, 9.0]
    with pytest.raises(AudioError, match="too short"):
        frame_signal(np.arange(3.0), 4, 1)


@pytest.mark.parametrize(
    ("ref", "amin", "top_db"), [(1.0, 1e-10, 80.0), (0.5, 1e-5, 40.0), (1.0, 1e-10, None)]
)
def test_power_to_db_equals_librosa(ref: float, amin: float, top_db: float | None) -> None:
    S = np.abs(np.random.default_rng(0).standard_normal((20, 30))) ** 4
    S[0, 0] = 0.0
    ours = power_to_db(S, ref, amin, top_db)
    np.testing.assert_allclose(ours, librosa.power_to_db(S, ref=ref, amin=amin, top_db=top_db), atol=1e-10)
    if top_db is not None:
        assert ours.min() >= ours.max() - top_db - 1e-9  # clip relative to the whole input's max
    with pytest.raises(ContractError):
        power_to_db(S, amin=0.0)


def test_mel_power_equals_librosa() -> None:
    y = _speechlike(1.0, seed=4)
    ref = librosa.feature.melspectrogram(y=y.astype(np.float64), sr=SR, pad_mode="reflect", dtype=np.float64)
    np.testing.assert_allclose(mel_power(y, SPEC), ref, rtol=1e-8, atol=1e-12 * ref.max())


@pytest.mark.parametrize("seconds", [0.3, 1.0, 3.2])
def test_mfcc_equals_librosa(seconds: float) -> None:
    y = _speechlike(seconds, seed=int(seconds * 10))
    ours = mfcc(y, SPEC)
    ref = _librosa_mfcc(y)
    assert ours.shape == ref.shape == (40, frame_count(len(y), SPEC))
    assert np.abs(ours - ref).max() < 2e-3  # librosa is float32 from the STFT on
    means = mfcc_mean(y, SPEC)
    assert means.dtype == np.float32 and means.shape == (40,)
    assert np.abs(means - ref.mean(axis=1)).max() < 2e-4


def test_mfcc_from_mel_power_is_the_tail_of_mfcc() -> None:
    y = _speechlike(0.8, seed=9)
    assert np.array_equal(mfcc_from_mel_power(mel_power(y, SPEC), SPEC), mfcc(y, SPEC))


@pytest.mark.filterwarnings("ignore:n_fft=.*too large:UserWarning")
@pytest.mark.parametrize("n", [1, 2, 5, 100, 1023, 1024, 1025, 2048])
def test_short_inputs_like_librosa(n: int) -> None:
    """Reflect padding of input shorter than n_fft // 2 (numpy reflects repeatedly, as librosa)."""
    y = _speechlike(1.0, seed=n)[:n]
    ref = _librosa_mfcc(y)
    ours = mfcc(y, SPEC)
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < 5e-3


def test_extract_resamples_then_averages() -> None:
    y48 = _speechlike(1.0, seed=2, sr=48000)
    feats = extract(y48, 48000, SPEC)
    assert feats.dtype == np.float32 and feats.shape == (40,)
    assert np.array_equal(feats, mfcc_mean(resample(y48, 48000, SR, "kaiser_fast"), SPEC))
    poly = dataclasses.replace(SPEC, resampler="polyphase")
    assert np.array_equal(extract(y48, 48000, poly), mfcc_mean(resample(y48, 48000, SR, "polyphase"), SPEC))
    same = _speechlike(0.5)
    assert np.array_equal(extract(same, SR, SPEC), mfcc_mean(same, SPEC))


def test_extract_too_short_and_wrong_shape() -> None:
    with pytest.raises(AudioError, match="too short"):
        extract(np.zeros(1, dtype=np.float32), 48000, SPEC)
    with pytest.raises(AudioError, match="too short"):
        extract(np.zeros(0, dtype=np.float32), SR, SPEC)
    with pytest.raises(AudioError, match="mono"):
        extract(np.zeros((100, 2), dtype=np.float32), SR, SPEC)


def test_apply_filterbank_is_the_dense_product() -> None:
    power = power_spectrogram(_speechlike(0.4, seed=5), SPEC)
    dense = mel_filterbank(SR, 2048, 128, 0.0, 11025.0, False, "slaney") @ power
    np.testing.assert_allclose(apply_filterbank(power, SPEC), dense, rtol=1e-12, atol=1e-12 * dense.max())
    assert apply_filterbank(power[:, :1], SPEC).shape == (128, 1)  # one frame at a time (streaming)
    for n in (1, 4, 16, 17):  # up to FEW_FRAMES frames take the gather + reduceat path
        np.testing.assert_allclose(apply_filterbank(power[:, :n], SPEC), dense[:, :n], rtol=1e-12,
                                   atol=1e-12 * dense.max())


def test_mel_power_in_blocks_equals_whole() -> None:
    y = _speechlike(7.0, seed=6)  # > FRAME_BLOCK frames
    whole = mel_filterbank(SR, 2048, 128, 0.0, 11025.0, False, "slaney") @ power_spectrogram(y, SPEC)
    assert whole.shape[1] > FRAME_BLOCK
    np.testing.assert_allclose(mel_power(y, SPEC), whole, rtol=1e-12, atol=1e-12 * whole.max())


#: Runs in a fresh interpreter in which ``import scipy`` fails, as on an install without extras.
NO_SCIPY = """
import sys
sys.modules["scipy"] = None  # import scipy.* raises ImportError
from ser_edge.errors import MissingExtraError
from ser_edge.frontend.dsp import dct_matrix
from ser_edge.frontend.mfcc_mean.mfcc import analysis_window
assert analysis_window("hann", 400, 512).shape == (512,)  # the defaults need no scipy
assert dct_matrix(13, 40).shape == (13, 40)
for make in (lambda: analysis_window("hamming", 400, 512), lambda: dct_matrix(13, 40, 3)):
    try:
        make()
    except MissingExtraError as exc:
        print(exc)
"""


def test_exotic_settings_without_scipy_name_the_scipy_extra() -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", NO_SCIPY], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["the optional package 'scipy' is not installed: "
                                        "pip install 'ser-edge[scipy]'"] * 2
