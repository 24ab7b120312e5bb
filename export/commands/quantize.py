"""``python -m export quantize IN.onnx -o OUT.onnx [--mode dynamic|static]``: an int8 model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ExportError
from ..core.folds import parse_actors
from ..core.quantize import quantize_model
from ..mfcc_mean.loaders import load_features


def add_parser(sub: Any) -> None:
    """The ``quantize`` subcommand's arguments."""
    p = sub.add_parser("quantize", help="write an int8 version of a model (same metadata contract)")
    p.add_argument("model", help="an .onnx file written by this tool")
    p.add_argument("-o", "--output", required=True, help="the int8 .onnx file to write")
    p.add_argument("--mode", choices=["dynamic", "static"], default="dynamic",
                   help="dynamic: int8 weights (default); static: int8 weights+activations, calibrated")
    p.add_argument("--features", help="calibration rows for --mode static (folder or .npz, as for train)")
    p.add_argument("--exclude-actors", metavar="LIST",
                   help="leave these actors' rows out of calibration (the model's test actors)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix != ".onnx" or not out.parent.is_dir():
        raise ExportError(f"-o: expected a .onnx path in an existing folder, got '{out}'")
    rows, note = None, {}
    if args.mode == "static":
        if not args.features:
            raise ExportError("quantize --mode static needs --features (calibration rows)")
        data = load_features(args.features)
        keep = np.ones(len(data), dtype=bool)
        if args.exclude_actors:
            if data.actors is None:
                raise ExportError("--exclude-actors needs metadata.csv with an 'actor' column")
            keep = ~np.isin(data.actors, parse_actors(args.exclude_actors))
        rows = data.X[keep]
        note = {"calibration_rows": int(keep.sum()),
                "calibration_excluded_actors": args.exclude_actors or None}
    written = quantize_model(Path(args.model), out, args.mode, rows, note)
    print(f"wrote {written} ({written.stat().st_size / 1024:.0f} KiB, {args.mode} int8)", file=sys.stdout)
    return 0
