"""Tiny ONNX models made at test time (needs the `onnx` package from the dev extra).

A linear layer + softmax over 40 features (and a frames16k one with two inputs): enough to
exercise loading, the metadata contract and shape checks without the shipped model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

LABELS = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]


def tiny_model(
    path: Path,
    *,
    n_in: int = 40,
    n_out: int = 8,
    metadata: dict[str, str] | None = None,
    seed: int = 0,
) -> Path:
    """Write a [N, n_in, 1] -> [N, n_out] softmax model with ``metadata`` props to ``path``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    weights = numpy_helper.from_array(rng.normal(0, 0.1, (n_in, n_out)).astype(np.float32), "W")
    shape = numpy_helper.from_array(np.array([-1, n_in], dtype=np.int64), "shape")
    nodes = [
        helper.make_node("Reshape", ["features", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "W"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n_in, 1])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", n_out])],
        initializer=[weights, shape],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in (metadata or {}).items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.save(model, str(path))
    return path


def contract(labels: list[str] | None = None, **frontend: object) -> dict[str, str]:
    """Metadata props with the default frontend (overridden by ``frontend``) and ``labels``."""
    from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

    spec = MfccMeanSpec(**frontend)  # type: ignore[arg-type]
    return {
        "ser_edge.labels": json.dumps(labels or LABELS),
        "ser_edge.frontend": json.dumps(spec.to_dict()),
        "ser_edge.training": json.dumps({"data": "random weights (test fixture)"}),
    }


def tiny_frames_model(path: Path, *, seed: int = 0, training: dict | None = None) -> Path:
    """Write a tiny frames16k model: inputs ``frames`` [N, T, n_mels] (T any) and ``functionals``
    [N, F], output ``probs`` [N, 8] = softmax([mean over time of frames, functionals] @ W);
    metadata: the default Frames16kSpec, the 8 labels."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from ser_edge.frontend.frames16k.pooling import n_functionals
    from ser_edge.frontend.frames16k.spec import Frames16kSpec

    spec = Frames16kSpec()
    n_mels, n_func = spec.n_mels, n_functionals(spec)
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.05, (n_mels + n_func, len(LABELS))).astype(np.float32)
    weights = numpy_helper.from_array(w, "W")
    nodes = [
        helper.make_node("ReduceMean", ["frames"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("Concat", ["pooled", "functionals"], ["joined"], axis=1),
        helper.make_node("MatMul", ["joined", "W"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_frames",
        [helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["N", "T", n_mels]),
         helper.make_tensor_value_info("functionals", TensorProto.FLOAT, ["N", n_func])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", len(LABELS)])],
        initializer=[weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    metadata = {"ser_edge.labels": json.dumps(LABELS), "ser_edge.frontend": json.dumps(spec.to_dict()),
                "ser_edge.training": json.dumps(training or {"data": "random weights (test fixture)"})}
    for key, value in metadata.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.save(model, str(path))
    return path


def tiny_calibration_prior(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The training prior (mean, std), float64 (F,), that :func:`tiny_calibrated_model` stores."""
    from ser_edge.frontend.frames16k.pooling import n_functionals
    from ser_edge.frontend.frames16k.spec import Frames16kSpec

    rng = np.random.default_rng(seed + 1000)
    n_func = n_functionals(Frames16kSpec())
    return rng.normal(0, 1, n_func), rng.uniform(0.5, 2.0, n_func)


def tiny_calibrated_model(
    path: Path,
    *,
    seed: int = 0,
    prior_utterances: float = 10.0,
    min_utterances: int = 1,
    metadata_key: bool = True,
    calibrated_graph: bool = True,
) -> Path:
    """Write a tiny frames16k model with speaker calibration (docs: notes/calibration_contract.md).

    Inputs ``frames`` [N, T, n_mels], ``functionals``, ``speaker_mean``, ``speaker_std`` [N, F];
    outputs ``probs`` = softmax([mean over time of frames, functionals] @ W) (as tiny_frames_model)
    and ``probs_calibrated`` = softmax([pooled, (functionals - speaker_mean) / speaker_std] @ W2);
    the weights are initializers "W"/"W2" (see :func:`calibrated_reference`). Metadata: the
    default Frames16kSpec with a "calibration" key (prior from :func:`tiny_calibration_prior`).
    ``metadata_key=False`` / ``calibrated_graph=False`` leave out the key / the calibration
    inputs and output (for the contract refusals).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from ser_edge.config import CalibrationSpec
    from ser_edge.frontend.frames16k.pooling import n_functionals
    from ser_edge.frontend.frames16k.spec import Frames16kSpec

    prior_mean, prior_std = tiny_calibration_prior(seed)
    calibration = CalibrationSpec(mean=tuple(prior_mean), std=tuple(prior_std),
                                  prior_utterances=prior_utterances, min_utterances=min_utterances)
    spec = Frames16kSpec(calibration=calibration if metadata_key else None)
    n_mels, n_func, n_out = spec.n_mels, n_functionals(spec), len(LABELS)
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.05, (n_mels + n_func, n_out)).astype(np.float32)
    w2 = rng.normal(0, 0.5, (n_mels + n_func, n_out)).astype(np.float32)
    nodes = [
        helper.make_node("ReduceMean", ["frames"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("Concat", ["pooled", "functionals"], ["joined"], axis=1),
        helper.make_node("MatMul", ["joined", "W"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
    ]
    inputs = [helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["N", "T", n_mels]),
              helper.make_tensor_value_info("functionals", TensorProto.FLOAT, ["N", n_func])]
    outputs = [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", n_out])]
    if calibrated_graph:
        nodes += [
            helper.make_node("Sub", ["functionals", "speaker_mean"], ["centred"]),
            helper.make_node("Div", ["centred", "speaker_std"], ["normalised"]),
            helper.make_node("Concat", ["pooled", "normalised"], ["joined2"], axis=1),
            helper.make_node("MatMul", ["joined2", "W2"], ["logits2"]),
            helper.make_node("Softmax", ["logits2"], ["probs_calibrated"], axis=-1),
        ]
        inputs += [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", n_func])
                   for name in ("speaker_mean", "speaker_std")]
        outputs.append(helper.make_tensor_value_info("probs_calibrated", TensorProto.FLOAT, ["N", n_out]))
    initializers = [numpy_helper.from_array(w, "W")]
    if calibrated_graph:
        initializers.append(numpy_helper.from_array(w2, "W2"))
    graph = helper.make_graph(nodes, "tiny_calibrated", inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    metadata = {"ser_edge.labels": json.dumps(LABELS), "ser_edge.frontend": json.dumps(spec.to_dict()),
                "ser_edge.training": json.dumps({"data": "random weights (test fixture)"})}
    for key, value in metadata.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.save(model, str(path))
    return path


def calibrated_reference(path: Path, frames: np.ndarray, functionals: np.ndarray,
                         mean: np.ndarray | None = None, std: np.ndarray | None = None) -> np.ndarray:
    """numpy's (8,) probabilities of a :func:`tiny_calibrated_model` file for one example:
    ``frames`` (T, n_mels), ``functionals`` (F,); with ``mean``/``std`` (F,) the calibrated
    output, without them the uncalibrated ``probs``."""
    import onnx
    from onnx import numpy_helper

    weights = {t.name: numpy_helper.to_array(t).astype(np.float64)
               for t in onnx.load(str(path)).graph.initializer}
    pooled = np.asarray(frames, dtype=np.float32).astype(np.float64).mean(axis=0)
    x = np.asarray(functionals, dtype=np.float32).astype(np.float64)
    if mean is None:
        logits = np.concatenate([pooled, x]) @ weights["W"]
    else:
        m = np.asarray(mean, dtype=np.float32).astype(np.float64)
        s = np.asarray(std, dtype=np.float32).astype(np.float64)
        logits = np.concatenate([pooled, (x - m) / s]) @ weights["W2"]
    e = np.exp(logits - logits.max())
    return e / e.sum()


def add_dimension_heads(
    path: Path,
    *,
    source: str = "flat",
    output: str = "dimensions",
    n_dims: int = 2,
    sigmoid: bool = True,
    scale: float = 0.002,
    seed: int = 7,
) -> Path:
    """Add arousal/valence heads to a fixture model file in place: output ``output`` [N, n_dims]
    = sigmoid(``source`` @ W + b) (W ~ N(0, ``scale``) (n_in, n_dims), n_in the rows of the
    graph's "W"; b = (1, -1, ...)), the shape of trained heads. ``source``: the graph's input to
    the class layer ("flat" in :func:`tiny_model`, "joined" in :func:`tiny_frames_model` and
    :func:`tiny_calibrated_model`, whose calibrated one is "joined2"). ``n_dims`` other than 2 or
    ``sigmoid=False`` make the heads break the contract."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    n_in = next(numpy_helper.to_array(t).shape[0] for t in model.graph.initializer if t.name == "W")
    rng = np.random.default_rng(seed)
    weights = rng.normal(0, scale, (n_in, n_dims)).astype(np.float32)
    bias = np.resize(np.array([1.0, -1.0], dtype=np.float32), n_dims)
    model.graph.initializer.extend([numpy_helper.from_array(weights, f"{output}_W"),
                                    numpy_helper.from_array(bias, f"{output}_b")])
    last = f"{output}_logits" if sigmoid else output
    model.graph.node.extend([helper.make_node("MatMul", [source, f"{output}_W"], [f"{output}_mm"]),
                             helper.make_node("Add", [f"{output}_mm", f"{output}_b"], [last])])
    if sigmoid:
        model.graph.node.append(helper.make_node("Sigmoid", [last], [output]))
    model.graph.output.append(helper.make_tensor_value_info(output, TensorProto.FLOAT, ["N", n_dims]))
    onnx.save(model, str(path))
    return path
