"""The one int8 quantizer (onnxruntime.quantization) of both pipelines: same contract, and a
record of what was done.

``dynamic``: int8 weights, activations quantized at run time (no data needed).
``static``: int8 weights and activations (QDQ), activation ranges calibrated on feature rows
(use rows the model was trained on, never its test rows).
:class:`Int8Settings` says how the weights are quantized; each pipeline names its own
(:data:`MFCC_MEAN_INT8`, :data:`FRAMES16K_INT8`). The quantized file keeps every
``metadata_props`` entry of its source; ``ser_edge.training`` gains a ``quantization`` object
(mode, settings, source SHA-256 and size, tool versions, and the caller's note).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.config import LABELS_KEY, TRAINING_KEY
from ser_edge.model import sha256_of

from .errors import ExportError
from .onnx_io import import_extra, save, set_metadata

MODES = ("dynamic", "static")


@dataclass(frozen=True)
class Int8Settings:
    """How the weights are quantized.

    ``per_channel``: one scale per output channel (else one per tensor); ``float_first_conv``:
    the first Conv stays float32; ``preprocess``: onnxruntime's shape inference and graph
    clean-up run first.
    """

    per_channel: bool = True
    float_first_conv: bool = True
    preprocess: bool = True

    def weights_text(self) -> str:
        """The ``weights`` entry of the record, e.g. 'int8 per channel (first Conv float32)'."""
        text = "int8 per channel" if self.per_channel else "int8 per tensor"
        return text + (" (first Conv float32)" if self.float_first_conv else "")


#: The MFCC-mean models: raw MFCC means span about -700..+200 (coefficient 0) next to +-20 for
#: the others, and one int8 scale for the first Conv's input costs the un-normalised original
#: model 10 % agreement, so that layer (320 weights) stays float32.
MFCC_MEAN_INT8 = Int8Settings()
#: The frames16k ensembles: every weight int8, one scale per tensor, the graph as converted.
FRAMES16K_INT8 = Int8Settings(per_channel=False, float_first_conv=False, preprocess=False)


class _Rows:
    """onnxruntime CalibrationDataReader over feature rows (n, n_features), one row at a time."""

    def __init__(self, name: str, rows: np.ndarray, rank: int) -> None:
        shaped = rows.astype(np.float32)
        self._rows = iter(shaped[:, :, None] if rank == 3 else shaped)
        self._name = name

    def get_next(self) -> dict[str, np.ndarray] | None:
        row = next(self._rows, None)
        return None if row is None else {self._name: row[None]}


def _preprocess(src: Path, tmp: Path) -> Path:
    """Shape inference + graph clean-up that onnxruntime recommends before quantizing."""
    from onnxruntime.quantization.shape_inference import quant_pre_process

    out = tmp / "pre.onnx"
    quant_pre_process(str(src), str(out), skip_symbolic_shape=True)
    return out


def _quantize(
    pre: Path, out: Path, mode: str, calibration: np.ndarray | None, settings: Int8Settings
) -> None:
    q = import_extra("onnxruntime.quantization")
    graph = import_extra("onnx").load(str(pre)).graph
    convs = [n.name for n in graph.node if n.op_type == "Conv"]
    first_conv = convs[:1] if settings.float_first_conv else []
    options: dict[str, Any] = {"per_channel": settings.per_channel}
    if first_conv:
        options["nodes_to_exclude"] = first_conv
    if mode == "dynamic":
        q.quantize_dynamic(str(pre), str(out), weight_type=q.QuantType.QInt8, **options)
        return
    if calibration is None or len(calibration) == 0:
        raise ExportError("quantize --mode static needs calibration rows (--features)")
    graph_input = graph.input[0]
    reader = _Rows(graph_input.name, calibration, len(graph_input.type.tensor_type.shape.dim))
    q.quantize_static(str(pre), str(out), reader, quant_format=q.QuantFormat.QDQ,
                      activation_type=q.QuantType.QInt8, weight_type=q.QuantType.QInt8,
                      calibrate_method=q.CalibrationMethod.MinMax, **options)


def _record(src: Path, mode: str, settings: Int8Settings, note: dict[str, Any] | None) -> dict[str, Any]:
    """The ``quantization`` object of the int8 file's ``ser_edge.training``."""
    import onnxruntime

    return {
        "mode": mode, "weights": settings.weights_text(),
        "activations": "int8, calibrated (MinMax, QDQ)" if mode == "static" else "int8 at run time",
        "settings": asdict(settings),
        "source_sha256": sha256_of(src), "source_bytes": src.stat().st_size,
        "onnxruntime": onnxruntime.__version__, "onnx": import_extra("onnx").__version__, **(note or {}),
    }


def quantize_model(src: Path, out: Path, mode: str = "dynamic", calibration: np.ndarray | None = None,
                   note: dict[str, Any] | None = None, settings: Int8Settings = MFCC_MEAN_INT8) -> Path:
    """Write the int8 version of ``src`` to ``out`` with the same metadata; returns ``out``.

    ``calibration``: feature rows (n, n_features) for ``mode="static"``. ``note`` is added to
    the ``quantization`` record (e.g. which rows calibrated it).
    """
    if mode not in MODES:
        raise ExportError(f"quantize --mode: expected one of {MODES}, got {mode!r}")
    if not src.is_file():
        raise ExportError(f"quantize: model file '{src}' not found")
    onnx = import_extra("onnx")
    props = {p.key: p.value for p in onnx.load(str(src)).metadata_props}
    if TRAINING_KEY not in props and LABELS_KEY not in props:
        raise ExportError(f"quantize: '{src}' has no ser_edge metadata; it was not written by this tool")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "q.onnx"
        pre = _preprocess(src, Path(tmp)) if settings.preprocess else src
        _quantize(pre, raw, mode, calibration, settings)
        model = onnx.load(str(raw))
    training = json.loads(props.get(TRAINING_KEY, "{}"))
    training["quantization"] = _record(src, mode, settings, note)
    props[TRAINING_KEY] = json.dumps(training)
    del model.metadata_props[:]  # only the source's entries (the pre-processing adds its own)
    set_metadata(model, props)
    return save(model, out)
