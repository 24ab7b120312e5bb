"""What every ``ser-edge`` command shares: exit codes, usage errors, one-line errors, logging,
JSON lines, the model and output options."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import FRONTEND_KEY
from ..errors import ContractError, MissingExtraError, ModelError
from ..frontend import FrontendSpec, frontend_from_dict

if TYPE_CHECKING:
    from ..classifier import EmotionClassifier
    from ..model import EmotionModel

    #: What ``add_subparsers()`` returns: each command's ``add_*_parser(sub)`` takes it.
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

#: The CLI's own status lines ("listening to ...", "summary: ...") are INFO here and shown by
#: default; the library's loggers show warnings by default, INFO with -v, errors only with -q.
log = logging.getLogger("ser_edge.cli")
HANDLER_NAME = "ser-edge-cli"
#: What ``-v`` adds for a user (the model file, its frontend, each input's rate and resampling,
#: speech found, timings) and ``-vv`` more: a child of the library's logger, so it follows
#: -v/-vv/-q as the library does (silent by default).
details = logging.getLogger("ser_edge.run")


class UsageError(Exception):
    """Options that cannot work together (or a bad value): one line on stderr, exit status 2,
    raised before any model loads."""


def error_line(message: str) -> None:
    """One line on stderr, prefixed with the program name (shown even with ``-q``)."""
    print(f"ser-edge: {message}", file=sys.stderr, flush=True)


def flags_verb(given: set[str], verb: str = "apply") -> str:
    """Options and a verb that agrees: ``"--format applies"``, ``"--channels/--format apply"``
    (``verb``: "apply" or "need")."""
    singular = {"apply": "applies", "need": "needs"}[verb]
    return f"{'/'.join(sorted(given))} {singular if len(given) == 1 else verb}"


def emit_json(obj: Mapping[str, object]) -> None:
    """One JSON object per line on stdout, flushed at once."""
    print(json.dumps(obj, ensure_ascii=False), flush=True)


class OneLineFormatter(logging.Formatter):
    """``ser-edge: message``, or ``ser-edge: warning: message`` for warnings."""

    def format(self, record: logging.LogRecord) -> str:
        level = "warning: " if record.levelno == logging.WARNING else ""
        return f"ser-edge: {level}{record.getMessage()}"


def configure_logging(verbose: int = 0, quiet: bool = False) -> None:
    """Send the ``ser_edge`` loggers to stderr, one line per record (replaces an earlier call's handler).

    Default: the library's warnings and the CLI's status lines; ``verbose`` 1: the library's
    INFO too, 2: DEBUG; ``quiet``: errors only.
    """
    root = logging.getLogger("ser_edge")
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(OneLineFormatter())
    root.addHandler(handler)
    if quiet:
        library = cli = logging.ERROR
    else:
        library = (logging.WARNING, logging.INFO)[verbose] if verbose < 2 else logging.DEBUG
        cli = logging.DEBUG if verbose >= 2 else logging.INFO
    root.setLevel(library)
    log.setLevel(cli)


def positive_int(text: str) -> int:
    """argparse ``type=``: a whole number >= 1 (a usage error naming the value otherwise)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def add_output_options(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """``-v/--verbose`` and ``-q/--quiet``: on the top level and on every subcommand, so both
    ``ser-edge -v listen`` and ``ser-edge listen -v`` work (a subcommand's own value wins)."""
    g = parser.add_argument_group("messages on stderr")
    g.add_argument("-v", "--verbose", action="count", default=0 if top else argparse.SUPPRESS,
                   help="say what was run: the model file, its frontend and resampler, each input's rate, "
                        "speech found, timings (-vv: also each event's decision time, threads)")
    g.add_argument("-q", "--quiet", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="errors only")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model`` and ``--threads``, shared by every command that loads a model."""
    parser.add_argument("--model", metavar="PATH", help="ONNX model file, or a shipped model: 'seed' (the "
                        "seed-compatible MFCC-mean model), 'seed-int8', 'v2' (the v2 frames16k model by "
                        "name), 'v2-int8', 'int8' (the default model's int8 variant); default: the shipped "
                        "default model (today v2)")
    parser.add_argument("--threads", type=positive_int, default=1, metavar="N",
                        help="ONNX Runtime intra-op threads (default 1: edge devices share cores)")


def load_classifier(args: argparse.Namespace) -> EmotionClassifier:
    """The EmotionClassifier for ``--model``/``--threads`` (:func:`check_model_option` first)."""
    from ..classifier import EmotionClassifier

    check_model_option(args)
    started = time.perf_counter()
    classifier = EmotionClassifier.load(args.model, threads=args.threads)
    spec = classifier.spec.frontend
    details.info("model %s (%.0f KiB): %s frontend at %d Hz, %s resampler; loaded in %.2f s",
                 classifier.model.path, classifier.model.path.stat().st_size / 1024, spec.type,
                 spec.sample_rate, spec.resampler, time.perf_counter() - started)
    details.debug("ONNX Runtime: %d intra-op thread(s); labels %s", args.threads,
                  ", ".join(classifier.labels))
    return classifier


def resampling(rate: int, classifier: EmotionClassifier) -> str:
    """How an input at ``rate`` Hz reaches the model: ``48000 Hz, resampled to 16000 Hz (polyphase)``."""
    spec = classifier.spec.frontend
    if rate == spec.sample_rate:
        return f"{rate} Hz (the model's rate: no resampling)"
    return f"{rate} Hz, resampled to {spec.sample_rate} Hz ({spec.resampler})"


def load_model(args: argparse.Namespace) -> EmotionModel:
    """The EmotionModel for ``--model``/``--threads`` (:func:`check_model_option` first)."""
    from ..model import EmotionModel

    check_model_option(args)
    return EmotionModel.load(args.model, threads=getattr(args, "threads", 1))


def model_frontend(model: str | None) -> FrontendSpec | None:
    """The frontend of the model ``--model`` names (None: the default model), read from the
    file's metadata without loading it (no session); None when the file cannot be read or its
    frontend is not valid: the load then reports why."""
    from ..model import check_model_path, read_metadata, shipped_model_path

    try:
        props = read_metadata(shipped_model_path() if model is None else check_model_path(model))
        return frontend_from_dict(json.loads(props.get(FRONTEND_KEY, "{}")))
    except (ModelError, ContractError, ValueError):
        return None


def shipped_names() -> list[str]:
    """The ``--model`` shorthands of the shipped models (``float32`` is the default one)."""
    from ..model import SHIPPED_MODELS

    return [name for name in SHIPPED_MODELS if name != "float32"]


def check_model_option(args: argparse.Namespace) -> None:
    """UsageError (before anything loads) for a ``--model`` that is neither an existing path nor
    a shipped model's name; the message names the shorthands (``--model int16`` named none)."""
    from ..model import SHIPPED_MODELS

    value = getattr(args, "model", None)
    if value is None or value in SHIPPED_MODELS or Path(value).expanduser().exists():
        return
    raise UsageError(f"--model {value}: no such model file, and not the name of a shipped model: "
                     f"expected a path to an .onnx file or one of {', '.join(shipped_names())}")


def need_extra(module: str, package: str, extra: str, where: str) -> None:
    """UsageError (exit 2, before the model loads) when the optional ``module`` is not installed:
    ``WHERE: the optional package 'PACKAGE' is not installed: pip install 'ser-edge[EXTRA]'`` (the
    line every missing extra gives: --plot, listen's microphone and --mqtt, devices)."""
    try:
        importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{where}: {MissingExtraError(package, extra)}") from None
    except OSError:  # installed, but a system library is missing: the command itself says which
        pass
