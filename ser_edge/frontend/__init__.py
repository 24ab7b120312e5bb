"""Features out: what a frontend offers, the kinds a model may name, and the kinds themselves.

- :mod:`.protocol`: what every frontend kind offers (:class:`Frontend`, :class:`WindowStream`,
  :class:`FeatureWindow`; the model's inputs by name: ``ModelInputs``);
- :mod:`.registry`: the kinds a model may name (:func:`frontend_from_dict`, :func:`make_frontend`);
- :mod:`.dsp`: what both kinds compute the same way (the DCT matrix);
- :mod:`.mfcc_mean`: the seed-compatible kind (librosa-exact MFCC means);
- :mod:`.frames16k`: the default kind (16 kHz frames, pitch, Silero speech detection,
  pooling).

Imports :mod:`ser_edge.errors`, :mod:`ser_edge.settings`, :mod:`ser_edge.config`,
:mod:`ser_edge.audio` and :mod:`ser_edge.segment`; the two kinds never import each other.
"""

from __future__ import annotations

from .protocol import FeatureWindow, Frontend, FrontendSpec, ModelInputs, WindowStream
from .registry import frontend_from_dict, make_frontend

__all__ = ["FeatureWindow", "Frontend", "FrontendSpec", "ModelInputs", "WindowStream", "frontend_from_dict",
           "make_frontend"]
