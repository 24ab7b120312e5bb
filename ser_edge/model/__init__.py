"""The model: its file, its ONNX Runtime session, its contract, and EmotionModel.

- :mod:`.files`: the shipped models' names, ``--model`` resolution, safe reading of a file's
  bytes and ``metadata_props`` (a small protobuf reader, no session);
- :mod:`.session`: an ONNX Runtime session from the file's bytes (1 thread, no spinning by
  default; external data refused);
- :mod:`.contract`: :class:`ModelSpec` (labels, frontend, provenance) and the checks that the
  graph keeps it;
- :mod:`.rates`: the warning for input below the lowest rate measured as fine;
- :mod:`.emotion`: :class:`EmotionModel`, features -> class probabilities.
"""

from __future__ import annotations

from .contract import ModelSpec
from .emotion import EmotionModel
from .files import (
    DEFAULT_MODEL,
    FRAMES16K_MODEL_NAME,
    MAX_MODEL_BYTES,
    SEED_INT8_NAME,
    SEED_MODEL_NAME,
    SHIPPED_MODELS,
    check_model_path,
    read_metadata,
    sha256_of,
    shipped_model_path,
)
from .rates import rate_warning

__all__ = [
    "DEFAULT_MODEL", "FRAMES16K_MODEL_NAME", "MAX_MODEL_BYTES", "SEED_INT8_NAME", "SEED_MODEL_NAME",
    "SHIPPED_MODELS", "EmotionModel", "ModelSpec", "check_model_path", "rate_warning",
    "read_metadata", "sha256_of", "shipped_model_path",
]
