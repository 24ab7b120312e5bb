"""int8 quantization of a ser-edge ONNX model with onnxruntime.quantization, same contract.

``dynamic``: int8 weights, activations quantized at run time (no data needed).
In both modes the first Conv (the layer that reads the raw features: 320 weights) stays
float32: raw MFCC means span about -700..+200 (coefficient 0) next to +-20 for the others,
and one int8 scale for that input costs the un-normalised original model 10 % agreement.
``static``: int8 weights and activations (QDQ), activation ranges calibrated on feature
rows (use rows the model was trained on, never its test rows).
The quantized file keeps every ``metadata_props`` entry of its source; ``ser_edge.training``
gains a ``quantization`` object (mode, source SHA-256, tool versions, calibration rows).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.config import TRAINING_KEY

from .errors import ExportError
from .onnx_io import import_extra, save, set_metadata

MODES = ("dynamic", "static")


class _Rows:
    """onnxruntime CalibrationDataReader over feature rows (n, n_features), one row at a time."""

    def __init__(self, name: str, rows: np.ndarray, rank: int) -> None:
        shaped = rows.astype(np.float32)
        self._rows = iter(shaped[:, :, None] if rank == 3 else shaped)
        self._name = name

    def get_next(self) -> dict[str, np.ndarray] | None:
        row = next(self._rows, None)
        return None if row is None else {self._name: row[None]}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _preprocess(src: Path, tmp: Path) -> Path:
    """Shape inference + graph clean-up that onnxruntime recommends before quantizing."""
    from onnxruntime.quantization.shape_inference import quant_pre_process

    out = tmp / "pre.onnx"
    quant_pre_process(str(src), str(out), skip_symbolic_shape=True)
    return out


def _quantize(pre: Path, out: Path, mode: str, calibration: np.ndarray | None) -> None:
    q = import_extra("onnxruntime.quantization")
    onnx = import_extra("onnx")
    graph = onnx.load(str(pre)).graph
    first_conv = [n.name for n in graph.node if n.op_type == "Conv"][:1]
    if mode == "dynamic":
        q.quantize_dynamic(str(pre), str(out), weight_type=q.QuantType.QInt8, per_channel=True,
                           nodes_to_exclude=first_conv)
        return
    if calibration is None or len(calibration) == 0:
        raise ExportError("quantize --mode static needs calibration rows (--features)")
    graph_input = graph.input[0]
    rank = len(graph_input.type.tensor_type.shape.dim)
    reader = _Rows(graph_input.name, calibration, rank)
    q.quantize_static(str(pre), str(out), reader, quant_format=q.QuantFormat.QDQ,
                      activation_type=q.QuantType.QInt8, weight_type=q.QuantType.QInt8,
                      per_channel=True, calibrate_method=q.CalibrationMethod.MinMax,
                      nodes_to_exclude=first_conv)


def quantize_model(src: Path, out: Path, mode: str = "dynamic", calibration: np.ndarray | None = None,
                   note: dict[str, Any] | None = None) -> Path:
    """Write the int8 version of ``src`` to ``out`` with the same metadata; returns ``out``.

    ``calibration``: feature rows (n, n_features) for ``mode="static"``. ``note`` is added to
    the ``quantization`` record (e.g. which rows calibrated it).
    """
    if mode not in MODES:
        raise ExportError(f"quantize --mode: expected one of {MODES}, got {mode!r}")
    if not src.is_file():
        raise ExportError(f"quantize: model file '{src}' not found")
    onnx = import_extra("onnx")
    source = onnx.load(str(src))
    props = {p.key: p.value for p in source.metadata_props}
    if TRAINING_KEY not in props and "ser_edge.labels" not in props:
        raise ExportError(f"quantize: '{src}' has no ser_edge metadata; it was not written by this tool")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "q.onnx"
        _quantize(_preprocess(src, Path(tmp)), raw, mode, calibration)
        model = onnx.load(str(raw))
    training = json.loads(props.get(TRAINING_KEY, "{}"))
    import onnxruntime

    training["quantization"] = {
        "mode": mode, "weights": "int8 per channel (first Conv float32)",
        "activations": "int8, calibrated (MinMax, QDQ)" if mode == "static" else "int8 at run time",
        "source_sha256": _sha256(src), "source_bytes": src.stat().st_size,
        "onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__, **(note or {}),
    }
    props[TRAINING_KEY] = json.dumps(training)
    del model.metadata_props[:]  # only the source's entries (the pre-processing adds its own)
    set_metadata(model, props)
    return save(model, out)
