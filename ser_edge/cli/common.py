"""What every ``ser-edge`` command shares: exit codes, one-line errors, JSON lines, model options."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def error_line(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    print(f"ser-edge: {message}", file=sys.stderr, flush=True)


def emit_json(obj: dict[str, Any]) -> None:
    """One JSON object per line on stdout, flushed at once."""
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model`` and ``--threads``, shared by every command that loads a model."""
    parser.add_argument("--model", metavar="PATH", help="ONNX model file, or 'int8' for the shipped "
                        "int8 model (default: the shipped float32 model)")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="ONNX Runtime intra-op threads (default 1: edge devices share cores)")


def load_classifier(args: argparse.Namespace) -> Any:
    """The EmotionClassifier for ``--model``/``--threads``."""
    from ..classifier import EmotionClassifier

    return EmotionClassifier.load(args.model, threads=args.threads)
