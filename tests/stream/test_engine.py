"""The streaming engine with a fake classifier: events, timing, filters, gaps, NaN, callbacks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import StringIO

import numpy as np
import pytest

from ser_edge.config import StreamSpec
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.frontend.mfcc_mean.windows import WindowFeatureStream
from ser_edge.sinks.text import JsonSink, TextSink
from ser_edge.stream import Event, SourceBase, StreamEngine, listen, run, timeline

from support.signals import BURST_TIMES, bursts

LABELS = ("calm", "angry")


@dataclass(frozen=True)
class FakePrediction:
    label: str | None
    confidence: float
    scores: dict = field(default_factory=dict)
    calibration: int | None = None
    arousal: float | None = None
    valence: float | None = None


class FakeClassifier:
    """'angry' for loud buffers, 'calm' otherwise; confidence from the peak; records every call."""

    labels = LABELS

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def predict(self, samples: np.ndarray, sample_rate: int) -> FakePrediction:
        self.calls.append((len(samples), sample_rate))
        assert np.all(np.isfinite(samples))
        loud = float(np.max(np.abs(samples))) > 0.2
        conf = 0.9 if loud else 0.6
        label = "angry" if loud else "calm"
        return FakePrediction(label, conf, {label: conf, ("calm" if loud else "angry"): 1 - conf})

    def window_stream(self, spec: StreamSpec, sample_rate: int) -> WindowFeatureStream:
        """Window mode: the MFCC-mean frontend's windows (features and speech check)."""
        return WindowFeatureStream(spec, MfccMeanSpec(), sample_rate)

    def predict_features(self, features: dict, duration: float = 0.0) -> FakePrediction:
        """'angry' when the first MFCC (the level) is high."""
        mfcc = features["features"]
        self.calls.append((len(mfcc), 0))
        loud = float(mfcc[0]) > -250.0
        conf = 0.9 if loud else 0.6
        label = "angry" if loud else "calm"
        return FakePrediction(label, conf, {label: conf, ("calm" if loud else "angry"): 1 - conf})


class ListSource(SourceBase):
    """Blocks of an array as a source: ``(offset, block)`` pairs; the blocks from ``skip[0]`` to
    ``skip[1]`` are lost (one overflow each)."""

    def __init__(self, x: np.ndarray, rate: int, block: int = 800, skip: tuple[int, int] | None = None):
        self.x, self.sample_rate, self.block, self.skip = x, rate, block, skip
        self.lost = 0

    @property
    def overflows(self) -> int:
        return self.lost

    def __iter__(self):
        for i in range(0, len(self.x), self.block):
            if self.skip and self.skip[0] <= i < self.skip[1]:
                self.lost += 1
                continue
            yield i, self.x[i:i + self.block]


def test_one_event_per_utterance_in_stream_seconds():
    rate, clf = 16000, FakeClassifier()
    events = list(listen(ListSource(bursts(rate, BURST_TIMES, 11.0), rate), clf))
    assert len(events) == len(BURST_TIMES) == len(clf.calls)
    for ev, (a, b) in zip(events, BURST_TIMES, strict=True):
        assert ev.start == pytest.approx(a, abs=0.1) and ev.end == pytest.approx(b, abs=0.15)
        assert ev.label == "angry" and ev.confidence == pytest.approx(0.9)
        assert ev.decided_at >= ev.end
        d = ev.to_dict()
        assert list(d) == ["start", "end", "label", "confidence", "scores", "speech", "arousal", "valence"]
        assert json.loads(json.dumps(d)) == d
    # the classifier saw each utterance once, with context, at the stream's rate
    for (n, r), (a, b) in zip(clf.calls, BURST_TIMES, strict=True):
        assert r == rate and n / rate == pytest.approx(b - a + 2.0, abs=0.2)


