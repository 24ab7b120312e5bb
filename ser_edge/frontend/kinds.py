"""The frontend kinds a model may name, and :func:`make_frontend`, which builds one.

Adding a kind: a class implementing :class:`~ser_edge.frontend.protocol.Frontend` (whole
buffers and a :class:`~ser_edge.frontend.protocol.WindowStream`) and an entry in FRONTENDS.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..config import FeatureSpec, StreamSpec
from ..errors import ContractError
from .activity import ActivitySpec, has_speech
from .mfcc import extract
from .protocol import Frontend
from .windows import WindowFeatureStream


class MfccMeanFrontend:
    """The seed-compatible frontend: the mean of librosa-exact MFCCs at the model rate
    (:func:`~ser_edge.frontend.mfcc.extract`), speech by frame energy
    (:func:`~ser_edge.frontend.activity.has_speech`)."""

    def __init__(self, spec: FeatureSpec, activity: ActivitySpec | None = None) -> None:
        self.spec = spec
        self.activity = activity or ActivitySpec()

    def features(self, mono: np.ndarray, sample_rate: int) -> np.ndarray:
        """MFCC means (n_mfcc,) float32 of mono audio (n,) at ``sample_rate`` Hz."""
        return extract(mono, sample_rate, self.spec)

    def has_speech(self, mono: np.ndarray, sample_rate: int) -> bool:
        """Whether enough frames stand above the floor and the buffer's quiet level."""
        return has_speech(mono, sample_rate, self.activity)

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> WindowFeatureStream:
        """Resample once, share STFT frames between windows (:mod:`.windows`)."""
        return WindowFeatureStream(stream, self.spec, sample_rate, self.activity)


#: Frontend kind (``FeatureSpec.type``) -> its class (called with the spec and ActivitySpec).
FRONTENDS: dict[str, Callable[[FeatureSpec, ActivitySpec | None], Frontend]] = {
    "mfcc_mean": MfccMeanFrontend,
}


def make_frontend(spec: FeatureSpec, activity: ActivitySpec | None = None) -> Frontend:
    """The frontend a model's contract names; ContractError for a kind this runtime lacks."""
    make = FRONTENDS.get(spec.type)
    if make is None:
        raise ContractError(f"frontend type: expected one of {tuple(FRONTENDS)}, got {spec.type!r}")
    return make(spec, activity)
