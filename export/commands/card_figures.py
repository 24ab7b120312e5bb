"""``python -m export card-figures``: the default (frames16k) model card's PNGs from saved CV
predictions, and their figures as JSON on stdout.

``--calibrated NPZ`` (beside a ``calibrate --report``; what ``calibrate --figures`` draws): the
calibrated model's confusion matrices and reliability diagram. ``--cnn NPZ --mlp NPZ`` (two
``train-frames16k --cv-only --report`` runs): the uncalibrated ensemble's.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..core.errors import ExportError

NAME = "card-figures"


def add_parser(sub: Any) -> None:
    """The ``card-figures`` subcommand's arguments."""
    p = sub.add_parser(NAME, help="draw the default (frames16k) model card's PNGs from saved CV predictions")
    p.add_argument("--cnn", type=Path, help="CV .npz of the CNN member (train-frames16k --no-mlp)")
    p.add_argument("--mlp", type=Path, help="CV .npz of the MLP member (train-frames16k --cnn-seeds 0)")
    p.add_argument("--calibrated", type=Path,
                   help="instead: the .npz beside a `calibrate --report` (the calibrated model)")
    p.add_argument("-o", "--output", type=Path, default=Path("models"), help="folder for the PNGs")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the PNGs into ``-o`` and print the figures as JSON; 0 on success."""
    from ..frames16k.card_figures import calibrated_figures, member_figures

    if not args.output.is_dir():
        raise ExportError(f"{NAME}: -o {args.output}: not a folder")
    for npz in (args.calibrated, args.cnn, args.mlp):
        if npz is not None and not npz.is_file():
            raise ExportError(f"{NAME}: {npz}: no such file")
    if args.calibrated:
        figures = calibrated_figures(args.calibrated, args.output)
    elif args.cnn and args.mlp:
        figures = member_figures(args.cnn, args.mlp, args.output)
    else:
        raise ExportError(f"{NAME}: give --cnn and --mlp, or --calibrated")
    print(json.dumps(figures, indent=1))
    return 0
