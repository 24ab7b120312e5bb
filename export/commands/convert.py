"""``python -m export convert H5 -o OUT.onnx``: the original Keras 2 model, same ONNX contract."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ser_edge.config import DEFAULT_LABELS
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.model.contract import ModelSpec

from ..core.errors import ExportError, missing_extra
from ..core.onnx_io import OPSET, save
from ..core.provenance import record, versions
from ..mfcc_mean.graph import keras_to_onnx

ORIGINAL_METRICS = {
    "seed-split (reported by the original project, not re-measured)": {"accuracy": 0.8547},
}


def load_h5(path: Path) -> Any:
    """The Keras 2 model in an .h5 file, loaded with ``tf_keras`` (Keras 3 rejects its config)."""
    if not path.is_file():
        raise ExportError(f"convert: model file '{path}' not found")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import tf_keras
    except ImportError:
        raise missing_extra("tf_keras") from None
    try:
        return tf_keras.models.load_model(str(path), compile=False)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"convert: cannot load '{path}' as a Keras .h5 model: {exc}") from None


def add_parser(sub: Any) -> None:
    """The ``convert`` subcommand's arguments."""
    convert = sub.add_parser("convert", help="convert the original Keras .h5 model to ONNX")
    convert.add_argument("h5", help="the Keras 2 .h5 file (e.g. SER_model.h5)")
    convert.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    convert.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Convert, attach the contract (labels, frontend, provenance), write atomically."""
    out = Path(args.output)
    if out.suffix != ".onnx" or not out.parent.is_dir():
        raise ExportError(f"-o: expected a .onnx path in an existing folder, got '{out}'")
    model = load_h5(Path(args.h5))
    shape = tuple(model.input_shape[1:])
    if len(shape) != 2 or shape[1] != 1 or model.output_shape[-1] != len(DEFAULT_LABELS):
        raise ExportError(
            f"convert: expected input (None, n, 1) and output (None, {len(DEFAULT_LABELS)}), "
            f"got {model.input_shape} -> {model.output_shape}"
        )
    training = record(
        {
            "source": Path(args.h5).name,
            "note": "The original project's model (Keras 2.3, 2020), converted unchanged.",
        },
        "not re-measured by this export; see `python -m export evaluate`",
        ORIGINAL_METRICS,
        args.command_line,
        model={
            "parameters": int(model.count_params()),
            "opset": OPSET,
            "tools": versions(),
            "input": f"features [batch, {shape[0]}, 1] float32",
            "output": "scores [batch, 8] softmax",
        },
    )
    spec = ModelSpec(labels=DEFAULT_LABELS, frontend=MfccMeanSpec(), training=training, input_shape=shape)
    written = save(keras_to_onnx(model, shape[0], spec), out)
    print(f"wrote {written} ({written.stat().st_size / 1024:.0f} KiB)", file=sys.stdout)
    return 0
