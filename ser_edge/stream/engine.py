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
of a whole recording in memory, ``timeline_file()`` those of a file of any length read block by
block (``ser-edge classify --timeline``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from ..audio.filestream import FileBlocks
from ..audio.read import as_mono_float32, check_rate
from ..config import StreamSpec
from ..errors import AudioError
from ..frontend.protocol import FeatureWindow
from ..segment.protocol import Segmenter
from ..segment.utterances import Segment, UtteranceSegmenter
from .blocks import Chunk
from .events import Event, ScoreSmoother, StreamStats
from .protocol import Classifier, Source


class StreamEngine:
    """Segment a stream at ``sample_rate`` Hz and classify each segment once.

    ``process(chunk)`` takes ``(offset, mono float32 block)`` and returns the events it
    completes; ``finish()`` returns the rest at the end of the stream. Utterance mode cuts
    utterances (:class:`UtteranceSegmenter`) and classifies their samples; window mode takes
    the classifier's window stream (:meth:`Classifier.window_stream`) and classifies the
    features of each window with speech.
    """

    def __init__(self, classifier: Classifier, sample_rate: int, spec: StreamSpec | None = None) -> None:
        self.classifier, self.sample_rate = classifier, sample_rate
        self.spec = spec or StreamSpec()
        self.windows = self.spec.mode == "window"
        self.segmenter: Segmenter[Segment | FeatureWindow] = (
            classifier.window_stream(self.spec, sample_rate) if self.windows
            else UtteranceSegmenter(self.spec, sample_rate))
        self.smoother = ScoreSmoother(self.spec.smooth, self.spec.hop * 1.5)
        self.stats = StreamStats(segment_name="windows with speech" if self.windows else "utterances")
        self._position = 0

    def process(self, chunk: Chunk) -> list[Event]:
        offset, block = chunk
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        events: list[Event] = []
        if offset > self._position:  # samples were lost upstream: close the open segment
            events += self._classify(self.segmenter.gap(offset - self._position))
            self.stats.dropped_seconds += (offset - self._position) / self.sample_rate
            self.smoother.reset()
        finite = np.isfinite(block)
        if not finite.all():
            self.stats.nonfinite_samples += int(block.size - np.count_nonzero(finite))
            block = np.where(finite, block, np.float32(0.0))
        self._position = offset + len(block)
        self.stats.duration = self._position / self.sample_rate
        return events + self._classify(self.segmenter.push(block))

    def finish(self) -> list[Event]:
        return self._classify(self.segmenter.flush())

    def _classify(self, pieces: Sequence[Segment | FeatureWindow]) -> list[Event]:
        """Events of the segmenter's output: utterances, or windows in window mode."""
        events = []
        for piece in pieces:
            self.stats.segments += 1
            windowed = isinstance(piece, FeatureWindow)
            event = self._window_event(piece) if windowed else self._utterance_event(piece)
            if event is not None:
                events += self._emit(event)
        return events

    def _utterance_event(self, seg: Segment) -> Event | None:
        """The event of an utterance; None when the classifier heard no speech in it or could not
        classify it (too short, or far beyond full scale: counted, the stream goes on)."""
        try:
            pred = self.classifier.predict(seg.samples, self.sample_rate)  # DC offset removed
        except AudioError:
            self.stats.unclassifiable += 1
            return None
        if pred.label is None:
            return None
        rate = float(self.sample_rate)
        return Event(seg.start / rate, seg.end / rate, pred.label, pred.confidence, dict(pred.scores),
                     seg.decided_at / rate, pred.calibration, pred.arousal, pred.valence)

    def _window_event(self, win: FeatureWindow) -> Event | None:
        """The event of a window with speech; None without speech, or when it could not be
        classified (too short to analyse: counted)."""
        if win.features is None:
            self.stats.unclassifiable += 1
            return None
        if not win.speech:
            return None
        try:
            pred = self.classifier.predict_features(win.features, win.end - win.start)
        except AudioError:
            self.stats.unclassifiable += 1
            return None
        return Event(win.start, win.end, pred.label, pred.confidence, dict(pred.scores), win.decided_at,
                     pred.calibration, pred.arousal, pred.valence)

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


def listen(source: Source, classifier: Classifier, spec: StreamSpec | None = None,
           stats: StreamStats | None = None, max_seconds: float | None = None,
           on_chunk: Callable[[StreamStats], None] | None = None,
           critical: Callable[[], AbstractContextManager[object]] = nullcontext,
           ) -> Generator[Event, None, None]:
    """Events from any :class:`~ser_edge.stream.protocol.Source`.

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
            engine.stats.overflows, engine.stats.reconnects = source.overflows, source.reconnects
            if on_chunk is not None:
                on_chunk(engine.stats)
            yield from events
            if max_seconds is not None and engine.stats.duration >= max_seconds:
                break
    except StopListening:
        pass  # asked to stop: what is in progress is classified below
    engine.stats.discarded_bytes = source.partial_frame_bytes
    with critical():
        events = engine.finish()
    yield from events


def run(source: Source, classifier: Classifier, on_event: Callable[[Event], None],
        spec: StreamSpec | None = None) -> StreamStats:
    """Callback form of :func:`listen`: call ``on_event`` for each event; return the stats."""
    stats = StreamStats()
    for event in listen(source, classifier, spec, stats):
        on_event(event)
    return stats


def timeline(classifier: Classifier, samples: np.ndarray, sample_rate: int,
             spec: StreamSpec | None = None, name: str = "<buffer>") -> list[Event]:
    """The events of a whole recording in memory, e.g. for the Python API.

    ``samples``: as :func:`ser_edge.audio.read.as_mono_float32` takes them ((n,),
    (n, channels) or unambiguous (channels, n); int16/int32/uint8 scaled by their range,
    int64 refused; float beyond [-1, 1] warned about, beyond 2 refused), AudioError naming
    ``name`` otherwise.
    """
    mono = as_mono_float32(samples, name)
    engine = StreamEngine(classifier, sample_rate, spec)
    return engine.process((0, mono)) + engine.finish()


def timeline_file(classifier: Classifier, path: str | Path, spec: StreamSpec | None = None,
                  block_seconds: float = 1.0) -> list[Event]:
    """The events of an audio file of any length, read block by block (bounded memory;
    ``ser-edge classify --timeline``). Equal to :func:`timeline` of its samples."""
    blocks = FileBlocks(path, block_seconds)
    check_rate(blocks.sample_rate, str(path))
    engine = StreamEngine(classifier, blocks.sample_rate, spec)
    events, offset = [], 0
    for block in blocks:
        events += engine.process((offset, block))
        offset += len(block)
    return events + engine.finish()
