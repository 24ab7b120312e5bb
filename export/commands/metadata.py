"""``python -m export metadata MODEL.onnx... [--input-rates FIGURES.json]``: rewrite the
``ser_edge.training`` record of existing models in place, the graph untouched.

Always: absolute paths (the building machine's data folders and command line) are cut to
their last component, as ``train`` now writes them. A quantized model whose
``quantization.source_sha256`` names a model rewritten earlier in the same call gets that
model's new SHA-256 (its graph is the same). With ``--input-rates``: the measured accuracy per
input sample rate (``benchmarks/results/input_rates.json``, from ``benchmarks/bandlimit.py``)
is stored as ``input_rates``; the runtime's rate warnings read it (``ModelSpec.rate_warning``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ser_edge.config import INPUT_RATES_KEY, TRAINING_KEY
from ser_edge.model import sha256_of

from ..core.errors import ExportError
from ..core.onnx_io import import_extra, save, set_metadata
from ..core.provenance import portable


def add_parser(sub: Any) -> None:
    """The ``metadata`` subcommand's arguments."""
    p = sub.add_parser("metadata", help="strip absolute paths from models' training records (in place); "
                       "optionally record measured input-rate figures")
    p.add_argument("models", nargs="+", help=".onnx files written by this tool (rewritten in place)")
    p.add_argument("--input-rates", metavar="JSON",
                   help="measured figures per input rate to store as ser_edge.training.input_rates")
    p.set_defaults(run=run)


def rewrite_training(path: Path, input_rates: dict[str, Any] | None,
                     renamed: dict[str, tuple[str, int]] | None = None) -> bool:
    """Rewrite one model's training record; True when it changed. The graph stays byte-identical.

    ``renamed``: old SHA-256 -> (new SHA-256, size) of source models rewritten before.
    """
    onnx = import_extra("onnx")
    model = onnx.load(str(path))
    graph = model.graph.SerializeToString()
    props = {p.key: p.value for p in model.metadata_props}
    if TRAINING_KEY not in props:
        raise ExportError(f"{path}: no '{TRAINING_KEY}' metadata (not written by this tool?)")
    training = portable(json.loads(props[TRAINING_KEY]))
    if input_rates is not None:
        training[INPUT_RATES_KEY] = input_rates
    quantization = training.get("quantization", {})
    if (renamed or {}).get(quantization.get("source_sha256")):
        quantization["source_sha256"], quantization["source_bytes"] = renamed[quantization["source_sha256"]]
    new = json.dumps(training)
    if new == props[TRAINING_KEY]:
        return False
    set_metadata(model, {TRAINING_KEY: new})
    if model.graph.SerializeToString() != graph:
        raise ExportError(f"{path}: the graph changed while rewriting metadata; nothing written")
    save(model, path)
    return True


def run(args: argparse.Namespace) -> int:
    figures = None
    if args.input_rates:
        try:
            figures = json.loads(Path(args.input_rates).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ExportError(f"--input-rates: cannot read '{args.input_rates}' ({exc})") from None
        if not isinstance(figures, dict) or not isinstance(figures.get("min_fine_rate"), int):
            raise ExportError(f"--input-rates: expected an object with 'min_fine_rate', got {figures!r}")
    renamed: dict[str, tuple[str, int]] = {}
    for model in map(Path, args.models):
        before = sha256_of(model)
        changed = rewrite_training(model, figures, renamed)
        renamed[before] = (sha256_of(model), model.stat().st_size)
        print(f"{'rewrote' if changed else 'unchanged'} {model}")
    return 0
