"""The streaming engine: any source -> segmenter -> classifier -> events.

Embedding in a script (an iterator, or a callback)::

    from ser_edge import EmotionClassifier
    from ser_edge.stream import listen
    from ser_edge.stream.mic import MicSource         # or stream.sources.FileSource / PcmSource

    clf = EmotionClassifier.load()
    with MicSource("USB", retries=5) as mic:          # an index or a name substring
        for event in listen(mic, clf):
            print(event.label, event.confidence)      # or: run(mic, clf, on_event=publish)

Sources yield ``(offset, block)`` chunks (see :mod:`ser_edge.stream.blocks`); ``timeline()`` gives the events
of a whole recording in memory (``ser-edge classify --timeline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

import numpy as np

from ..config import StreamSpec
from ..errors import AudioError
from .blocks import Chunk
from .events import Event, ScoreSmoother, StreamStats
from .utterances import Segment, UtteranceSegmenter
from .windows import FeatureWindow, WindowFeatureStream, WindowSegmenter


class Classifier(Protocol):
    """What the engine needs of :class:`ser_edge.classifier.EmotionClassifier`."""

    labels: tuple[str, ...]

    def predict(self, samples: np.ndarray, sample_rate: int) -> Any: ...


def make_segmenter(spec: StreamSpec, sample_rate: int) -> UtteranceSegmenter | WindowSegmenter:
    """The segmenter of ``spec.mode`` for a stream at ``sample_rate`` Hz."""
    cls = UtteranceSegmenter if spec.mode == "utterance" else WindowSegmenter
    return cls(spec, sample_rate)


class StreamEngine:
    """Segment a stream at ``sample_rate`` Hz and classify each segment once.

    ``process(chunk)`` takes ``(offset, mono float32 block)`` and returns the events it
    completes; ``finish()`` returns the rest at the end of the stream. Window mode runs on
    the incremental path (:mod:`ser_edge.stream.windows`) when the classifier offers
    ``predict_features`` and its frontend allows it; otherwise window by window.
    """

    def __init__(self, classifier: Classifier, sample_rate: int, spec: StreamSpec | None = None) -> None:
        self.classifier, self.sample_rate = classifier, sample_rate
        self.spec = spec or StreamSpec()
        self.windows = self._window_stream(classifier, sample_rate)
        self.segmenter = make_segmenter(self.spec, sample_rate) if self.windows is None else None
        self.smoother = ScoreSmoother(self.spec.smooth, self.spec.hop * 1.5)
        self.stats = StreamStats(segment_name="utterances" if self.spec.mode == "utterance" else
                                 "windows with speech")
        self._position = 0

    def _window_stream(self, classifier: Classifier, rate: int) -> WindowFeatureStream | None:
        if self.spec.mode != "window" or not hasattr(classifier, "predict_features"):
            return None
        frontend = classifier.spec.frontend
        if not WindowFeatureStream.supports(self.spec, frontend, rate):
            return None
        return WindowFeatureStream(self.spec, frontend, rate, getattr(classifier, "activity", None))

    @property
    def incremental(self) -> bool:
        """Whether window mode runs on the incremental path."""
        return self.windows is not None

    def process(self, chunk: Chunk) -> list[Event]:
        offset, block = chunk
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        events: list[Event] = []
        if offset > self._position:  # samples were lost upstream: close the open segment
            events += self._gap(offset - self._position)
            self.stats.dropped_seconds += (offset - self._position) / self.sample_rate
            self.smoother.reset()
        finite = np.isfinite(block)
        if not finite.all():
            self.stats.nonfinite_samples += int(block.size - np.count_nonzero(finite))
            block = np.where(finite, block, np.float32(0.0))
        self._position = offset + len(block)
        self.stats.duration = self._position / self.sample_rate
        if self.windows is not None:
            return events + self._classify_windows(self.windows.push(block))
        return events + self._classify(self.segmenter.push(block))

    def _gap(self, n_samples: int) -> list[Event]:
        if self.windows is not None:
            return self._classify_windows(self.windows.gap(n_samples))
        return self._classify(self.segmenter.gap(n_samples))

    def finish(self) -> list[Event]:
        if self.windows is not None:
            return self._classify_windows(self.windows.flush())
        return self._classify(self.segmenter.flush())

    def _classify(self, segments: list[Segment]) -> list[Event]:
        events = []
        rate = float(self.sample_rate)
        for seg in segments:
            self.stats.segments += 1
            try:
                # without its DC offset: a constant shifts the lowest MFCCs, not the emotion
                pred = self.classifier.predict(seg.samples - seg.samples.mean(), self.sample_rate)
            except AudioError:  # too short, or far beyond full scale: counted, the stream goes on
                self.stats.unclassifiable += 1
                continue
            if pred.label is not None:
                events += self._emit(Event(seg.start / rate, seg.end / rate, pred.label, pred.confidence,
                                           dict(pred.scores), seg.decided_at / rate))
        return events

    def _classify_windows(self, windows: list[FeatureWindow]) -> list[Event]:
        events = []
        for win in windows:
            self.stats.segments += 1
            if win.features is None:
                self.stats.unclassifiable += 1
                continue
            if not win.speech:
                continue
            try:
                pred = self.classifier.predict_features(win.features, win.end - win.start)
            except AudioError:
                self.stats.unclassifiable += 1
                continue
            events += self._emit(Event(win.start, win.end, pred.label, pred.confidence,
                                       dict(pred.scores), win.decided_at))
        return events

    def _emit(self, event: Event) -> list[Event]:
        """Smooth, filter by confidence and count one event; [] when filtered out."""
        event = self.smoother(event)
        if event.confidence < self.spec.min_confidence:
            return []
        self.stats.events += 1
        self.stats.labels[event.label] = self.stats.labels.get(event.label, 0) + 1
        return [event]


class StopListening(Exception):  # noqa: N818  (a request, not an error)
    """Ends :func:`listen` early, with the segment in progress still classified.

    Raise it while ``listen`` waits for audio (e.g. from a signal handler), or ``throw()`` it
    into the generator between events; ``critical`` keeps it out of a block's processing.
    """


def listen(source: Iterable[Chunk], classifier: Classifier, spec: StreamSpec | None = None,
           stats: StreamStats | None = None, max_seconds: float | None = None,
           on_chunk: Callable[[StreamStats], None] | None = None,
           critical: Callable[[], AbstractContextManager[Any]] = nullcontext) -> Iterator[Event]:
    """Events from any source (an iterable of ``(offset, block)`` with ``sample_rate``).

    Pass a :class:`StreamStats` as ``stats`` to read the figures as they grow (it is filled in
    place; overflows are copied from the source). ``max_seconds``: stop after that much audio.
    ``on_chunk(stats)`` is called after each block (the first call means audio really flows).
    Each block is processed inside ``with critical():`` (the CLI defers its stop signals there).
    On :class:`StopListening` the stream ends and the utterance in progress is still classified.
    """
    engine = StreamEngine(classifier, int(source.sample_rate), spec)
    if stats is not None:
        stats.segment_name = engine.stats.segment_name
        engine.stats = stats
    try:
        for chunk in source:
            with critical():
                events = engine.process(chunk)
            engine.stats.overflows = int(getattr(source, "overflows", 0))
            engine.stats.reconnects = int(getattr(source, "reconnects", 0))
            if on_chunk is not None:
                on_chunk(engine.stats)
            yield from events
            if max_seconds is not None and engine.stats.duration >= max_seconds:
                break
    except StopListening:
        pass  # asked to stop: what is in progress is classified below
    engine.stats.discarded_bytes = int(getattr(source, "partial_frame_bytes", 0))
    with critical():
        events = engine.finish()
    yield from events


def run(source: Iterable[Chunk], classifier: Classifier, on_event: Callable[[Event], None],
        spec: StreamSpec | None = None) -> StreamStats:
    """Callback form of :func:`listen`: call ``on_event`` for each event; return the stats."""
    stats = StreamStats()
    for event in listen(source, classifier, spec, stats):
        on_event(event)
    return stats


def timeline(classifier: Classifier, samples: np.ndarray, sample_rate: int,
             spec: StreamSpec | None = None) -> list[Event]:
    """The events of a whole recording (mono or (n, channels)), e.g. for ``classify --timeline``."""
    data = np.asarray(samples, dtype=np.float32)
    mono = data.mean(axis=1) if data.ndim == 2 else data.reshape(-1)
    engine = StreamEngine(classifier, sample_rate, spec)
    return engine.process((0, mono)) + engine.finish()
