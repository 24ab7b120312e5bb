"""resample_polyphase / resample(..., "polyphase") / StreamResampler(..., "polyphase") equal
scipy.signal.resample_poly (default Kaiser window, zero padding, float64) without importing it."""

from __future__ import annotations

import subprocess
import sys
from math import gcd

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import firwin, resample_poly

from ser_edge.audio.resample import (
    StreamResampler,
    output_length,
    polyphase_filter,
    resample,
    resample_polyphase,
)
from ser_edge.errors import AudioError

TOLERANCE = 1e-9
TARGET = 16000
RATES = (48000, 44100, 22050, 24414, 8000, 11025, 16000, 32000)


def _ratio(sr_in: int, sr_out: int = TARGET) -> tuple[int, int]:
    g = gcd(sr_in, sr_out)
    return sr_out // g, sr_in // g


def _signal(kind: str, n: int, rate: int, seed: int = 0) -> np.ndarray:
    """0.5-amplitude white noise, or a chirp sweeping 50 Hz .. Nyquist (float64, (n,))."""
    if kind == "noise":
        return 0.5 * np.random.default_rng(seed).standard_normal(n)
    t = np.arange(n) / rate
    sweep = (rate / 2 - 50) / max(t[-1] if n else 1.0, 1e-9)
    return 0.9 * np.sin(2 * np.pi * (50 * t + 0.5 * sweep * t * t))


def _streamed(x: np.ndarray, sr_in: int, blocks: list[int], sr_out: int = TARGET) -> np.ndarray:
    stream = StreamResampler(sr_in, sr_out, "polyphase")
    parts, i, b = [], 0, 0
    while i < len(x):
        size = blocks[b % len(blocks)]
        parts.append(stream.push(x[i:i + size]))
        i, b = i + size, b + 1
    parts.append(stream.flush())
    assert stream.emitted == output_length(len(x), sr_in, sr_out, "polyphase")
    return np.concatenate(parts)


@pytest.mark.parametrize("up_down", [(1, 3), (160, 441), (1, 2), (3, 2), (8000, 12207)])
def test_filter_is_scipy_firwin(up_down: tuple[int, int]) -> None:
    up, down = up_down
    half = 10 * max(up, down)
    ref = firwin(2 * half + 1, 1.0 / max(up, down), window=("kaiser", 5.0)) * up
    ours = polyphase_filter(up, down)
    assert ours.shape == ref.shape and np.abs(ours - ref).max() <= 1e-15 * up


@pytest.mark.parametrize("kind", ["noise", "chirp"])
@pytest.mark.parametrize("sr_in", RATES)
def test_whole_buffer_equals_resample_poly(sr_in: int, kind: str) -> None:
    x = _signal(kind, 10 * sr_in + 7, sr_in, seed=sr_in)
    ref = resample_poly(x, *_ratio(sr_in))
    y = resample_polyphase(x, *_ratio(sr_in))
    assert y.dtype == np.float64 and y.shape == ref.shape
    assert np.abs(y - ref).max() <= TOLERANCE
    y32 = resample(x, sr_in, TARGET, "polyphase")  # float32 of the same samples
    assert y32.dtype == np.float32 and y32.shape == ref.shape
    assert np.abs(y32 - ref).max() <= 1e-6


@pytest.mark.parametrize("n", [0, 1, 2, 10, 61, 200])
@pytest.mark.parametrize("sr_in", RATES)
def test_short_inputs_equal_resample_poly(sr_in: int, n: int) -> None:
    x = _signal("noise", n, sr_in, seed=n)
    ref = resample_poly(x, *_ratio(sr_in)) if n else np.zeros(0)
    y = resample_polyphase(x, *_ratio(sr_in))
    assert y.shape == ref.shape and np.abs(y - ref).max(initial=0.0) <= TOLERANCE
    assert np.abs(_streamed(x, sr_in, [3]) - ref).max(initial=0.0) <= TOLERANCE


def test_length_is_scipy_where_the_float_ceiling_is_one_more() -> None:
    """44100 -> 48000 Hz, 147 samples: ceil(147 * (48000 / 44100)) in float64 is 161, scipy
    gives exactly 160 (before: resample() padded one zero sample)."""
    x = _signal("noise", 147, 44100)
    ref = resample_poly(x, 160, 147)
    assert len(ref) == 160 == output_length(147, 44100, 48000, "polyphase")
    assert output_length(147, 44100, 48000) == 161  # librosa's rule for the resampy methods
    assert resample(x, 44100, 48000, "polyphase").shape == (160,)
    assert len(_streamed(x, 44100, [50], 48000)) == 160


@pytest.mark.parametrize("sr_in", RATES)
def test_stream_supports_every_pair(sr_in: int) -> None:
    assert StreamResampler.supports(sr_in, TARGET, "polyphase")
    assert StreamResampler.supports(TARGET, sr_in, "polyphase")
    assert not StreamResampler(sr_in, TARGET, "polyphase").banked
    assert not StreamResampler.supports(sr_in, 0, "polyphase")
    assert not StreamResampler.supports(sr_in, TARGET, "sinc")


@settings(max_examples=25, deadline=None)
@given(sr_in=st.sampled_from(RATES), kind=st.sampled_from(["noise", "chirp"]),
       seconds=st.floats(0.0, 2.0), blocks=st.lists(st.integers(1, 20000), min_size=1, max_size=8))
def test_stream_equals_resample_poly_whatever_the_blocks(sr_in, kind, seconds, blocks) -> None:
    x = _signal(kind, int(seconds * sr_in), sr_in, seed=len(blocks))
    ref = resample_poly(x, *_ratio(sr_in)) if len(x) else np.zeros(0)
    y = _streamed(x, sr_in, blocks)
    assert y.shape == ref.shape and np.abs(y - ref).max(initial=0.0) <= TOLERANCE


def test_upsampling_to_other_rates_equals_resample_poly() -> None:
    x = _signal("chirp", 3000, 16000)
    for sr_out in (22050, 24414, 44100, 48000):
        ref = resample_poly(x, *_ratio(16000, sr_out))
        assert np.abs(resample_polyphase(x, *_ratio(16000, sr_out)) - ref).max() <= TOLERANCE
        assert np.abs(_streamed(x, 16000, [777, 1], sr_out) - ref).max() <= TOLERANCE


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(AudioError, match="shape"):
        resample_polyphase(np.zeros((2, 10)), 1, 3)
    with pytest.raises(AudioError, match="up and down"):
        resample_polyphase(np.zeros(10), 0, 3)


def test_no_scipy_signal_import() -> None:
    """resample(..., "polyphase") and a polyphase stream leave scipy.signal unimported
    (before: resample() imported scipy.signal.resample_poly, ~0.6 s on the listen path)."""
    code = (
        "import sys, numpy as np\n"
        "from ser_edge.audio.resample import StreamResampler, resample\n"
        "x = np.random.default_rng(0).standard_normal(48000)\n"
        "y = resample(x, 48000, 16000, 'polyphase')\n"
        "s = StreamResampler(44100, 16000, 'polyphase')\n"
        "z = np.concatenate([s.push(x[:1000]), s.push(x[1000:]), s.flush()])\n"
        "assert len(y) == 16000 and len(z) == len(resample(x, 44100, 16000, 'polyphase'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy.signal')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
