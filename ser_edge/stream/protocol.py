"""What the stream engine works with: a :class:`Source` of audio, a
:class:`~ser_edge.segment.protocol.Segmenter` that cuts it (utterance or window mode), a
:class:`Classifier` and its :class:`Result`.

A source is iterable and yields chunks ``(offset, block)`` (:data:`~.blocks.Chunk`):
``offset`` is the stream position in samples of the block's first sample (it jumps when
blocks were lost) and ``block`` is mono float32 (n,); the engine reads its counters after each
chunk. Utterance mode's segmenter is :class:`~ser_edge.segment.utterances.UtteranceSegmenter`
(:class:`~ser_edge.segment.utterances.Segment` s), window mode's the classifier's window
stream (:class:`~ser_edge.frontend.protocol.WindowStream`,
:class:`~ser_edge.frontend.protocol.FeatureWindow` s); the engine drives either the same way.
The classifier is :class:`ser_edge.classifier.EmotionClassifier`, seen only through
:class:`Classifier`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..config import StreamSpec
from ..frontend.protocol import ModelInputs, WindowStream
from .blocks import Chunk

if TYPE_CHECKING:
    from typing_extensions import Self


@runtime_checkable
class Source(Protocol):
    """Stream audio for :func:`ser_edge.stream.engine.listen`: file replay, raw PCM, a device.

    ``name``: what the user knows it by (a path, ``<stdin>``, ``"3: USB mic"``);
    ``sample_rate``: Hz of the blocks; ``overflows``: times audio was lost (a full queue or
    the device's own overflow flag); ``dropped_samples``: samples lost in all;
    ``reconnects``: times a lost device was reopened; ``partial_frame_bytes``: input bytes
    left at the end that formed no whole sample frame (raw PCM). ``close()`` releases what
    the source holds (idempotent); a source is a context manager that closes on exit.
    """

    name: str
    sample_rate: int

    @property
    def overflows(self) -> int: ...

    @property
    def dropped_samples(self) -> int: ...

    @property
    def reconnects(self) -> int: ...

    @property
    def partial_frame_bytes(self) -> int: ...

    def __iter__(self) -> Iterator[Chunk]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class Result(Protocol):
    """What the engine reads of a :class:`ser_edge.classifier.Prediction`: the label (None:
    nothing said), its probability, every label's, ``calibration`` (None: the classifier
    has no speaker calibration; else the utterances it came from, 0 when not used), and
    ``arousal`` and ``valence`` in [0, 1] (None: the model has none)."""

    @property
    def label(self) -> str | None: ...

    @property
    def confidence(self) -> float: ...

    @property
    def scores(self) -> Mapping[str, float]: ...

    @property
    def calibration(self) -> int | None: ...

    @property
    def arousal(self) -> float | None: ...

    @property
    def valence(self) -> float | None: ...


class Classifier(Protocol):
    """What the engine needs of :class:`ser_edge.classifier.EmotionClassifier`.

    Utterance mode: ``predict(samples, rate)`` on each utterance's samples (the classifier
    checks for speech itself); a prediction's ``calibration`` goes into the event. Window mode:
    ``window_stream(spec, rate)``, the classifier's windowed feature stream (features and
    speech check per window), and ``predict_features(features, duration)`` for each window
    with speech.
    """

    labels: tuple[str, ...]

    def predict(self, samples: np.ndarray, sample_rate: int) -> Result: ...

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> WindowStream: ...

    def predict_features(self, features: ModelInputs, duration: float = 0.0) -> Result: ...
