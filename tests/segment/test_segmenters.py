"""Segmenters on synthetic signals: speech-like bursts in noise, silence, hysteresis, max length."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.config import StreamSpec
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.frontend.mfcc_mean.windows import WindowFeatureStream
from ser_edge.segment.utterances import UtteranceSegmenter

from support.signals import BURST_TIMES, bursts, noise


def make_segmenter(spec: StreamSpec, rate: int):
    """The segmenter of ``spec.mode``: utterances, or the MFCC-mean frontend's window stream."""
    if spec.mode == "utterance":
        return UtteranceSegmenter(spec, rate)
    return WindowFeatureStream(spec, MfccMeanSpec(), rate)


def run(segmenter, x: np.ndarray, block: int = 1024) -> list:
    out = []
    for i in range(0, len(x), block):
        out += segmenter.push(x[i:i + block])
    return out + segmenter.flush()


@pytest.mark.parametrize("rate", [16000, 22050, 48000])
def test_each_burst_is_one_utterance_with_its_timing(rate):
    spec = StreamSpec()
    segs = run(UtteranceSegmenter(spec, rate), bursts(rate, BURST_TIMES, 11.0))
    assert len(segs) == len(BURST_TIMES)
    for seg, (a, b) in zip(segs, BURST_TIMES, strict=True):
        assert seg.start / rate == pytest.approx(a, abs=0.1)
        assert seg.end / rate == pytest.approx(b, abs=0.15)
        # padded with context on both sides, decided after the hang-over
        context = (spec.pre_context + spec.post_context) * rate
        assert len(seg.samples) == pytest.approx(seg.end - seg.start + context, abs=1)
        assert seg.decided_at >= seg.end + spec.hangover * rate - 1


def test_block_size_does_not_change_the_segments():
    rate = 16000
    x = bursts(rate, BURST_TIMES, 11.0)
    whole = run(UtteranceSegmenter(StreamSpec(), rate), x, block=len(x))
    for block in (1, 317, 4096):
        if block == 1:
            x_short = x[: rate * 3]
            ref = run(UtteranceSegmenter(StreamSpec(), rate), x_short, block=len(x_short))
            got = run(UtteranceSegmenter(StreamSpec(), rate), x_short, block=block)
        else:
            ref, got = whole, run(UtteranceSegmenter(StreamSpec(), rate), x, block=block)
        assert [(s.start, s.end) for s in got] == [(s.start, s.end) for s in ref]
        assert all(np.array_equal(a.samples, b.samples) for a, b in zip(got, ref, strict=True))


@pytest.mark.parametrize("level_db", [-75.0, -60.0, -45.0, -30.0])
def test_steady_noise_and_silence_give_nothing(level_db):
    rate = 16000
    for mode in ("utterance", "window"):
        seg = make_segmenter(StreamSpec(mode=mode), rate)
        assert run(seg, noise(20.0, rate, level_db)) == []
        assert run(make_segmenter(StreamSpec(mode=mode), rate), np.zeros(rate * 5, np.float32)) == []


def test_noise_floor_adapts_to_louder_noise():
    rate = 16000
    spec = StreamSpec()
    quiet, loud = noise(6.0, rate, -60.0), noise(24.0, rate, -35.0, seed=9)
    step = run(UtteranceSegmenter(spec, rate), np.concatenate([quiet, loud]))
    # the step up is heard at most once; once the floor has followed it, the noise is quiet again
    assert len(step) <= 1
    assert all(s.end / rate < 6.0 + spec.floor_seconds + spec.max_utterance for s in step)
    # speech 20 dB over the louder noise is still found, burst by burst
    loud = bursts(rate, BURST_TIMES, 11.0, noise_db=-35.0, speech_db=-15.0)
    segs = run(UtteranceSegmenter(spec, rate), loud)
    assert len(segs) == len(BURST_TIMES)


def _levels(rate: int, parts: list[tuple[float, float]]) -> np.ndarray:
    """Noise at -60 dBFS plus a second noise at (seconds, level dBFS) parts (None = nothing)."""
    out = [noise(s, rate, -60.0, seed=i) + (0 if db is None else noise(s, rate, db, seed=50 + i))
           for i, (s, db) in enumerate(parts)]
    return np.concatenate(out).astype(np.float32)


def test_hysteresis_keeps_a_dip_between_thresholds_in_one_utterance():
    rate, spec = 16000, StreamSpec(start_db=12.0, stop_db=6.0)
    # loud (+15 dB over the floor), a 1 s dip to +8.6 dB (between stop and start), loud again
    x = _levels(rate, [(2.0, None), (0.6, -45.0), (1.0, -52.0), (0.6, -45.0), (2.0, None)])
    segs = run(UtteranceSegmenter(spec, rate), x)
    assert len(segs) == 1
    assert segs[0].start / rate == pytest.approx(2.0, abs=0.05)
    assert segs[0].end / rate == pytest.approx(4.2, abs=0.05)
    # the same dip level alone never starts speech; below the stop threshold the dip splits it
    assert run(UtteranceSegmenter(spec, rate), _levels(rate, [(2.0, None), (3.0, -52.0), (2.0, None)])) == []
    split = _levels(rate, [(2.0, None), (0.6, -45.0), (1.0, -70.0), (0.6, -45.0), (2.0, None)])
    assert len(run(UtteranceSegmenter(spec, rate), split)) == 2


