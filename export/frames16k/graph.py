"""The frames16k ensemble graph to ONNX (tf2onnx) with the ``ser_edge.*`` metadata contract, and
onnxruntime runs of the written file (writing and int8: :mod:`export.core`).

ONNX inputs: ``frames`` float32 (batch, time, n_mels) — :func:`ser_edge.frontend.frames16k.pooling.cnn_input`
— and ``functionals`` float32 (batch, F) — :func:`ser_edge.frontend.frames16k.pooling.functionals`;
output ``probs`` float32 (batch, 8), calibrated probabilities in ``ser_edge.labels`` order, and
with dimension heads ``dimensions`` float32 (batch, 2), arousal and valence in [0, 1].
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..core.onnx_io import OPSET, set_metadata

INPUT_FRAMES = "frames"
INPUT_FUNCTIONALS = "functionals"
OUTPUT = "probs"
INPUTS = (INPUT_FRAMES, INPUT_FUNCTIONALS)
CALIBRATED_INPUTS = (*INPUTS, "speaker_mean", "speaker_std")


def to_onnx(model: Any, n_mels: int, n_func: int, calibrated: bool = False) -> Any:
    """An ``onnx.ModelProto`` of the Keras ensemble with a dynamic batch and time axis: inputs
    ``frames`` and ``functionals``, output ``probs`` (then ``dimensions`` when the members have
    dimension heads); ``calibrated`` (:func:`~export.frames16k.models.build_calibrated_ensemble`):
    also the inputs ``speaker_mean``, ``speaker_std`` and the output ``probs_calibrated``, after
    ``probs``. The outputs are the Keras model's, by their layer names."""
    import tensorflow as tf
    import tf2onnx

    names = CALIBRATED_INPUTS if calibrated else INPUTS
    outputs = tuple(model.output_names)
    signature = [
        tf.TensorSpec((None, None, n_mels), tf.float32, name=INPUT_FRAMES),
        *(tf.TensorSpec((None, n_func), tf.float32, name=n) for n in names[1:]),
    ]

    @tf.function(input_signature=signature)
    def serve(*inputs: Any) -> dict[str, Any]:
        result = model(list(inputs), training=False)
        return dict(zip(outputs, result if len(outputs) > 1 else [result], strict=True))

    onnx_model, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=OPSET)
    return order_outputs(onnx_model, outputs)


def order_outputs(onnx_model: Any, names: tuple[str, ...]) -> Any:
    """The graph's outputs in the order ``names`` (the runtime reads the first as the model's)."""
    outputs = {o.name: o for o in onnx_model.graph.output}
    ordered = [outputs[n] for n in names]
    del onnx_model.graph.output[:]
    onnx_model.graph.output.extend(ordered)
    return onnx_model


def with_contract(onnx_model: Any, metadata: dict[str, Any]) -> Any:
    """``onnx_model`` with ``metadata`` (values JSON-encoded) in its ``metadata_props`` and the
    model's doc string; write it with :func:`export.core.onnx_io.save`."""
    set_metadata(onnx_model, {key: json.dumps(value) for key, value in metadata.items()})
    onnx_model.doc_string = "ser-edge v2 speech emotion model; contract in metadata_props ser_edge.*"
    return onnx_model


def run_onnx(
    path: Path, feeds: list[dict[str, np.ndarray]], outputs: tuple[str, ...] = (OUTPUT,)
) -> np.ndarray:
    """``outputs`` of examples one at a time through onnxruntime, side by side: (N, sum of the
    outputs' widths), e.g. (N, 8) for ``probs`` alone, (N, 8 + 2) with ``dimensions``, for
    ``feeds`` (input name -> (1, ...) float32 each)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.array([np.concatenate(sess.run(list(outputs), f), axis=-1)[0] for f in feeds])


def ensemble_feeds(frames: list[np.ndarray], func: np.ndarray) -> list[dict[str, np.ndarray]]:
    """The feeds of :func:`run_onnx` for utterances: ``frames`` (T, n_mels) each, ``func`` (N, F)."""
    return [
        {INPUT_FRAMES: f[None].astype(np.float32), INPUT_FUNCTIONALS: func[i : i + 1].astype(np.float32)}
        for i, f in enumerate(frames)
    ]
