"""The ``mfcc_mean`` frontend kind (the seed-compatible model): librosa-exact MFCC means.

- :mod:`.mel` and :mod:`.mfcc`: the MFCC-mean features of a buffer (:func:`extract`);
- :mod:`.incremental`: sliding-window MFCC means of a stream, each frame computed once;
- :mod:`.activity`: frame levels and the energy "was anything said?" check;
- :mod:`.windows`: the windowed feature stream (window mode).
"""

from __future__ import annotations

from .activity import ActivitySpec, frame_rms_db, has_speech
from .incremental import IncrementalMfcc, WindowFeatures
from .mfcc import extract, mfcc_mean
from .windows import WindowFeatureStream

__all__ = [
    "ActivitySpec", "IncrementalMfcc", "WindowFeatureStream", "WindowFeatures", "extract", "frame_rms_db",
    "has_speech", "mfcc_mean",
]
