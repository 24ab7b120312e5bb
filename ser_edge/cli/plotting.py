"""``ser-edge classify --timeline --plot OUT.png FILE``: one recording's emotions over time as a picture.

``--plot`` draws the events of one recording, so it needs ``--timeline`` and exactly one FILE
(run the command once per file for several pictures); without matplotlib it is a usage error
naming ``pip install 'ser-edge[plot]'``. All of it is checked before the model loads.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from ..errors import MissingExtraError, SerEdgeError
from ..plot import plot_timeline, require_matplotlib
from ..stream.events import Event

log = logging.getLogger("ser_edge.cli")

#: picture formats --plot writes, chosen by the file name's suffix
SUFFIXES = (".png", ".svg", ".pdf")


def add_plot_option(parser: argparse.ArgumentParser) -> None:
    """The ``--plot PNG`` option of ``classify``."""
    parser.add_argument("--plot", metavar="PNG",
                        help="with --timeline and one FILE: draw its emotions over time into this picture "
                             "(PNG; .svg/.pdf by the suffix); needs pip install 'ser-edge[plot]'")


def plot_problem(args: argparse.Namespace) -> str | None:
    """Why ``--plot`` cannot work with these arguments (one line), or None when it can or is unused."""
    if not getattr(args, "plot", None):
        return None
    if not args.timeline:
        return "--plot: needs --timeline (it draws the utterances of one recording)"
    if len(args.files) != 1:
        return f"--plot: draws one recording, got {len(args.files)} files (run once per file)"
    if Path(args.plot).suffix.lower() not in SUFFIXES:
        return f"--plot: expected a file name ending in {', '.join(SUFFIXES)}, got '{args.plot}'"
    folder = Path(args.plot).parent
    if not folder.is_dir():
        return f"--plot: the folder '{folder}' of '{args.plot}' does not exist"
    try:
        require_matplotlib()
    except MissingExtraError as exc:
        return f"--plot: {exc}"
    return None


def write_plot(out: str, path: str, events: Sequence[Event], labels: Sequence[str],
               duration: float | None = None) -> None:
    """Draw the ``events`` of the recording at ``path`` into ``out``; ``duration``: its length in
    seconds when known (else the axis ends with the last event). SerEdgeError when it cannot be written."""
    try:
        written = plot_timeline(events, out, title=Path(path).name, labels=labels, duration=duration)
    except OSError as exc:
        raise SerEdgeError(f"--plot: cannot write '{out}': {exc.strerror or exc}") from None
    log.info("wrote %s (%d events)", written, len(events))
