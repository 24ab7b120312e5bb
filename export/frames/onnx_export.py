"""The ensemble graph to ONNX (tf2onnx) with the ``ser_edge.*`` metadata contract; int8 variant.

ONNX inputs: ``frames`` float32 (batch, time, n_mels) — :func:`ser_edge.frontend.pooling.cnn_input`
— and ``functionals`` float32 (batch, F) — :func:`ser_edge.frontend.pooling.functionals`;
output ``probs`` float32 (batch, 8), calibrated probabilities in ``ser_edge.labels`` order.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

LOGGER = logging.getLogger("export.frames.onnx_export")
OPSET = 17
INPUT_FRAMES = "frames"
INPUT_FUNCTIONALS = "functionals"
OUTPUT = "probs"
OUTPUT_CALIBRATED = "probs_calibrated"
CALIBRATED_INPUTS = (INPUT_FRAMES, INPUT_FUNCTIONALS, "speaker_mean", "speaker_std")


def to_onnx(model: Any, n_mels: int, n_func: int) -> Any:
    """An ``onnx.ModelProto`` of the Keras ensemble with a dynamic batch and time axis."""
    import tensorflow as tf
    import tf2onnx

    signature = [
        tf.TensorSpec((None, None, n_mels), tf.float32, name=INPUT_FRAMES),
        tf.TensorSpec((None, n_func), tf.float32, name=INPUT_FUNCTIONALS),
    ]

    @tf.function(input_signature=signature)
    def serve(frames: Any, functionals: Any) -> dict[str, Any]:
        return {OUTPUT: model([frames, functionals], training=False)}

    onnx_model, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=OPSET)
    return onnx_model


def calibrated_to_onnx(model: Any, n_mels: int, n_func: int) -> Any:
    """An ``onnx.ModelProto`` of :func:`~export.frames.models.build_calibrated_ensemble`:
    inputs ``frames``, ``functionals``, ``speaker_mean``, ``speaker_std``; outputs ``probs``
    then ``probs_calibrated`` (dynamic batch and time axes)."""
    import tensorflow as tf
    import tf2onnx

    signature = [
        tf.TensorSpec((None, None, n_mels), tf.float32, name=INPUT_FRAMES),
        *(tf.TensorSpec((None, n_func), tf.float32, name=n) for n in CALIBRATED_INPUTS[1:]),
    ]

    @tf.function(input_signature=signature)
    def serve(frames: Any, functionals: Any, speaker_mean: Any, speaker_std: Any) -> dict[str, Any]:
        probs, calibrated = model([frames, functionals, speaker_mean, speaker_std], training=False)
        return {OUTPUT: probs, OUTPUT_CALIBRATED: calibrated}

    onnx_model, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=OPSET)
    return order_outputs(onnx_model, (OUTPUT, OUTPUT_CALIBRATED))


def order_outputs(onnx_model: Any, names: tuple[str, ...]) -> Any:
    """The graph's outputs in the order ``names`` (the runtime reads the first as the model's)."""
    outputs = {o.name: o for o in onnx_model.graph.output}
    ordered = [outputs[n] for n in names]
    del onnx_model.graph.output[:]
    onnx_model.graph.output.extend(ordered)
    return onnx_model


def write(onnx_model: Any, out: Path, metadata: dict[str, Any]) -> Path:
    """Store ``metadata`` (values JSON-encoded) in ``metadata_props`` and write atomically."""
    import onnx

    for key, value in metadata.items():
        onnx_model.metadata_props.add(key=key, value=json.dumps(value))
    onnx_model.doc_string = "ser-edge v2 speech emotion model; contract in metadata_props ser_edge.*"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    onnx.save(onnx_model, str(tmp))
    os.replace(tmp, out)
    return out


def quantize_int8(src: Path, dst: Path) -> Path:
    """Dynamic int8 quantisation of the weights (onnxruntime.quantization), metadata kept."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
    q = onnx.load(str(dst))
    if not any(p.key == "ser_edge.labels" for p in q.metadata_props):
        for prop in onnx.load(str(src)).metadata_props:
            q.metadata_props.add(key=prop.key, value=prop.value)
        onnx.save(q, str(dst))
    return dst


def run_onnx(path: Path, frames: list[np.ndarray], func: np.ndarray) -> np.ndarray:
    """Probabilities of utterances one at a time through onnxruntime, (N, 8)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.concatenate(
        [
            sess.run(
                [OUTPUT],
                {
                    INPUT_FRAMES: f[None].astype(np.float32),
                    INPUT_FUNCTIONALS: func[i : i + 1].astype(np.float32),
                },
            )[0]
            for i, f in enumerate(frames)
        ]
    )
