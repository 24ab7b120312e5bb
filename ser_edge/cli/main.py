"""The ``ser-edge`` command line: classify | listen | info | devices.

Exit status: 0 all good; 1 some inputs failed (each named on stderr in one line);
2 usage error (bad arguments, unusable model). Bad input never prints a traceback;
set SER_EDGE_DEBUG=1 to see one for an unexpected internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import ConfigError, ModelError, SerEdgeError
from .classify import add_classify_parser, add_info_parser
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, error_line
from .listen import add_devices_parser, add_listen_parser

EPILOG = """examples:
  ser-edge classify speech.wav other.flac
  ser-edge classify --json recordings/*.wav > results.jsonl
  ser-edge listen                      # default microphone, one line per utterance
  ser-edge listen --input talk.wav --json
  ser-edge info
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ser-edge", description="Speech emotion recognition on small CPU-only devices.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ser-edge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    add_classify_parser(sub)
    add_info_parser(sub)
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
        return EXIT_USAGE if isinstance(exc, (ModelError, ConfigError)) else EXIT_FAILED
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
