"""MfccMeanFrontend: the ``mfcc_mean`` kind as a :class:`~ser_edge.frontend.protocol.Frontend`."""

from __future__ import annotations

import numpy as np

from ...config import StreamSpec
from ..dsp import probe_noise
from ..protocol import InputShapes, ModelInputs
from .activity import ActivitySpec, has_speech
from .mfcc import INPUT_NAME, extract
from .spec import MfccMeanSpec
from .windows import WindowFeatureStream

#: Length (s) of the test signal the MFCC-mean frontend makes for the model's load-time probe.
PROBE_SECONDS = 0.5


class MfccMeanFrontend:
    """The seed-compatible frontend: the mean of librosa-exact MFCCs at the model rate
    (:func:`~ser_edge.frontend.mfcc_mean.mfcc.extract`), speech by frame energy
    (:func:`~ser_edge.frontend.mfcc_mean.activity.has_speech`). One input: ``{"features": (n_mfcc,)}``."""

    def __init__(self, spec: MfccMeanSpec, activity: ActivitySpec | None = None) -> None:
        self.spec = spec
        self.activity = activity or ActivitySpec()
        self.input_shapes: InputShapes = {INPUT_NAME: (spec.n_features,)}

    def features(self, mono: np.ndarray, sample_rate: int) -> ModelInputs:
        """``{"features": MFCC means (n_mfcc,) float32}`` of mono audio (n,) at ``sample_rate`` Hz."""
        return {INPUT_NAME: extract(mono, sample_rate, self.spec)}

    def has_speech(self, mono: np.ndarray, sample_rate: int) -> bool:
        """Whether enough frames stand above the floor and the buffer's quiet level."""
        return has_speech(mono, sample_rate, self.activity)

    def speech_features(self, mono: np.ndarray, sample_rate: int) -> ModelInputs | None:
        """:meth:`features` when :meth:`has_speech`, else None."""
        return self.features(mono, sample_rate) if self.has_speech(mono, sample_rate) else None

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> WindowFeatureStream:
        """Resample once, share STFT frames between windows (:mod:`.windows`)."""
        return WindowFeatureStream(stream, self.spec, sample_rate, self.activity)

    def probe_inputs(self) -> ModelInputs:
        """The features of PROBE_SECONDS of a 220 Hz tone in noise at the model rate."""
        rate = self.spec.sample_rate
        t = np.arange(int(PROBE_SECONDS * rate)) / rate
        noise = probe_noise(len(t), 0.01)
        return self.features((0.3 * np.sin(2 * np.pi * 220.0 * t) + noise).astype(np.float32), rate)


