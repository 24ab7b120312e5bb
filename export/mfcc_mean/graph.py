"""The MFCC-mean model as ONNX: a Keras model through tf2onnx with the ``ser_edge.*`` metadata.

The graph contract (documented in the model card): one input ``features`` float32
(batch, n_features, 1) with a dynamic batch dimension, one output ``scores`` float32
(batch, n_classes) of softmax probabilities, opset :data:`export.core.onnx_io.OPSET`.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ser_edge.model.contract import ModelSpec

from ..core.onnx_io import OPSET, import_extra, run, set_metadata


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


def max_difference(sess: Any, model: Any, X: np.ndarray) -> float:
    """Largest absolute difference between ONNX and Keras scores on rows ``X``."""
    keras_scores = np.asarray(model.predict(X[:, :, None].astype(np.float32), verbose=0, batch_size=1024))
    return float(np.max(np.abs(run(sess, X) - keras_scores)))
