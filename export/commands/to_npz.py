"""``python -m export to-npz FEATURES -o OUT.npz``: a joblib features folder as a plain-array .npz, once."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.errors import ExportError
from ..mfcc_mean.loaders import load_features, write_npz


def add_parser(sub: Any) -> None:
    """The ``to-npz`` subcommand's arguments."""
    to_npz = sub.add_parser("to-npz", help="convert a joblib features folder to a plain-array .npz once")
    to_npz.add_argument("features", help="folder with X.joblib + y.joblib (+ metadata.csv)")
    to_npz.add_argument("-o", "--output", required=True, help="the .npz file to write")
    to_npz.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read a (joblib) features folder once and write it as a plain-array .npz."""
    out = Path(args.output)
    if out.suffix != ".npz":
        raise ExportError(f"-o: expected a path ending in .npz, got '{out}'")
    data = load_features(args.features)
    write_npz(data, out)
    print(f"wrote {out}: X {data.X.shape} float32, y {data.y.shape}, metadata columns {sorted(data.meta)}")
    return 0
