"""Features out: what a frontend offers, the kinds a model may name, and the kinds themselves.

- :mod:`.protocol`: what every frontend kind offers (:class:`Frontend`, :class:`WindowStream`,
  :class:`FeatureWindow`; the model's inputs by name: ``ModelInputs``);
- :mod:`.registry`: the kinds a model may name (:func:`make_frontend`);
- :mod:`.mfcc_mean`: the seed-compatible kind (librosa-exact MFCC means);
- :mod:`.frames16k`: the default kind (16 kHz frames, pitch, Silero speech detection,
  pooling), imported only when a model names it.

Imports :mod:`ser_edge.config`, :mod:`ser_edge.errors`, :mod:`ser_edge.audio` and
:mod:`ser_edge.segment`.
"""

from __future__ import annotations

from .protocol import FeatureWindow, Frontend, WindowStream
from .registry import make_frontend

__all__ = ["FeatureWindow", "Frontend", "WindowStream", "make_frontend"]
