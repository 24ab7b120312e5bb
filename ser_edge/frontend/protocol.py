"""What a frontend offers the classifier: the model's inputs of a whole buffer, the speech
check, and a windowed feature stream for window mode (:class:`Frontend`, :class:`WindowStream`).

A model names its frontend kind (``ser_edge.frontend`` ``type``: MfccMeanSpec "mfcc_mean",
Frames16kSpec "frames16k"; what the other stages read of either is :class:`FrontendSpec`);
:func:`ser_edge.frontend.registry.make_frontend` builds the implementation. The model's inputs are
:data:`ModelInputs`, one array per ONNX input name, so single- and multi-input models go the
same way through the classifier and the stream engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..config import StreamSpec
from ..segment.protocol import Segmenter

#: The model's inputs: ONNX input name -> one example's array, without the batch dimension
#: (MFCC-mean: ``{"features": (n_mfcc,)}``; frames16k: ``{"frames": (T, n_mels),
#: "functionals": (F,)}``).
ModelInputs = dict[str, np.ndarray]
#: Per-example input shapes a frontend makes: input name -> dimensions (None: any length).
InputShapes = dict[str, tuple[int | None, ...]]


class FrontendSpec(Protocol):
    """What every kind's spec offers the other stages (the kinds' own settings are theirs)."""

    @property
    def type(self) -> str:
        """The kind's name, as the model file stores it."""
        ...

    @property
    def sample_rate(self) -> int:
        """The rate (Hz) the features are computed at."""
        ...

    @property
    def analysis_samples(self) -> int:
        """Samples of one analysis frame at ``sample_rate``: the shortest audio with features."""
        ...

    @property
    def fmax(self) -> float:
        """Top of the band the features use (Hz)."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every setting (the model file's ``ser_edge.frontend``)."""
        ...


@dataclass(frozen=True)
class FeatureWindow:
    """A window of a stream that holds voiced frames; times in stream seconds.

    ``features``: the model's inputs (:data:`ModelInputs`), or None when the window is too
    short to analyse (the last window of a stream shorter than one analysis frame).
    ``speech``: whether the frontend's speech check passed on the window's samples (only
    windows with speech are classified). ``decided_at``: stream time when it was known.
    """

    start: float
    end: float
    decided_at: float
    features: ModelInputs | None
    speech: bool


#: Window mode's segmenter: mono audio of one stream in, :class:`FeatureWindow` s out; the
#: :class:`~ser_edge.segment.protocol.Segmenter` protocol that utterance mode's segmenter also
#: offers (``push(block)``, ``flush()``, ``gap(n_samples)``).
WindowStream = Segmenter[FeatureWindow]


class Frontend(Protocol):
    """A model's frontend: audio at any rate -> the model's inputs.

    ``input_shapes``: the per-example shape of each input it makes (checked against the model
    at load).
    """

    spec: FrontendSpec
    input_shapes: InputShapes

    def features(self, mono: np.ndarray, sample_rate: int) -> ModelInputs:
        """The model's inputs (float32) for mono float audio (n,) at ``sample_rate`` Hz, with no
        speech check."""
        ...

    def has_speech(self, mono: np.ndarray, sample_rate: int) -> bool:
        """Whether the buffer holds speech (the classifier says "nothing said" otherwise)."""
        ...

    def speech_features(self, mono: np.ndarray, sample_rate: int) -> ModelInputs | None:
        """The model's inputs when the buffer holds speech, else None (one analysis for both)."""
        ...

    def probe_inputs(self) -> ModelInputs:
        """The inputs of the frontend's load-time test signal (the model's probe runs on them)."""
        ...

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> WindowStream:
        """Window mode for a stream at ``sample_rate`` Hz: windows every ``stream.hop`` seconds."""
        ...