def test_min_confidence_filters_events_but_not_utterances():
    rate = 16000
    x = bursts(rate, BURST_TIMES, 11.0, speech_db=-40.0)  # quiet: the fake says 'calm' at 0.6
    engine = StreamEngine(FakeClassifier(), rate, StreamSpec(min_confidence=0.7))
    events = engine.process((0, x)) + engine.finish()
    assert events == [] and engine.stats.segments == len(BURST_TIMES) and engine.stats.events == 0


def test_window_mode_with_smoothing_averages_scores():
    rate = 16000
    spec = StreamSpec(mode="window", window=2.0, hop=0.5, smooth=3)
    events = timeline(FakeClassifier(), bursts(rate, [(2.0, 6.0)], 9.0), rate, spec)
    assert len(events) >= 5
    for ev in events:
        assert ev.end - ev.start == pytest.approx(2.0) and set(ev.scores) == set(LABELS)
        assert sum(ev.scores.values()) == pytest.approx(1.0)
        assert ev.confidence == max(ev.scores.values())


def test_lost_blocks_close_the_utterance_and_keep_stream_time():
    rate = 16000
    x = bursts(rate, [(1.0, 3.0), (6.0, 7.0)], 9.0)
    stats_events = []
    source = ListSource(x, rate, block=1600, skip=(2 * rate, int(2.5 * rate)))
    stats = run(source, FakeClassifier(), stats_events.append)
    assert stats.overflows == source.overflows > 0
    assert stats.dropped_seconds == pytest.approx(0.5, abs=0.01)
    # the first utterance is closed where audio was lost; its rest is heard on its own
    assert [round(e.start, 1) for e in stats_events] == [1.0, 2.5, 6.0]
    assert stats_events[0].end <= 2.0 + 1e-6 and stats_events[1].end == pytest.approx(3.0, abs=0.1)
    assert stats_events[2].end == pytest.approx(7.0, abs=0.15)  # later times are still stream time
    assert stats.duration == pytest.approx(9.0)


def test_non_finite_samples_are_zeroed_and_counted():
    rate = 16000
    x = bursts(rate, BURST_TIMES, 11.0)
    x[int(5.0 * rate):int(5.0 * rate) + 800] = np.nan
    x[100:110] = np.inf
    engine = StreamEngine(FakeClassifier(), rate)
    events = engine.process((0, x)) + engine.finish()
    assert engine.stats.nonfinite_samples == 810
    assert len(events) == len(BURST_TIMES)
    assert "810 non-finite" in engine.stats.summary()


def test_no_speech_predictions_are_not_events():
    class Deaf(FakeClassifier):
        def predict(self, samples, sample_rate):
            super().predict(samples, sample_rate)
            return FakePrediction(None, 0.0, {})

    rate, clf = 16000, Deaf()
    assert timeline(clf, bursts(rate, BURST_TIMES, 11.0), rate) == [] and len(clf.calls) == len(BURST_TIMES)


def test_timeline_takes_stereo_and_matches_listen():
    rate = 16000
    x = bursts(rate, BURST_TIMES, 11.0)
    mono = timeline(FakeClassifier(), x, rate)
    stereo = timeline(FakeClassifier(), np.stack([x, x], axis=1), rate)
    streamed = list(listen(ListSource(x, rate, block=333), FakeClassifier()))
    assert [(e.start, e.end) for e in stereo] == [(e.start, e.end) for e in mono]
    assert [(e.start, e.end, e.label) for e in streamed] == [(e.start, e.end, e.label) for e in mono]


def test_sinks_write_one_flushed_line_per_event():
    ev = Event(1.0, 2.5, "angry", 0.8, {"angry": 0.8, "calm": 0.15, "sad": 0.05}, 3.1)
    out = StringIO()
    JsonSink(out)(ev)
    JsonSink(out)(ev)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows == [ev.to_dict()] * 2 and rows[0]["label"] == "angry"
    text = StringIO()
    TextSink(text)(ev)
    assert text.getvalue().count("\n") == 1
    assert "angry" in text.getvalue() and "calm 0.15" in text.getvalue() and "1.00" in text.getvalue()


