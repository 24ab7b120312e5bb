"""``python -m export card MODEL.onnx -o CARD.md``: (re)write a model card from its training record."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    """The ``card`` subcommand's arguments."""
    card = sub.add_parser("card", help="(re)write the model card and PNGs from a model's training record")
    card.add_argument("model", help="an .onnx file written by `train`")
    card.add_argument("-o", "--output", required=True, help="the Markdown file to write (PNGs go beside it)")
    card.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the model card and its PNGs from the ``ser_edge.training`` record of a model."""
    from ..core.card import write_card

    for path in write_card(Path(args.model), Path(args.output)):
        print(f"wrote {path}")
    return 0
