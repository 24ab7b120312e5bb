"""The ``ser-edge`` command line: classify | listen | info | devices | calibration.

Exit status: 0 all good; 1 some inputs failed (each named on stderr in one line), or no input
device; 2 usage error (bad arguments, options that do not apply, unusable model, a missing
extra: the same for --plot, listen and devices). Every option is
checked before the model loads (each subcommand's ``check``). Bad input never prints a
traceback; set SER_EDGE_DEBUG=1 to see one for an unexpected internal error.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence

from ..errors import ConfigError, MissingExtraError, ModelError, SerEdgeError
from ..process import tune_allocator
from ..version import __version__
from .calibration import add_calibration_parser
from .classify import add_classify_parser, add_info_parser
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_output_options,
    configure_logging,
    error_line,
)
from .devices import add_devices_parser
from .listen import add_listen_parser

EPILOG = """examples:
  ser-edge classify speech.wav other.flac
  ser-edge classify --json recordings/*.wav > results.jsonl
  ser-edge listen                      # default microphone, one line per utterance
  ser-edge listen --input talk.wav --json
  ser-edge classify --calibrate one-speaker/*.wav    # learn the voice first, then classify
  ser-edge listen --calibration /var/lib/ser-edge/calibration.json
  ser-edge calibration show /var/lib/ser-edge/calibration.json
  ser-edge info
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser; each subcommand's parser is its ``command_parser`` default."""
    parser = argparse.ArgumentParser(
        prog="ser-edge", description="Speech emotion recognition on small CPU-only devices.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ser-edge {__version__}")
    add_output_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (add_classify_parser, add_info_parser, add_listen_parser, add_devices_parser,
                add_calibration_parser):
        p = add(sub)
        add_output_options(p)
        p.set_defaults(command_parser=p)
    return parser


def unrecognized(extra: list[str], parser: argparse.ArgumentParser) -> str:
    """argparse's "unrecognized arguments" message, with "did you mean ...?" for a near option."""
    known = [s for action in parser._actions for s in action.option_strings]  # argparse has no public list
    hints = []
    for arg in extra:
        close = difflib.get_close_matches(arg.split("=")[0], known, n=1, cutoff=0.6)
        hints += [f"did you mean {close[0]}?"] if close and arg.startswith("--") else []
    return "; ".join([f"unrecognized arguments: {' '.join(extra)}", *hints])


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parsed arguments; an unknown option is reported by its subcommand's parser (exit 2)."""
    args, extra = build_parser().parse_known_args(argv)
    if extra:
        args.command_parser.error(unrecognized(extra, args.command_parser))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ser-edge`` console script; returns the exit status."""
    args = parse(argv)
    configure_logging(args.verbose, args.quiet)
    tune_allocator()  # this process is ours: see ser_edge.process
    try:
        if getattr(args, "check", None) is not None:
            args.check(args)  # every option, before any model loads
        return int(args.func(args))
    except UsageError as exc:
        error_line(str(exc))
        return EXIT_USAGE
    except SerEdgeError as exc:
        error_line(str(exc))
        return EXIT_USAGE if isinstance(exc, (ModelError, ConfigError, MissingExtraError)) else EXIT_FAILED
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
