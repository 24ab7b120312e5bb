"""Live audio in, events out: sources -> bounded queue -> utterances | windows -> events.

The segmenting (the energy gate, utterances, the windowed feature stream) is the frontend's
(:mod:`ser_edge.segment.utterances`, the classifier's ``window_stream``); the engine drives
either through one :class:`~ser_edge.segment.protocol.Segmenter` protocol.

- :mod:`.protocol`: what the engine works with: :class:`Source` (every source implements it)
  and the classifier's interface (:class:`Classifier`, its :class:`Result`);
- :mod:`.blocks`: the chunk type, the bounded :class:`BlockQueue`, the sources' base class;
- :mod:`.sources`: file replay and raw PCM on a pipe (:func:`open_input` picks file or mic);
- :mod:`.mic`: input devices through sounddevice (the ``mic`` extra);
- :mod:`.events`: :class:`Event`, :class:`StreamStats`, score smoothing;
- :mod:`.engine`: :class:`StreamEngine` and :func:`listen` / :func:`run` / :func:`timeline` /
  :func:`timeline_file`.

Imports config, errors, frontend (and the classifier's interface, never its module).
"""

from __future__ import annotations

from .blocks import BlockQueue, Chunk, SourceBase
from .engine import StopListening, StreamEngine, listen, run, timeline, timeline_file
from .events import Event, ScoreSmoother, StreamStats
from .protocol import Classifier, Result, Source
from .sources import FileSource, PcmSource, open_input

__all__ = [
    "BlockQueue", "Chunk", "Classifier", "Event", "FileSource", "PcmSource", "Result", "ScoreSmoother",
    "Source", "SourceBase", "StopListening", "StreamEngine", "StreamStats", "listen",
    "open_input", "run", "timeline", "timeline_file",
]
