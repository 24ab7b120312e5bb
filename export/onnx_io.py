"""Keras -> ONNX with tf2onnx, the ``ser_edge.*`` metadata, atomic writing and onnxruntime checks.

The graph contract (documented in the model card): one input ``features`` float32
(batch, n_features, 1) with a dynamic batch dimension, one output ``scores`` float32
(batch, n_classes) of softmax probabilities. Opset 17. The file is self-contained
(weights inside, no external data).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.model.contract import ModelSpec

from .errors import ExportError, missing_extra
from .loaders import write_atomic

OPSET = 17


def keras_to_onnx(model: Any, n_features: int, spec: ModelSpec) -> Any:
    """An ``onnx.ModelProto`` of a Keras (3 or tf_keras) ``model`` with ``spec`` in its metadata."""
    tf, tf2onnx = import_extra("tensorflow"), import_extra("tf2onnx")
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    signature = (tf.TensorSpec((None, n_features, 1), tf.float32, name=spec.input_name),)

    @tf.function(input_signature=signature)
    def serve(x: Any) -> dict[str, Any]:
        return {spec.output_name: model(x, training=False)}

    onnx_model, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=OPSET)
    for value in (*onnx_model.graph.input, *onnx_model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    set_metadata(onnx_model, spec.to_metadata())
    onnx_model.doc_string = "ser-edge speech emotion model; contract in metadata_props ser_edge.*"
    return onnx_model


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


def max_difference(sess: Any, model: Any, X: np.ndarray) -> float:
    """Largest absolute difference between ONNX and Keras scores on rows ``X``."""
    keras_scores = np.asarray(model.predict(X[:, :, None].astype(np.float32), verbose=0, batch_size=1024))
    return float(np.max(np.abs(run(sess, X) - keras_scores)))


def import_extra(module: str) -> Any:
    """Import ``module``, or raise the ExportError naming the extra that provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing_extra(module) from None