def test_short_clicks_are_not_utterances():
    rate = 16000
    x = _levels(rate, [(2.0, None), (0.1, -30.0), (2.0, None), (0.08, -20.0), (2.0, None)])
    assert run(UtteranceSegmenter(StreamSpec(min_speech=0.25), rate), x) == []


def test_long_speech_is_cut_at_max_length():
    rate = 16000
    spec = StreamSpec(max_utterance=4.0, floor_seconds=30.0)
    x = _levels(rate, [(1.0, None), (10.0, -30.0), (1.0, None)])
    segs = run(UtteranceSegmenter(spec, rate), x)
    assert len(segs) == 3
    lengths = [(s.end - s.start) / rate for s in segs]
    assert lengths[0] == pytest.approx(4.0, abs=0.03) and lengths[1] == pytest.approx(4.0, abs=0.03)
    assert lengths[2] == pytest.approx(2.0, abs=0.1)
    assert [s.start for s in segs[1:]] == [s.end for s in segs[:-1]]  # contiguous pieces


def test_gap_closes_the_open_utterance_and_moves_the_clock():
    rate = 16000
    seg = UtteranceSegmenter(StreamSpec(), rate)
    x = bursts(rate, [(1.0, 3.0)], 3.0)
    assert seg.push(x) == []  # still speaking at the end of the block
    closed = seg.gap(rate)  # one second lost
    assert len(closed) == 1 and closed[0].start / rate == pytest.approx(1.0, abs=0.1)
    later = seg.push(bursts(rate, [(1.0, 2.0)], 4.0)) + seg.flush()
    assert len(later) == 1 and later[0].start / rate == pytest.approx(5.0, abs=0.1)


def test_windows_only_where_there_is_speech():
    rate = 16000
    spec = StreamSpec(mode="window", window=2.0, hop=1.0)
    segs = run(make_segmenter(spec, rate), bursts(rate, [(6.0, 7.5)], 14.0))
    assert segs, "the burst must be classified"
    for s in segs:
        assert s.end - s.start == pytest.approx(2.0, abs=1e-3) and s.speech
        assert s.start < 7.5 and s.end > 6.0  # each window holds some of the burst
    ends = [s.end for s in segs]
    assert ends == sorted(ends) and np.allclose(np.diff(ends), 1.0, atol=0.03)


def test_window_mode_flushes_a_short_stream_with_speech():
    rate = 16000
    segs = run(make_segmenter(StreamSpec(mode="window", window=3.0), rate), bursts(rate, [(0.5, 1.5)], 2.0))
    assert len(segs) == 1 and segs[0].start == 0 and segs[0].end == pytest.approx(2.0)


def test_a_dc_offset_is_neither_speech_nor_in_the_way():
    rate = 16000
    stepped = noise(20.0, rate, -60.0)
    stepped[5 * rate:] += 0.3  # a DC step of -10 dBFS
    assert run(UtteranceSegmenter(StreamSpec(), rate), stepped) == []
    clean = bursts(rate, BURST_TIMES, 11.0)
    shifted = run(UtteranceSegmenter(StreamSpec(), rate), clean + np.float32(0.2))
    assert [(s.start, s.end) for s in shifted] == [(s.start, s.end) for s in run(
        UtteranceSegmenter(StreamSpec(), rate), clean)]


def test_noise_floor_is_the_minimum_of_the_last_levels():
    """The O(1) sliding minimum equals min() over the last floor_seconds of (non-silent) levels."""
    from collections import deque

    from ser_edge.segment.gate import DIGITAL_SILENCE_DB, EnergyGate

    spec = StreamSpec(floor_seconds=0.5)  # 25 frames
    gate = EnergyGate(spec, 16000)
    rng = np.random.default_rng(4)
    levels = rng.uniform(-90, -10, 2000)
    levels[rng.random(2000) < 0.05] = -200.0  # digital silence is not remembered
    naive: deque[float] = deque(maxlen=25)
    for start in range(0, 2000, 37):
        block = levels[start:start + 37]
        gate.step(block)
        naive.extend(float(v) for v in block if v > DIGITAL_SILENCE_DB)
        assert gate.floor == min(naive)


def test_audio_buffer_holds_what_a_plain_array_would():
    from ser_edge.segment.buffer import AudioBuffer

    buf, plain, begin = AudioBuffer(), np.zeros(0, dtype=np.float32), 0
    buf.reset(100)
    begin = 100
    rng = np.random.default_rng(5)
    for _ in range(300):
        block = rng.standard_normal(int(rng.integers(0, 3000))).astype(np.float32)
        buf.append(block)
        plain = np.concatenate([plain, block])
        keep = begin + len(plain) - int(rng.integers(0, 6000))
        buf.trim(keep)
        cut = min(max(0, keep - begin), len(plain))
        plain, begin = plain[cut:], begin + cut
        assert (buf.begin, buf.end) == (begin, begin + len(plain))
        a, b = begin + int(rng.integers(-50, 50)), begin + int(rng.integers(0, len(plain) + 50))
        expected = plain[max(a, begin) - begin:max(max(a, begin) - begin, min(b, begin + len(plain)) - begin)]
        assert np.array_equal(buf.slice(a, b), expected)
