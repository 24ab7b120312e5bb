"""The ``mfcc_mean`` frontend kind (the seed-compatible model): librosa-exact MFCC means.

- :mod:`.spec`: :class:`MfccMeanSpec`, the kind's contract (every setting checked);
- :mod:`.mel` and :mod:`.mfcc`: the MFCC-mean features of a buffer (:func:`extract`);
- :mod:`.incremental`: sliding-window MFCC means of a stream, each frame computed once;
- :mod:`.activity`: the energy "was anything said?" check (:class:`ActivitySpec`);
- :mod:`.windows`: the windowed feature stream (window mode);
- :mod:`.frontend`: :class:`MfccMeanFrontend`, the kind as a frontend.
"""

from __future__ import annotations

from .activity import ActivitySpec, has_speech
from .frontend import MfccMeanFrontend
from .incremental import IncrementalMfcc, WindowFeatures
from .mfcc import extract, mfcc_mean
from .spec import MFCC_MEAN_TYPE, MfccMeanSpec
from .windows import WindowFeatureStream

__all__ = [
    "MFCC_MEAN_TYPE", "ActivitySpec", "IncrementalMfcc", "MfccMeanFrontend", "MfccMeanSpec",
    "WindowFeatureStream", "WindowFeatures", "extract", "has_speech", "mfcc_mean",
]