def test_timeline_scales_integer_arrays_and_reads_channels_first():
    """int16 from scipy.io.wavfile.read is scaled by its range (it was used unscaled: wrong
    events); (channels, n) is understood; int64 is refused with a clear message."""
    from ser_edge.errors import AudioError

    rate = 16000
    x = bursts(rate, BURST_TIMES, 11.0)
    ref = [(e.start, e.end, e.label) for e in timeline(FakeClassifier(), x, rate)]
    pcm16 = np.round(x * 32767).astype(np.int16)
    assert [(e.start, e.end, e.label) for e in timeline(FakeClassifier(), pcm16, rate)] == ref
    assert [(e.start, e.end, e.label) for e in timeline(FakeClassifier(), np.stack([x, x]), rate)] == ref
    with pytest.raises(AudioError, match="int64"):
        timeline(FakeClassifier(), pcm16.astype(np.int64), rate)


def test_timeline_file_equals_timeline_in_memory(tmp_path):
    """A 40 s file read block by block gives the events of the whole buffer in memory."""
    from ser_edge.classifier import EmotionClassifier
    from ser_edge.stream import timeline_file

    from support.signals import utterance, write_wav

    rate = 22050
    x = np.concatenate([utterance(rate, seed=k) for k in range(16)])
    path = write_wav(tmp_path / "long.wav", x, rate)
    clf = EmotionClassifier.load("seed")  # synthetic voices: the seed model labels them
    for spec, least in ((StreamSpec(), 16), (StreamSpec(mode="window"), 5)):
        whole = timeline(clf, x, rate, spec)
        blocks = timeline_file(clf, path, spec)
        assert len(whole) >= least and [(e.start, e.end, e.label) for e in blocks] == \
            [(e.start, e.end, e.label) for e in whole]
        for a, b in zip(whole, blocks, strict=True):
            assert max(abs(a.scores[k] - b.scores[k]) for k in a.scores) < 1e-5


class CalibratedFake(FakeClassifier):
    """FakeClassifier whose n-th prediction says it was calibrated on n utterances."""

    def predict(self, samples: np.ndarray, sample_rate: int) -> FakePrediction:
        p = super().predict(samples, sample_rate)
        return FakePrediction(p.label, p.confidence, p.scores, len(self.calls) - 1)

    def predict_features(self, features: dict, duration: float = 0.0) -> FakePrediction:
        p = super().predict_features(features, duration)
        return FakePrediction(p.label, p.confidence, p.scores, len(self.calls) - 1)


def test_events_carry_the_calibration_of_their_prediction():
    rate = 16000
    events = list(listen(ListSource(bursts(rate, BURST_TIMES, 11.0), rate), CalibratedFake()))
    assert [ev.calibration for ev in events] == list(range(len(BURST_TIMES)))
    d = events[1].to_dict()
    assert list(d) == ["start", "end", "label", "confidence", "scores", "speech", "arousal", "valence",
                       "calibration"]
    assert d["calibration"] == 1
    out = StringIO()
    sink = JsonSink(out)
    sink(events[2])
    assert json.loads(out.getvalue())["calibration"] == 2
    from ser_edge.sinks.payload import event_dict  # the MQTT payload

    assert event_dict(events[2])["calibration"] == 2


def test_smoothed_window_events_keep_the_calibration():
    rate = 16000
    spec = StreamSpec(mode="window", window=2.0, hop=0.5, smooth=3)
    events = timeline(CalibratedFake(), bursts(rate, [(2.0, 6.0)], 9.0), rate, spec)
    assert len(events) >= 5
    counts = [ev.calibration for ev in events]
    assert counts == sorted(counts) and counts[-1] >= 4 and all(isinstance(c, int) for c in counts)


def test_uncalibrated_event_dicts_have_no_calibration_field():
    ev = Event(1.0, 2.5, "calm", 0.75, {"calm": 0.75, "angry": 0.25})
    assert ev.calibration is None
    assert json.dumps(ev.to_dict()) == ('{"start": 1.0, "end": 2.5, "label": "calm", "confidence": 0.75, '
                                        '"scores": {"calm": 0.75, "angry": 0.25}, "speech": true, '
                                        '"arousal": null, "valence": null}')
    assert Event(1.0, 2.5, "calm", 0.75, {"calm": 0.75}, calibration=0).to_dict()["calibration"] == 0


