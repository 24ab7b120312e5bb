"""``python -m export``: argument parsing and dispatch; every expected failure is one line, exit 2."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .commands import (
    calibrate,
    card,
    card_figures,
    convert,
    evaluate,
    loco,
    metadata,
    quantize,
    to_npz,
    train,
    train_frames16k,
)
from .core.errors import ExportError, missing_extra
from .core.provenance import command_line

EXAMPLES = """examples:
  python -m export train-frames16k --ravdess ../shared/data/audio/ravdess --tess ../shared/data/audio/tess \\
      -o models/ser_edge.onnx --int8 --report cache/exp/cv.json --members cache/final
  python -m export loco --ravdess ../shared/data/audio/ravdess --tess ../shared/data/audio/tess \\
      --emovo ../shared/data/audio/emovo --held-out emovo --epochs 80 --report cache/exp/loco_emovo.json
  python -m export calibrate --ravdess ../shared/data/audio/ravdess --tess ../shared/data/audio/tess \\
      --cv cache/exp/cv.npz --members cache/final --base models/ser_edge.onnx -o models/ser_edge.onnx \\
      --int8 --report cache/exp/calibration_cv.json --figures models/
  python -m export card-figures --calibrated cache/exp/calibration_cv.npz -o models/
  python -m export convert ../shared/data/seed/SER_model.h5 -o /tmp/seed.onnx
  python -m export train --features ../shared/data/seed -o models/ser_edge_seed.onnx --recipe shipped \\
      --card models/seed.md
  python -m export train --features ../shared/data/seed -o /tmp/m.onnx --holdout-actors 19-24 --epochs 50
  python -m export evaluate models/ser_edge_seed.onnx --features ../shared/data/seed --actors 19-24
  python -m export to-npz ../shared/data/seed -o /tmp/features.npz
  python -m export card models/ser_edge_seed.onnx -o models/seed.md
  python -m export metadata models/ser_edge_seed.onnx models/ser_edge_seed_int8.onnx \
      --input-rates benchmarks/results/input_rates.json
"""

TRAIN_EXTRAS = ("tensorflow", "keras", "tf2onnx", "onnx")
TRAIN_FRAMES_EXTRAS = ("tf_keras", "tf2onnx", "onnx", "tqdm", "soundfile")
#: The subcommands, in the order of ``--help``: each module has ``add_parser(sub)`` and ``run(args)``.
COMMANDS = (
    train, train_frames16k, loco, calibrate, card_figures, convert, evaluate, to_npz, card, quantize,
    metadata,
)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m export",
        description="Train, convert and evaluate ser-edge models.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _require(*modules: str) -> None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise missing_extra(module)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input or missing extra)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_line = command_line(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        if args.command == "train":
            _require(*TRAIN_EXTRAS, *(("matplotlib",) if args.card else ()))
        if args.command in (train_frames16k.NAME, loco.NAME, "calibrate"):
            _require(*TRAIN_FRAMES_EXTRAS)
        if args.command == "convert":
            _require(*TRAIN_EXTRAS, "tf_keras")
        if args.command == "metadata":
            _require("onnx")
        if args.command in ("card", card_figures.NAME):
            _require("matplotlib", "onnx")
        return args.run(args)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
