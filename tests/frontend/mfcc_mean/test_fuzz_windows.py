"""Property-based fuzzing of the streaming resampler and the incremental window mode.

Properties: StreamResampler's output does not depend on how the stream is cut into blocks
and always has ``ceil(n * out / in)`` samples in total; the window-mode engine gives the same
events whatever the blocks and the gaps' positions, events are finite, within the stream and
at most a window long, and nothing but AudioError-free event lists come out.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ser_edge import EmotionClassifier
from ser_edge.audio.resample import StreamResampler, output_length
from ser_edge.config import StreamSpec
from ser_edge.stream import StreamEngine

from support.signals import noise, voiced

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
RATES = st.sampled_from([8000, 16000, 22050, 22051, 24414, 32000, 44100, 48000])  # 22051: no tap bank


def _cuts(n: int, fractions: list[float]) -> list[int]:
    return sorted({0, n, *(int(f * n) for f in fractions)})


@FUZZ
@given(rate=RATES, n=st.integers(0, 30_000), fractions=st.lists(st.floats(0, 1), max_size=12),
       seed=st.integers(0, 2**31 - 1))
def test_stream_resampler_blocks_do_not_matter(rate: int, n: int, fractions: list[float], seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    whole = StreamResampler(rate, 22050)
    ref = np.concatenate([whole.push(x), whole.flush()])
    cuts = _cuts(n, fractions)
    parts = StreamResampler(rate, 22050)
    y = np.concatenate([parts.push(x[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)] + [parts.flush()])
    assert len(y) == len(ref) == output_length(n, rate, 22050)
    assert np.all(np.isfinite(y)) and (n == 0 or np.abs(y - ref).max() <= 1e-9)


@pytest.fixture(scope="module")
def classifier(shipped_model) -> EmotionClassifier:
    return EmotionClassifier.load(shipped_model)


@FUZZ
@given(rate=RATES, talk=st.lists(st.floats(0.1, 2.5), min_size=1, max_size=3),
       block=st.integers(200, 9000), gap_at=st.floats(0, 1), gap=st.integers(0, 30_000),
       hop=st.sampled_from([0.25, 0.5, 1.0]), window=st.sampled_from([1.0, 2.0, 3.0]))
def test_window_mode_events_are_sane(classifier: EmotionClassifier, rate: int, talk: list[float], block: int,
                                     gap_at: float, gap: int, hop: float, window: float) -> None:
    parts = [noise(0.6, rate, -65.0, seed=1)]
    for k, seconds in enumerate(talk):
        parts += [voiced(seconds, rate, seed=k), noise(0.4, rate, -65.0, seed=k + 2)]
    x = np.concatenate(parts).astype(np.float32)
    spec = StreamSpec(mode="window", window=window, hop=hop)
    skip_from = int(gap_at * len(x))

    def events(step: int) -> list:
        engine = StreamEngine(classifier, rate, spec)
        cuts = sorted({*range(0, len(x), step), skip_from, len(x)})  # the gap falls on a cut
        out = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            offset = a + (gap if a >= skip_from else 0)  # samples lost once, mid-stream
            out += engine.process((offset, x[a:b]))
        out += engine.finish()
        lost = gap if skip_from < len(x) else 0
        assert engine.stats.duration == pytest.approx((len(x) + lost) / rate)
        return out

    got = events(block)
    total = (len(x) + (gap if skip_from < len(x) else 0)) / rate
    for e in got:
        assert 0.0 <= e.start < e.end <= total + 1e-9 and e.end - e.start <= window + 1e-3
        assert np.isfinite(e.confidence) and abs(sum(e.scores.values()) - 1.0) < 1e-3
    again = events(4800)
    assert [(round(e.start, 6), round(e.end, 6), e.label) for e in again] == \
        [(round(e.start, 6), round(e.end, 6), e.label) for e in got]
