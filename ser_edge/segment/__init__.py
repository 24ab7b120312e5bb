"""Segmentation, the stage before the classifier: a stream's energy gate, its recent audio and
its utterances.

- :mod:`.gate`: the per-frame energy gate (adaptive floor, hysteresis) and the DC blocker;
- :mod:`.buffer`: recent stream audio by absolute sample index (:class:`AudioBuffer`);
- :mod:`.utterances`: :class:`Segment` and :class:`UtteranceSegmenter`, the cheap energy
  pre-gate of utterance mode.
"""

from __future__ import annotations

from .buffer import AudioBuffer
from .gate import DCBlocker, EnergyGate, FramedGate
from .utterances import Segment, UtteranceSegmenter

__all__ = ["AudioBuffer", "DCBlocker", "EnergyGate", "FramedGate", "Segment", "UtteranceSegmenter"]
