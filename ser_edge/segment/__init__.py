"""Segmentation, the stage before the classifier: a stream's energy gate, its recent audio and
its utterances.

- :mod:`.gate`: the per-frame energy gate (adaptive floor, hysteresis) and the DC blocker;
- :mod:`.buffer`: recent stream audio by absolute sample index (:class:`AudioBuffer`);
- :mod:`.utterances`: :class:`Segment` and :class:`UtteranceSegmenter`, the cheap energy
  pre-gate of utterance mode;
- :mod:`.protocol`: :class:`Segmenter`, what both stream modes' segmenters offer (utterances
  here, each frontend kind's window stream).
"""

from __future__ import annotations

from .buffer import AudioBuffer
from .gate import DCBlocker, EnergyGate, FramedGate
from .protocol import Segmenter
from .utterances import Segment, UtteranceSegmenter

__all__ = [
    "AudioBuffer", "DCBlocker", "EnergyGate", "FramedGate", "Segment", "Segmenter", "UtteranceSegmenter",
]
