"""What a frontend offers the classifier: features of a whole buffer, the speech check, and a
windowed feature stream for window mode (:class:`Frontend`, :class:`WindowStream`).

A model names its frontend kind (``FeatureSpec.type``); :func:`ser_edge.frontend.kinds.make_frontend`
builds the implementation. A new kind (e.g. a 16 kHz frame frontend with its own speech
detector) implements these two protocols and is added there; the classifier and the stream
engine stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..config import FeatureSpec, StreamSpec


@dataclass(frozen=True)
class FeatureWindow:
    """A window of a stream that holds voiced frames; times in stream seconds.

    ``features``: the model's input (n_features,) float32, or None when the window is too
    short to analyse (the last window of a stream shorter than one analysis frame).
    ``speech``: whether the frontend's speech check passed on the window's samples (only
    windows with speech are classified). ``decided_at``: stream time when it was known.
    """

    start: float
    end: float
    decided_at: float
    features: np.ndarray | None
    speech: bool


class WindowStream(Protocol):
    """Mono audio of one stream in, :class:`FeatureWindow` s out (window mode's segmenter).

    ``push(block)`` takes samples (n,) at the stream's rate and returns the windows it
    completes; ``flush()`` the rest at the end of the stream; ``gap(n_samples)`` says that
    ``n_samples`` were lost (the run so far is closed and a new one starts after the gap).
    """

    def push(self, block: np.ndarray) -> list[FeatureWindow]: ...

    def flush(self) -> list[FeatureWindow]: ...

    def gap(self, n_samples: int) -> list[FeatureWindow]: ...


class Frontend(Protocol):
    """A model's frontend: audio at any rate -> the model's input features."""

    spec: FeatureSpec

    def features(self, mono: np.ndarray, sample_rate: int) -> np.ndarray:
        """The model's input (n_features,) float32 for mono float audio (n,) at ``sample_rate`` Hz."""
        ...

    def has_speech(self, mono: np.ndarray, sample_rate: int) -> bool:
        """Whether the buffer holds speech (the classifier says "nothing said" otherwise)."""
        ...

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> WindowStream:
        """Window mode for a stream at ``sample_rate`` Hz: windows every ``stream.hop`` seconds."""
        ...
