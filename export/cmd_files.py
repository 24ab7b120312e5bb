"""``python -m export to-npz`` and ``python -m export card``: file conversions without training."""

from __future__ import annotations

import argparse
from pathlib import Path

from .errors import ExportError
from .loaders import load_features, write_npz


def run_to_npz(args: argparse.Namespace) -> int:
    """Read a (joblib) features folder once and write it as a plain-array .npz."""
    out = Path(args.output)
    if out.suffix != ".npz":
        raise ExportError(f"-o: expected a path ending in .npz, got '{out}'")
    data = load_features(args.features)
    write_npz(data, out)
    print(f"wrote {out}: X {data.X.shape} float32, y {data.y.shape}, metadata columns {sorted(data.meta)}")
    return 0


def run_card(args: argparse.Namespace) -> int:
    """Write the model card and its PNGs from the ``ser_edge.training`` record of a model."""
    from .card import write_card

    for path in write_card(Path(args.model), Path(args.output)):
        print(f"wrote {path}")
    return 0
