"""ser-edge: speech emotion recognition on small CPU-only devices.

The runtime needs numpy, soundfile and onnxruntime (which also runs the default model's speech
detector, Silero VAD, vendored as an ONNX file). Start with :class:`EmotionClassifier`
(``EmotionClassifier.load().predict_file("x.wav")``); a model with speaker calibration learns its
speaker and microphone with a :class:`Calibration`.
"""

from __future__ import annotations

import logging

from .calibration import Calibration
from .classifier import EmotionClassifier, Prediction
from .config import CalibrationSpec
from .errors import AudioError, CalibrationError, ContractError, DeviceError, ModelError, SerEdgeError
from .frontend.frames16k import Frames16kSpec
from .frontend.mfcc_mean import MfccMeanSpec
from .model import EmotionModel, ModelSpec
from .version import __version__

# The library logs under "ser_edge" and is silent unless the application configures logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AudioError", "Calibration", "CalibrationError", "CalibrationSpec", "ContractError", "DeviceError",
    "EmotionClassifier", "EmotionModel", "Frames16kSpec", "MfccMeanSpec", "ModelError", "ModelSpec",
    "Prediction", "SerEdgeError", "__version__",
]
