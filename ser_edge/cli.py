"""The ``ser-edge`` command line: classify | listen | info | devices.

Exit status: 0 all good; 1 some inputs failed (each named on stderr in one line);
2 usage error (bad arguments, unusable model). Bad input never prints a traceback;
set SER_EDGE_DEBUG=1 to see one for an unexpected internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import ModelError, SerEdgeError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EPILOG = """examples:
  ser-edge classify speech.wav other.flac
  ser-edge classify --json recordings/*.wav > results.jsonl
  ser-edge listen                      # default microphone, one line per utterance
  ser-edge listen --input talk.wav --json
  ser-edge info
"""


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
    from .classifier import EmotionClassifier

    return EmotionClassifier.load(args.model, threads=args.threads)


def _format_row(path: str, pred: Any, width: int) -> str:
    if pred.label is None:
        return f"{path:<{width}}  {'(no speech)':<11}"
    top = sorted(pred.scores.items(), key=lambda kv: -kv[1])[1:3]
    others = "  ".join(f"{k} {v:.2f}" for k, v in top)
    return f"{path:<{width}}  {pred.label:<11} {pred.confidence:5.2f}   ({others})"


def _classify_one(clf: Any, path: str, args: argparse.Namespace, width: int) -> bool:
    """Classify one file and print its result; False when the file failed."""
    try:
        if args.timeline:
            return _timeline_one(clf, path, args)
        pred = clf.predict_file(path)
    except SerEdgeError as exc:
        error_line(str(exc))
        if args.json:
            emit_json({"file": path, "error": str(exc)})
        return False
    if args.json:
        emit_json({"file": path, **pred.to_dict()})
    else:
        print(_format_row(path, pred, width), flush=True)
    return True


def _timeline_one(clf: Any, path: str, args: argparse.Namespace) -> bool:
    from .frontend.audio import read_audio
    from .stream.engine import timeline

    samples, rate = read_audio(path)
    for event in timeline(clf, samples, rate):
        row = {"file": path, **event.to_dict()}
        if args.json:
            emit_json(row)
        else:
            print(f"{path}  {row['start']:7.2f}-{row['end']:7.2f}s  {row['label']:<11} "
                  f"{row['confidence']:.2f}", flush=True)
    return True


def cmd_classify(args: argparse.Namespace) -> int:
    clf = load_classifier(args)
    width = min(60, max(len(f) for f in args.files))
    if not args.json and not args.timeline:
        print(f"{'FILE':<{width}}  {'LABEL':<11} {'CONF':>5}   (NEXT)", flush=True)
    ok = [_classify_one(clf, f, args, width) for f in args.files]
    return EXIT_OK if all(ok) else EXIT_FAILED


def cmd_info(args: argparse.Namespace) -> int:
    from .model import EmotionModel, sha256_of

    model = EmotionModel.load(args.model, threads=args.threads)
    spec = model.spec
    info = {
        "path": str(model.path),
        "sha256": sha256_of(model.path),
        "size_bytes": model.path.stat().st_size,
        "input": {"name": spec.input_name, "shape": ["batch", *spec.input_shape]},
        "output": {"name": spec.output_name, "shape": ["batch", len(spec.labels)]},
        "labels": list(spec.labels),
        "frontend": spec.frontend.to_dict(),
        "training": spec.training,
    }
    if args.json:
        emit_json(info)
        return EXIT_OK
    for key in ("path", "sha256", "size_bytes"):
        print(f"{key:<10} {info[key]}")
    print(f"{'input':<10} {spec.input_name} {info['input']['shape']} float32")
    print(f"{'output':<10} {spec.output_name} {info['output']['shape']} probabilities")
    print(f"{'labels':<10} {', '.join(spec.labels)}")
    print("frontend   " + json.dumps(info["frontend"], indent=2).replace("\n", "\n           "))
    print("training   " + json.dumps(info["training"], indent=2).replace("\n", "\n           "))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ser-edge", description="Speech emotion recognition on small CPU-only devices.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ser-edge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("classify", help="classify audio files (one result per file)")
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV files (FLAC/OGG need soundfile)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--timeline", action="store_true",
                   help="classify each utterance of a long recording (one event per utterance)")
    add_model_options(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("info", help="show the model's labels, frontend, training metadata and SHA-256")
    p.add_argument("--json", action="store_true", help="one JSON object")
    add_model_options(p)
    p.set_defaults(func=cmd_info)

    from .cli_listen import add_devices_parser, add_listen_parser

    add_listen_parser(sub)
    add_devices_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ser-edge`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ModelError, SerEdgeError) as exc:
        error_line(str(exc))
        return EXIT_USAGE if isinstance(exc, ModelError) else EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("SER_EDGE_DEBUG"):
            raise
        error_line(f"internal error: {type(exc).__name__}: {exc} (set SER_EDGE_DEBUG=1 for details)")
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
