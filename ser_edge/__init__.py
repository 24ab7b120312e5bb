"""ser-edge: speech emotion recognition on small CPU-only devices.

The runtime needs numpy, soundfile and onnxruntime (the default model's speech detector, Silero
VAD, is a vendored model file computed with numpy). Start with :class:`EmotionClassifier`
(``EmotionClassifier.load().predict_file("x.wav")``); a model with speaker calibration learns its
speaker and microphone with a :class:`Calibration`.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

# One thread for numpy's BLAS, as for the ONNX Runtime sessions: OpenBLAS would otherwise run
# the frame features' and the speech detector's matrix products on every core and keep those
# threads spinning (3x the CPU time of one utterance). Takes effect when ser_edge is imported
# before numpy (the command line); a value the caller has set wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# glibc's malloc hands freed blocks over 128 KiB back to the kernel and maps them again for the
# next utterance; those page faults were ~2 of the ~10 ms per 3 s utterance. Blocks under 4 MiB
# come from the heap, which keeps up to 8 MiB free (peak RSS unchanged), unless MALLOC_* are set.
if sys.platform.startswith("linux") and not any(k.startswith("MALLOC_") for k in os.environ):
    try:
        _mallopt = ctypes.CDLL(None).mallopt  # glibc; other C libraries lack it
    except (OSError, AttributeError):
        _mallopt = None
    if _mallopt is not None:
        _mallopt(-1, 8 << 20)  # M_TRIM_THRESHOLD
        _mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD

from .calibration import Calibration  # noqa: E402
from .classifier import EmotionClassifier, Prediction  # noqa: E402
from .config import CalibrationSpec  # noqa: E402
from .errors import AudioError, CalibrationError, ContractError, DeviceError, ModelError, SerEdgeError  # noqa: E402
from .frontend.frames16k import Frames16kSpec  # noqa: E402
from .frontend.mfcc_mean import MfccMeanSpec  # noqa: E402
from .model import EmotionModel, ModelSpec  # noqa: E402
from .version import __version__  # noqa: E402

# The library logs under "ser_edge" and is silent unless the application configures logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AudioError", "Calibration", "CalibrationError", "CalibrationSpec", "ContractError", "DeviceError",
    "EmotionClassifier", "EmotionModel", "Frames16kSpec", "MfccMeanSpec", "ModelError", "ModelSpec",
    "Prediction", "SerEdgeError", "__version__",
]
