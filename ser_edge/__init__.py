"""ser-edge: speech emotion recognition on small CPU-only devices.

The runtime needs numpy, soundfile and onnxruntime (the default model's speech detector, Silero
VAD, is a vendored model file computed with numpy). Start with :class:`EmotionClassifier`
(``EmotionClassifier.load().predict_file("x.wav")``); a model with speaker calibration learns its
speaker and microphone with a :class:`Calibration`.
"""

from __future__ import annotations

import logging

from .process import single_thread_blas

single_thread_blas()  # before numpy's first import (ser_edge.process says why)

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
