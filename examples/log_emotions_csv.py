#!/usr/bin/env python3
"""Log a day's emotions to CSV: one row per event, appended and flushed at once.

    python examples/log_emotions_csv.py emotions.csv                  # default microphone, runs until Ctrl-C
    python examples/log_emotions_csv.py emotions.csv --hours 24       # one day
    python examples/log_emotions_csv.py emotions.csv --input talk.wav # replay a file

Columns:

- ``time``: live input only: the local wall-clock time (ISO 8601) at which the event was
  decided, i.e. when this script received it (shortly after the utterance ended). Empty for a
  file replay: a replay runs faster than real time, so its events have no wall-clock time.
- ``source``: ``microphone`` (or ``microphone DEVICE`` with ``--device``) for live input; the
  file's name for a replay.
- ``start``, ``end``: seconds of stream time since the source was opened (for a replay: the
  position in the file).
- ``label``, ``confidence``, then one ``p_<label>`` column per class.

Runs append to the same file; rows of different runs are told apart by ``time`` (live) or by
``source`` and ``start`` (replay). A file written with other columns is refused. Plot the file
with ``examples/plot_emotions.py``. No microphone, or a file that cannot be read: one line and
exit status 1; no ``mic`` extra: one line naming it and 2 (as ``ser-edge listen``).
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime
from pathlib import Path

from ser_edge import EmotionClassifier
from ser_edge.errors import MissingExtraError, SerEdgeError
from ser_edge.stream import listen
from ser_edge.stream.sources import open_input


def existing_header(path: Path) -> list[str] | None:
    """The first row of the CSV at ``path``, or None when it does not exist or is empty."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open(newline="") as f:
        return next(csv.reader(f), None)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", type=Path, help="output file (appended to; the header is written once)")
    p.add_argument("--hours", type=float, help="stop after this many hours of audio")
    p.add_argument("--input", metavar="FILE", help="replay a file instead of the microphone")
    p.add_argument("--device", help="microphone index or name substring")
    p.add_argument("--model", help="ONNX file or shipped model name, as in ser-edge --model")
    args = p.parse_args()

    classifier = EmotionClassifier.load(args.model)
    columns = ["time", "source", "start", "end", "label", "confidence",
               *(f"p_{k}" for k in classifier.labels)]
    header = existing_header(args.csv)
    if header is not None and header != columns:
        print(f"{args.csv}: has the columns {','.join(header)}; expected {','.join(columns)} "
              "(write to a new file)", file=sys.stderr)
        return 2
    try:
        rows = log_events(args, classifier, columns, write_header=header is None)
    except MissingExtraError as exc:  # the microphone needs 'ser-edge[mic]'
        print(f"log_emotions_csv.py: {exc}", file=sys.stderr)
        return 2
    except SerEdgeError as exc:  # no microphone, a device that failed, a file that cannot be read
        print(f"log_emotions_csv.py: {exc}", file=sys.stderr)
        return 1
    print(f"{rows} events appended to {args.csv}", file=sys.stderr)
    return 0


def log_events(args: argparse.Namespace, classifier: EmotionClassifier, columns: list[str],
               write_header: bool) -> int:
    """Append one row per event of the source the options name until it ends (or Ctrl-C); the
    rows written. The source is opened before the CSV, so a missing device writes nothing."""
    live = not args.input
    name = Path(args.input).name if not live else "microphone" + (f" {args.device}" if args.device else "")
    source = open_input(args.input, args.device)  # the mic needs 'ser-edge[mic]'
    rows = 0
    with source, args.csv.open("a", newline="") as f:
        writer = csv.writer(f)
        if write_header:
            writer.writerow(columns)
        try:
            max_seconds = args.hours * 3600 if args.hours else None
            for ev in listen(source, classifier, max_seconds=max_seconds):
                when = datetime.now().astimezone().isoformat(timespec="seconds") if live else ""
                scores = [f"{ev.scores.get(k, 0.0):.4f}" for k in classifier.labels]
                writer.writerow([when, name, f"{ev.start:.2f}", f"{ev.end:.2f}", ev.label,
                                 f"{ev.confidence:.4f}", *scores])
                f.flush()
                rows += 1
        except KeyboardInterrupt:
            pass
    return rows


if __name__ == "__main__":
    sys.exit(main())
