"""The stream's protocols hold for what implements them: every source class is a Source (its
counters ints), both modes' segmenters are Segmenters, the classifier fits the engine's
Classifier and its Prediction the Result the engine reads."""

from __future__ import annotations

import inspect
import io

import numpy as np
import pytest

from ser_edge.classifier import EmotionClassifier, Prediction
from ser_edge.config import StreamSpec
from ser_edge.frontend.protocol import FeatureWindow
from ser_edge.segment.protocol import Segmenter
from ser_edge.segment.utterances import Segment
from ser_edge.stream import StreamEngine, mic
from ser_edge.stream.blocks import SourceBase
from ser_edge.stream.protocol import Classifier, Result, Source
from ser_edge.stream.sources import FileSource, PcmSource

from support.fake_sounddevice import FakeSoundDevice
from support.signals import BURST_TIMES, bursts, write_wav

COUNTERS = ("overflows", "dropped_samples", "reconnects", "partial_frame_bytes")


def parameters(function: object) -> list[inspect.Parameter]:
    return list(inspect.signature(function).parameters.values())


def signature_problems(impl: type, proto: type, names: tuple[str, ...]) -> list[str]:
    """How ``impl``'s methods ``names`` fail to take what ``proto``'s take: each protocol
    parameter by the same name in the same order; parameters the protocol lacks need defaults."""
    problems = []
    for name in names:
        if not callable(getattr(impl, name, None)):
            problems.append(f"{impl.__name__}.{name}: missing")
            continue
        fixed = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        want = [p.name for p in parameters(getattr(proto, name)) if p.kind not in fixed]
        have = [p for p in parameters(getattr(impl, name)) if p.kind not in fixed]
        named = [p.name for p in have if p.name in want]
        extra = [p.name for p in have if p.name not in want and p.default is inspect.Parameter.empty]
        if named != want or extra:
            problems.append(f"{impl.__name__}.{name}{inspect.signature(getattr(impl, name))} does not fit "
                            f"{proto.__name__}.{name}{inspect.signature(getattr(proto, name))}")
    return problems


@pytest.fixture
def sources(tmp_path, monkeypatch) -> list[Source]:
    """One of each shipped source: file replay (as fast as possible and real time), raw PCM, a
    device (a fake sounddevice)."""
    fake = FakeSoundDevice()
    monkeypatch.setattr(mic, "_sounddevice", lambda: fake)
    path = write_wav(tmp_path / "x.wav", bursts(16000, [(0.2, 0.6)], 1.0), 16000)
    made = [FileSource(path), FileSource(path, realtime=True),
            PcmSource(io.BytesIO(b"\0\0" * 1600), sample_rate=16000), mic.MicSource(1)]
    yield made
    for src in made:
        src.close()


def test_every_source_class_is_a_source(sources):
    shipped = {cls for cls in SourceBase.__subclasses__() if cls.__module__.startswith("ser_edge.")}
    assert {type(src) for src in sources} == shipped  # a new source class: add it to the fixture
    for src in sources:
        assert isinstance(src, Source), type(src).__name__
        assert [type(getattr(src, name)) for name in COUNTERS] == [int] * len(COUNTERS), type(src).__name__
        assert isinstance(src.name, str) and src.name and src.sample_rate > 0
        assert signature_problems(type(src), Source, ("__iter__", "close", "__enter__", "__exit__")) == []


def test_something_without_the_counters_is_not_a_source():
    class Bare:
        name, sample_rate = "bare", 16000

        def __iter__(self):
            yield 0, np.zeros(160, np.float32)

    assert not isinstance(Bare(), Source)

    class Askew:
        def push(self, samples, rate): ...

        def flush(self, now=0): ...

    assert len(signature_problems(Askew, Segmenter, ("push", "flush", "gap"))) == 2  # gap missing
    assert signature_problems(Askew, Segmenter, ("flush",)) == []  # an extra parameter with a default


def test_a_source_is_read_to_the_end_and_counts_nothing_lost(sources):
    for src in sources[:3]:  # the files and the pipe (the fake device delivers nothing)
        with src:
            chunks = list(src)
        assert sum(len(block) for _, block in chunks) == (16000 if src is not sources[2] else 1600)
        assert (src.overflows, src.dropped_samples, src.partial_frame_bytes) == (0, 0, 0)


@pytest.mark.parametrize(("mode", "piece"), [("utterance", Segment), ("window", FeatureWindow)])
@pytest.mark.parametrize("model", ["seed", None], ids=["seed", "default"])
def test_both_modes_segmenters_are_segmenters(mode, piece, model):
    """The engine drives each mode's segmenter (utterances; each frontend kind's window stream)
    through the one Segmenter protocol, and each gives its own kind of piece."""
    clf = EmotionClassifier.load(model)
    segmenter = StreamEngine(clf, 16000, StreamSpec(mode=mode)).segmenter
    assert isinstance(segmenter, Segmenter)
    assert signature_problems(type(segmenter), Segmenter, ("push", "flush", "gap")) == []
    x = bursts(16000, BURST_TIMES, 11.0)
    pieces = segmenter.push(x[:80000]) + segmenter.gap(1600) + segmenter.push(x[81600:]) + segmenter.flush()
    assert pieces and all(isinstance(p, piece) for p in pieces)


def test_the_classifier_fits_the_engines_classifier_and_its_prediction_the_result():
    methods = ("predict", "window_stream", "predict_features")
    assert signature_problems(EmotionClassifier, Classifier, methods) == []
    assert {"labels"} <= set(dir(EmotionClassifier))
    result_members = {name for name in vars(Result) if not name.startswith("_")}
    assert result_members == {"label", "confidence", "scores", "calibration", "arousal", "valence"}
    assert result_members <= set(Prediction.__dataclass_fields__)