def test_a_calibrated_classifier_learns_from_a_stream(tmp_path, example_wavs):
    """End to end: the real classifier with the tiny calibrated model; one update per utterance."""
    pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")
    from ser_edge import Calibration, EmotionClassifier

    from support.frames_signals import read_example_16k
    from support.onnx_fixtures import tiny_calibrated_model

    clf = EmotionClassifier.load(tiny_calibrated_model(tmp_path / "cal.onnx", min_utterances=1))
    clf.calibration = Calibration(clf.calibration_spec)
    speech = read_example_16k(example_wavs[0]).astype(np.float32)
    gap = np.zeros(3 * 16000, dtype=np.float32)
    audio = np.concatenate([gap, speech, gap, speech, gap])
    events = timeline(clf, audio, 16000)
    assert len(events) == 2 and clf.calibration.count == 2
    assert [ev.to_dict()["calibration"] for ev in events] == [0, 1]


class DimensionsFake(FakeClassifier):
    """FakeClassifier whose predictions carry arousal = confidence and valence = 1 - confidence."""

    def predict(self, samples: np.ndarray, sample_rate: int) -> FakePrediction:
        p = super().predict(samples, sample_rate)
        return FakePrediction(p.label, p.confidence, p.scores, None, p.confidence, 1 - p.confidence)

    def predict_features(self, features: dict, duration: float = 0.0) -> FakePrediction:
        p = super().predict_features(features, duration)
        return FakePrediction(p.label, p.confidence, p.scores, None, p.confidence, 1 - p.confidence)


def test_events_carry_the_arousal_and_valence_of_their_prediction():
    rate = 16000
    events = list(listen(ListSource(bursts(rate, BURST_TIMES, 11.0), rate), DimensionsFake()))
    assert len(events) == len(BURST_TIMES)
    for ev in events:
        assert (ev.arousal, ev.valence) == pytest.approx((ev.confidence, 1 - ev.confidence))
        row = ev.to_dict()
        assert (row["arousal"], row["valence"]) == (round(ev.arousal, 4), round(ev.valence, 4))


def test_smoothing_averages_arousal_and_valence_as_the_scores():
    rate = 16000
    spec = StreamSpec(mode="window", window=2.0, hop=0.5, smooth=3)
    raw = timeline(DimensionsFake(), bursts(rate, [(2.0, 6.0)], 9.0), rate, StreamSpec(mode="window",
                                                                                   window=2.0, hop=0.5))
    smoothed = timeline(DimensionsFake(), bursts(rate, [(2.0, 6.0)], 9.0), rate, spec)
    assert len(smoothed) == len(raw) >= 5
    assert len({round(e.arousal, 6) for e in raw}) > 1  # something to average
    for i, ev in enumerate(smoothed):
        recent = raw[max(0, i - 2): i + 1]
        assert ev.arousal == pytest.approx(np.mean([e.arousal for e in recent]))
        assert ev.valence == pytest.approx(np.mean([e.valence for e in recent]))
        assert ev.scores["angry"] == pytest.approx(np.mean([e.scores["angry"] for e in recent]))


def test_smoothing_events_without_arousal_gives_none():
    from ser_edge.stream.events import ScoreSmoother

    smooth = ScoreSmoother(3, gap=1.0)
    first = smooth(Event(0.0, 1.0, "calm", 0.6, {"calm": 0.6, "angry": 0.4}, arousal=0.2, valence=0.7))
    second = smooth(Event(0.5, 1.5, "angry", 0.8, {"calm": 0.2, "angry": 0.8}))
    assert (first.arousal, first.valence) == (0.2, 0.7)
    assert (second.arousal, second.valence) == (None, None) and second.confidence == pytest.approx(0.6)
