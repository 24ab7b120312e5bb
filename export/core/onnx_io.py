"""The one ONNX writer of both pipelines (``onnx.checker``, then an atomic write), the one opset,
the ``metadata_props`` editing, and onnxruntime sessions for the build-time checks.

Every file is self-contained (weights inside, no external data) and carries the ``ser_edge.*``
contract in its ``metadata_props``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .errors import ExportError, missing_extra
from .files import write_atomic

#: The ONNX opset of every graph the export tools convert (tf2onnx).
OPSET = 17


def set_metadata(onnx_model: Any, props: dict[str, str]) -> None:
    """Replace (or add) each key of ``props`` in the model's ``metadata_props``."""
    kept = [p for p in onnx_model.metadata_props if p.key not in props]
    del onnx_model.metadata_props[:]
    for prop in kept:
        onnx_model.metadata_props.add(key=prop.key, value=prop.value)
    for key, value in props.items():
        onnx_model.metadata_props.add(key=key, value=value)


def save(onnx_model: Any, out: str | Path) -> Path:
    """Check the model with ``onnx.checker`` and write it in one piece, atomically."""
    onnx = import_extra("onnx")
    try:
        onnx.checker.check_model(onnx_model)
    except onnx.checker.ValidationError as exc:
        raise ExportError(f"the converted model is not valid ONNX: {exc}") from None
    return write_atomic(Path(out), onnx_model.SerializeToString())


def session(path: str | Path) -> Any:
    """An onnxruntime CPU session for the model at ``path``."""
    import onnxruntime as ort

    try:
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises several unrelated types
        raise ExportError(f"cannot load '{path}' with onnxruntime: {exc}") from None


def run(sess: Any, X: np.ndarray) -> np.ndarray:
    """Scores float32 (n, n_classes) for rows ``X`` (n, n_features), shaped as the model's input."""
    node = sess.get_inputs()[0]
    rows = X.astype(np.float32)
    if len(node.shape) == 3:
        rows = rows[:, :, None]
    return np.asarray(sess.run(None, {node.name: rows})[0])


def metadata(sess: Any) -> dict[str, str]:
    """The model's ``metadata_props`` (custom metadata map) as a dict."""
    return dict(sess.get_modelmeta().custom_metadata_map)


def import_extra(module: str) -> Any:
    """Import ``module``, or raise the ExportError naming the extra that provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing_extra(module) from None
