"""Window mode (resample once, share frames: the only window path) with the shipped model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import StreamResampler, resample
from ser_edge.classifier import EmotionClassifier
from ser_edge.config import StreamSpec
from ser_edge.frontend.mfcc_mean.incremental import IncrementalMfcc
from ser_edge.frontend.mfcc_mean.mfcc import mfcc_mean
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.frontend.mfcc_mean.windows import WindowFeatureStream
from ser_edge.stream import StreamEngine

SPEC = StreamSpec(mode="window", window=3.0, hop=1.0)


@pytest.fixture(scope="module")
def classifier(shipped_model: Path) -> EmotionClassifier:
    return EmotionClassifier.load(shipped_model)


@pytest.fixture(scope="module")
def speech(example_wavs: list[Path]) -> tuple[np.ndarray, int]:
    """The example recordings at 48 kHz, twice each, with 1.5 s of faint noise around them."""
    rng = np.random.default_rng(0)
    parts, rate = [], 48000
    for path in example_wavs * 2:
        x, sr = read_audio(path)
        x = resample(x.mean(axis=1) if x.ndim == 2 else x, sr, rate)
        parts += [1e-4 * rng.standard_normal(int(1.5 * rate)).astype(np.float32), x]
    parts.append(1e-4 * rng.standard_normal(int(1.5 * rate)).astype(np.float32))
    return np.concatenate(parts), rate


def _events(engine: StreamEngine, x: np.ndarray, block: int, skip: tuple[int, int] | None = None):
    out = []
    for i in range(0, len(x), block):
        if skip and skip[0] <= i < skip[1]:
            continue
        out += engine.process((i, x[i:i + block]))
    return out + engine.finish()


def _check_features(windows: list, y: np.ndarray, frontend: MfccMeanSpec, tolerance: float) -> None:
    """Each window's features = mfcc_mean(w - mean(w)) of its samples w in the resampled stream y."""
    grid = IncrementalMfcc(frontend, SPEC.window, SPEC.hop)
    for w in windows:
        k = round(w.start * frontend.sample_rate / grid.hop_samples)
        segment = y[k * grid.hop_samples:k * grid.hop_samples + grid.window_samples].astype(np.float64)
        assert abs(w.end - w.start - SPEC.window) < 1e-3
        want = mfcc_mean(segment - segment.mean(), frontend)
        assert np.abs(w.features["features"] - want).max() <= tolerance


@pytest.mark.parametrize(("rate", "resampler"), [(22051, "kaiser_fast"), (48000, "polyphase"),
                                                  (16000, "kaiser_best")])
def test_window_mode_serves_every_rate_pair_and_resampler(speech: tuple[np.ndarray, int], rate: int,
                                                          resampler: str) -> None:
    """Rate pairs and resamplers without a tap bank take the same one window path (the stream
    resampler resamples them period by period with context): the features still equal
    mfcc_mean of the window's samples in resample() of the whole stream."""
    x48, _ = speech
    x = resample(x48[:12 * 48000], 48000, rate)
    frontend = MfccMeanSpec(resampler=resampler)
    stream = WindowFeatureStream(SPEC, frontend, rate)
    windows = [w for i in range(0, len(x), 1999) for w in stream.push(x[i:i + 1999])] + stream.flush()
    y = resample(x, rate, frontend.sample_rate, resampler)
    assert len(windows) >= 4
    _check_features([w for w in windows if abs(w.end - w.start - SPEC.window) < 1e-3], y, frontend, 1e-4)


def test_features_equal_mfcc_mean_of_the_resampled_stream(classifier: EmotionClassifier,
                                                          speech: tuple[np.ndarray, int]) -> None:
    """Every window's features = mfcc_mean(w - mean(w)) of its samples in the resampled stream."""
    x, rate = speech
    frontend = classifier.spec.frontend
    stream = WindowFeatureStream(SPEC, frontend, rate)
    windows = [w for i in range(0, len(x), 960) for w in stream.push(x[i:i + 960])]
    resampler = StreamResampler(rate, frontend.sample_rate)
    y = np.concatenate([resampler.push(x), resampler.flush()])
    assert len(windows) >= 8
    _check_features(windows, y, frontend, 1e-4)


def test_blocks_do_not_change_the_events(classifier: EmotionClassifier,
                                         speech: tuple[np.ndarray, int]) -> None:
    x, rate = speech
    runs = [_events(StreamEngine(classifier, rate, SPEC), x, block) for block in (480, 2400, 48000)]
    assert len(runs[0]) >= 5
    for other in runs[1:]:
        assert [(e.start, e.end, e.label) for e in other] == [(e.start, e.end, e.label) for e in runs[0]]
        for a, b in zip(runs[0], other, strict=True):
            assert max(abs(a.scores[k] - b.scores[k]) for k in a.scores) < 1e-5


def test_silence_gives_no_windows(classifier: EmotionClassifier) -> None:
    x = (1e-4 * np.random.default_rng(1).standard_normal(10 * 48000)).astype(np.float32)
    engine = StreamEngine(classifier, 48000, SPEC)
    assert _events(engine, x, 4800) == [] and engine.stats.segments == 0


def test_gap_closes_the_run_and_restarts_after_it(classifier: EmotionClassifier,
                                                  speech: tuple[np.ndarray, int]) -> None:
    x, rate = speech
    skip = (len(x) // 2, len(x) // 2 + 2 * rate)
    events = _events(StreamEngine(classifier, rate, SPEC), x, 4800, skip=skip)
    after = [e for e in events if e.end > skip[0] / rate]
    assert after and all(e.start >= skip[1] / rate - 1e-9 or e.end <= skip[0] / rate + 1e-9 for e in after)
    assert all(e.end - e.start <= 3.0 + 1e-3 for e in events)


def test_short_stream_is_classified_at_the_end(classifier: EmotionClassifier,
                                               speech: tuple[np.ndarray, int]) -> None:
    """A stream shorter than a window: the flush classifies what there is; under one STFT frame
    of audio the window is counted as not classifiable."""
    x, rate = speech
    start = int(1.5 * rate)
    engine = StreamEngine(classifier, rate, SPEC)
    events = _events(engine, x[start:start + 2 * rate], 4800)
    assert len(events) == 1 and events[0].start == 0.0 and abs(events[0].end - 2.0) < 1e-9
    # after a gap (the noise floor is kept), 60 ms of speech end the stream: too short to analyse
    tiny = StreamEngine(classifier, rate, StreamSpec(mode="window", min_speech=0.02))
    assert tiny.process((0, x[:start])) == []
    n = int(0.06 * rate)
    peak = start + int(np.argmax(np.abs(x[start:start + 2 * rate])))
    loud = x[peak - n // 2:peak + n // 2]
    assert tiny.process((start + rate, loud)) + tiny.finish() == []
    assert tiny.stats.segments == 1 and tiny.stats.unclassifiable == 1
