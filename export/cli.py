"""``python -m export``: argument parsing and dispatch; every expected failure is one line, exit 2."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .errors import ExportError, missing_extra
from .provenance import command_line

EXAMPLES = """examples:
  python -m export convert ../shared/data/seed/SER_model.h5 -o /tmp/seed.onnx
  python -m export train --features ../shared/data/seed -o models/ser_edge.onnx --recipe shipped \\
      --card models/README.md
  python -m export train --features ../shared/data/seed -o /tmp/m.onnx --holdout-actors 19-24 --epochs 50
  python -m export evaluate models/ser_edge.onnx --features ../shared/data/seed --actors 19-24
  python -m export to-npz ../shared/data/seed -o /tmp/features.npz
  python -m export card models/ser_edge.onnx -o models/README.md
"""

TRAIN_EXTRAS = ("tensorflow", "keras", "tf2onnx", "onnx")


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
    _add_train(sub)
    _add_file_commands(sub)
    from .cmd_quantize import add_quantize_parser

    add_quantize_parser(sub)
    return parser


def _add_train(sub: Any) -> None:
    train = sub.add_parser("train", help="measure a recipe, train on the data, write ONNX (+ card)")
    train.add_argument(
        "--features",
        required=True,
        help="folder with features.npz or X.joblib + y.joblib (+ metadata.csv), or an .npz file",
    )
    train.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    train.add_argument(
        "--recipe",
        default="shipped",
        help="preset name (original, shipped, mlp, mlp_band, mlp_bandmap) or a JSON file",
    )
    train.add_argument("--epochs", type=int, help="override the recipe's epochs")
    train.add_argument("--batch-size", type=int, help="override the recipe's batch size")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument(
        "--protocol",
        default="both",
        choices=["both", "speaker-independent", "seed-split", "none"],
        help="how to measure the recipe before the final fit on all rows (default both)",
    )
    train.add_argument(
        "--holdout-actors",
        metavar="LIST",
        help="e.g. 19-24 or 1,3,5: test on these actors, "
        "train on the rest (replaces --protocol; the written model never saw them)",
    )
    train.add_argument(
        "--band-audio",
        metavar="DIR",
        help="audio folder (unlabeled) to learn the 16 kHz band-limit map from, for recipes "
        "with aug_bandmap (e.g. mlp_bandmap); features by the runtime's frontend",
    )
    train.add_argument(
        "--card", metavar="PATH", help="also write the model card (Markdown) and its PNGs there"
    )


def _add_file_commands(sub: Any) -> None:
    convert = sub.add_parser("convert", help="convert the original Keras .h5 model to ONNX")
    convert.add_argument("h5", help="the Keras 2 .h5 file (e.g. SER_model.h5)")
    convert.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    evaluate = sub.add_parser("evaluate", help="accuracy, UAR, per-class report of an ONNX model")
    evaluate.add_argument("model", help="an .onnx file written by this tool")
    evaluate.add_argument("--features", required=True, help="features folder or .npz (as for train)")
    evaluate.add_argument("--actors", metavar="LIST", help="only these actors' rows, e.g. 19-24")
    evaluate.add_argument("--json", action="store_true", help="one JSON object instead of text")
    to_npz = sub.add_parser("to-npz", help="convert a joblib features folder to a plain-array .npz once")
    to_npz.add_argument("features", help="folder with X.joblib + y.joblib (+ metadata.csv)")
    to_npz.add_argument("-o", "--output", required=True, help="the .npz file to write")
    card = sub.add_parser("card", help="(re)write the model card and PNGs from a model's training record")
    card.add_argument("model", help="an .onnx file written by `train`")
    card.add_argument("-o", "--output", required=True, help="the Markdown file to write (PNGs go beside it)")


def _require(*modules: str) -> None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise missing_extra(module)


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function running subcommand ``name``, after checking its optional packages."""
    if name == "train":
        from .cmd_train import run_train

        return run_train
    if name == "convert":
        from .cmd_convert import run_convert

        return run_convert
    if name == "evaluate":
        from .cmd_evaluate import run_evaluate

        return run_evaluate
    if name == "quantize":
        from .cmd_quantize import run_quantize

        return run_quantize
    from .cmd_files import run_card, run_to_npz

    return run_card if name == "card" else run_to_npz


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input or missing extra)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_line = command_line(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        if args.command == "train":
            _require(*TRAIN_EXTRAS, *(("matplotlib",) if args.card else ()))
        if args.command == "convert":
            _require(*TRAIN_EXTRAS, "tf_keras")
        if args.command == "card":
            _require("matplotlib", "onnx")
        return _command(args.command)(args)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
