"""StreamResampler: a stream resampled block by block equals resample() of the whole of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import StreamResampler, output_length, resample
from ser_edge.errors import AudioError, ContractError

#: resample() recomputes some outputs with resampy's float rounding of the sample time and
#: rounds to float32; the stream keeps float64 and the exact phase. Measured: <= 6e-8.
TOLERANCE = 1e-6


def _run(x: np.ndarray, sr_in: int, block: int, sr_out: int = 22050,
         method: str = "kaiser_fast") -> np.ndarray:
    stream = StreamResampler(sr_in, sr_out, method)
    parts = [stream.push(x[i:i + block]) for i in range(0, len(x), block)]
    parts.append(stream.flush())
    assert stream.received == len(x) and stream.emitted == sum(len(p) for p in parts)
    return np.concatenate(parts)


@pytest.mark.parametrize("rate", [48000, 44100, 32000, 24414, 16000, 8000])
def test_equals_resample_of_the_whole_stream(rate: int) -> None:
    x = (0.3 * np.random.default_rng(rate).standard_normal(2 * rate + 123)).astype(np.float32)
    ref = resample(x, rate, 22050)
    outputs = [_run(x, rate, block) for block in (7, 480, 4096, len(x))]
    for y in outputs:
        assert len(y) == len(ref) == output_length(len(x), rate, 22050)
        assert np.abs(y - ref).max() <= TOLERANCE
    for y in outputs[1:]:  # the blocks do not matter
        assert np.abs(y - outputs[0]).max() <= 1e-12


def test_equals_resample_on_speech(example_wavs: list[Path]) -> None:
    x, rate = read_audio(example_wavs[0])
    x = x.mean(axis=1) if x.ndim == 2 else x
    for method in ("kaiser_fast", "resampy04_kaiser_fast"):
        ref = resample(x, rate, 22050, method)
        assert np.abs(_run(x, rate, 2400, method=method) - ref).max() <= TOLERANCE


def test_one_sample_blocks_and_upsampling() -> None:
    x = (0.3 * np.random.default_rng(1).standard_normal(4000)).astype(np.float32)
    assert np.abs(_run(x, 16000, 1) - resample(x, 16000, 22050)).max() <= TOLERANCE


def test_input_needed_is_when_outputs_arrive() -> None:
    stream = StreamResampler(48000, 22050)
    target = 22050
    need = stream.input_needed(target)
    x = np.zeros(need)
    assert len(stream.push(x[:-1])) < target  # one sample short: not yet
    assert stream.emitted + len(stream.push(x[-1:])) >= target
    assert stream.input_needed(0) == 0


def test_equal_rates_pass_through_and_short_streams() -> None:
    x = np.arange(10, dtype=np.float32)
    same = StreamResampler(22050, 22050)
    assert np.array_equal(same.push(x), x) and same.flush().size == 0
    assert same.input_needed(5) == 5
    short = StreamResampler(48000, 22050)
    y = np.concatenate([short.push(np.ones(5)), short.flush()])
    assert len(y) == output_length(5, 48000, 22050) and np.allclose(y, resample(np.ones(5), 48000, 22050))
    empty = StreamResampler(48000, 22050)
    assert empty.flush().size == 0


def test_reset_starts_a_new_stream() -> None:
    x = (0.3 * np.random.default_rng(2).standard_normal(10_000)).astype(np.float32)
    stream = StreamResampler(48000, 22050)
    first = np.concatenate([stream.push(x), stream.flush()])
    stream.reset()
    again = np.concatenate([stream.push(x), stream.flush()])
    assert np.array_equal(first, again)


@pytest.mark.parametrize(("sr_in", "method"), [(22051, "kaiser_fast"), (48000, "kaiser_best"),
                                                (48000, "polyphase"), (16000, "polyphase")])
def test_pairs_without_a_tap_bank_equal_resample(sr_in: int, method: str) -> None:
    """No tap bank (22050 phases; kaiser_best; polyphase): period by period with context,
    still the output of resample() on the whole stream, whatever the blocks."""
    x = (0.3 * np.random.default_rng(sr_in).standard_normal(2 * sr_in + 123)).astype(np.float32)
    ref = resample(x, sr_in, 22050, method)
    for block in (333, 4800, len(x)):
        y = _run(x, sr_in, block, method=method)
        assert not StreamResampler(sr_in, 22050, method).banked
        assert len(y) == len(ref) and np.abs(y - ref).max() <= TOLERANCE


def test_bad_arguments_are_refused() -> None:
    assert StreamResampler(48000, 22050).banked
    with pytest.raises(ContractError, match="resampler: expected one of .*'polyphase'.*got 'sinc'"):
        StreamResampler(48000, 22050, "sinc")  # the error resample() gives (the model names its method)
    with pytest.raises(AudioError, match="positive"):
        StreamResampler(0, 22050)
