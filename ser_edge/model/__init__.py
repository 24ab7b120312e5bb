"""The model: its file, its ONNX Runtime session, its contract, and EmotionModel.

- :mod:`.files`: the shipped models' names, ``--model`` resolution, safe reading of a file's
  bytes and ``metadata_props`` (a small protobuf reader, no session);
- :mod:`.session`: an ONNX Runtime session from the file's bytes (1 thread, no spinning by
  default; external data refused);
- :mod:`.dimensions`: arousal and valence: each label's point (the training targets of
  dimension heads) and their expectation under label probabilities;
- :mod:`.contract`: :class:`ModelSpec` (labels, frontend, provenance) and the checks that the
  graph keeps it (probabilities; the optional ``dimensions`` heads);
- :mod:`.rates`: the warning for input below the lowest rate measured as fine;
- :mod:`.emotion`: :class:`EmotionModel`, features -> class probabilities (and arousal/valence:
  :class:`ModelOutputs`).
"""

from __future__ import annotations

from .contract import ModelSpec
from .dimensions import DIMENSION_NAMES, DIMENSIONS, dimension_targets, dimensions_json, expected_dimensions
from .emotion import EmotionModel, ModelOutputs
from .files import (
    DEFAULT_MODEL,
    FRAMES16K_MODEL_NAME,
    MAX_MODEL_BYTES,
    SEED_INT8_NAME,
    SEED_MODEL_NAME,
    SHIPPED_MODELS,
    V2_INT8_NAME,
    V2_MODEL_NAME,
    check_model_path,
    read_metadata,
    sha256_of,
    shipped_model_path,
)
from .rates import rate_warning

__all__ = [
    "DEFAULT_MODEL", "DIMENSIONS", "DIMENSION_NAMES", "FRAMES16K_MODEL_NAME", "MAX_MODEL_BYTES",
    "SEED_INT8_NAME", "SEED_MODEL_NAME", "SHIPPED_MODELS", "V2_INT8_NAME", "V2_MODEL_NAME",
    "EmotionModel", "ModelOutputs", "ModelSpec",
    "check_model_path", "dimension_targets", "dimensions_json", "expected_dimensions", "rate_warning",
    "read_metadata", "sha256_of", "shipped_model_path",
]
