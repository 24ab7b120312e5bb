"""ser_edge.audio.resample reproduces resampy 0.4.3 (librosa.load's res_type='kaiser_fast')."""

from __future__ import annotations

from functools import partial
from math import ceil
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly
from scipy.signal.windows import kaiser

from ser_edge.audio.resample import FILTERS, filter_table, interpolation_kernel, output_length, resample
from ser_edge.errors import AudioError, ContractError

RATE_PAIRS = [
    (48000, 22050), (24414, 22050), (44100, 22050), (16000, 22050), (8000, 22050),
    (11025, 22050), (96000, 22050), (192000, 22050), (22050, 16000), (44100, 48000),
]

#: Largest difference allowed from resampy. The implementation is bit-exact on x86_64
#: (measured 0.0); one float32 ulp of headroom for other platforms' libm/rounding.
TOLERANCE = 1e-6


#: Our method name -> resampy 0.4.3 filter arguments that reproduce it.
RESAMPY_FILTERS = {
    "kaiser_fast": {  # resampy <= 0.2.2's kaiser_fast, as a custom filter of resampy 0.4.3
        "filter": "sinc_window", "num_zeros": 16, "precision": 9, "rolloff": 0.85,
        "window": partial(kaiser, beta=8.555504641634386),
    },
    "resampy04_kaiser_fast": {"filter": "kaiser_fast"},
    "kaiser_best": {"filter": "kaiser_best"},
}


def resampy_reference(x: np.ndarray, sr_in: int, sr_out: int, method: str) -> np.ndarray:
    """resampy.resample with the filter our ``method`` stands for (skips without resampy)."""
    resampy = pytest.importorskip("resampy")
    return resampy.resample(x, sr_in, sr_out, **RESAMPY_FILTERS[method])


def _noise(n: int, seed: int) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


def test_every_filter_has_a_reference() -> None:
    assert set(RESAMPY_FILTERS) == set(FILTERS)


@pytest.mark.parametrize(
    ("method", "npz"), [("resampy04_kaiser_fast", "kaiser_fast"), ("kaiser_best", "kaiser_best")]
)
def test_filter_table_equals_resampy_npz(method: str, npz: str) -> None:
    resampy = pytest.importorskip("resampy")
    data = np.load(Path(resampy.__file__).parent / "data" / f"{npz}.npz")
    table, precision = filter_table(method)
    assert precision == int(data["precision"])
    assert table.shape == data["half_window"].shape
    assert table[0] == pytest.approx(float(data["rolloff"]), abs=1e-15)
    assert np.abs(table - data["half_window"]).max() < 1e-13


def test_training_filter_table_equals_resampy_sinc_window() -> None:
    pytest.importorskip("resampy")
    from resampy.filters import sinc_window

    args = {k: v for k, v in RESAMPY_FILTERS["kaiser_fast"].items() if k != "filter"}
    table, precision, _ = sinc_window(**args)
    assert precision == filter_table("kaiser_fast")[1] == 512
    assert np.abs(filter_table("kaiser_fast")[0] - table).max() < 1e-15  # numpy vs scipy i0: last bit


@pytest.mark.parametrize("method", sorted(FILTERS))
@pytest.mark.parametrize(("sr_in", "sr_out"), RATE_PAIRS)
def test_equals_resampy_on_noise(sr_in: int, sr_out: int, method: str) -> None:
    x = _noise(sr_in // 4 + 7, sr_in)
    ours = resample(x, sr_in, sr_out, method)
    ref = resampy_reference(x, sr_in, sr_out, method)
    size = ceil(len(x) * sr_out / sr_in)
    assert ours.dtype == np.float32 and ours.shape == (size,)
    assert len(ref) in (size, size - 1)
    diff = np.abs(ours[:len(ref)] - ref).max()
    print(f"{sr_in}->{sr_out} {method}: max |ours - resampy| = {diff:.3g}")
    assert diff <= TOLERANCE
    assert np.all(ours[len(ref):] == 0)  # librosa's fix_length pads with zeros


def test_equals_librosa_load_on_examples(example_wavs: list[Path]) -> None:
    librosa = pytest.importorskip("librosa")
    pytest.importorskip("resampy")
    from ser_edge.audio.read import read_audio

    for path in example_wavs:
        samples, rate = read_audio(path)
        ref, _ = librosa.load(path, sr=22050, res_type="kaiser_fast")
        ours = resample(samples, rate, 22050, "resampy04_kaiser_fast")
        assert ours.shape == ref.shape
        diff = np.abs(ours - ref).max()
        print(f"{path.name} ({rate} Hz): max |ours - librosa.load| = {diff:.3g}")
        assert diff <= TOLERANCE


@pytest.mark.parametrize("method", sorted(FILTERS))
def test_short_inputs_match_resampy(method: str) -> None:
    for n in (3, 10, 50, 200):
        x = _noise(n, n)
        ref = resampy_reference(x, 48000, 22050, method)
        ours = resample(x, 48000, 22050, method)
        assert np.abs(ours[:len(ref)] - ref).max() <= TOLERANCE


def test_identity_and_length() -> None:
    x = np.arange(10, dtype=np.float64)
    y = resample(x, 22050, 22050)
    assert y.dtype == np.float32 and np.array_equal(y, x)
    for n in range(0, 2000, 37):
        for sr_in, sr_out in RATE_PAIRS:
            assert output_length(n, sr_in, sr_out) == int(np.ceil(n * (float(sr_out) / sr_in)))
    assert resample(_noise(4800, 1), 48000, 22050).shape == (2205,)


def test_polyphase_is_scipy_resample_poly() -> None:
    x = _noise(4410, 3)
    y = resample(x, 44100, 22050, "polyphase")
    ref = resample_poly(x.astype(np.float64), 1, 2)
    assert y.shape == (2205,) and np.allclose(y, ref[:2205], atol=1e-6)


def test_bad_arguments() -> None:
    with pytest.raises(ContractError, match="kaiser_fast"):  # typed errors (issue 12), not ValueError
        resample(np.zeros(10), 48000, 22050, "sinc")
    with pytest.raises(AudioError, match="positive"):
        resample(np.zeros(10), 0, 22050)
    with pytest.raises(AudioError, match="mono"):
        resample(np.zeros((10, 2)), 48000, 22050)


@pytest.mark.parametrize(("sr_in", "sr_out"), RATE_PAIRS)
def test_tap_tables_stay_small(sr_in: int, sr_out: int) -> None:
    """Awkward ratios (24414 -> 22050 is 3675/4069) must not build per-phase tables of that size."""
    for method in FILTERS:
        k = interpolation_kernel(method, sr_in, sr_out)
        assert k.win_t.nbytes + k.delta_t.nbytes < 8 * 2**20
        assert not k.win_t.flags.writeable
