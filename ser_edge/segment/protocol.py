"""The one interface of both stream modes' segmenters: mono audio in, pieces to classify out.

Utterance mode: :class:`~ser_edge.segment.utterances.UtteranceSegmenter` gives
:class:`~ser_edge.segment.utterances.Segment` s; window mode: each frontend kind's window
stream (:class:`~ser_edge.frontend.protocol.WindowStream`) gives
:class:`~ser_edge.frontend.protocol.FeatureWindow` s. The stream engine drives either the same
way. It lives here, below the frontend, so that both kinds of segmenter can name it.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

Piece = TypeVar("Piece", covariant=True)


@runtime_checkable
class Segmenter(Protocol[Piece]):
    """Cuts one stream into pieces: ``push(block)`` takes samples (n,) at the stream's rate
    and returns the pieces it completes; ``flush()`` the rest at the end of the stream;
    ``gap(n_samples)`` says that ``n_samples`` were lost (what is open is closed and a new run
    starts after the gap)."""

    def push(self, block: np.ndarray) -> list[Piece]: ...

    def flush(self) -> list[Piece]: ...

    def gap(self, n_samples: int) -> list[Piece]: ...
