#!/usr/bin/env python3
"""Log a day's emotions to CSV: one row per event, appended and flushed at once.

    python examples/log_emotions_csv.py emotions.csv                  # default microphone, runs until Ctrl-C
    python examples/log_emotions_csv.py emotions.csv --hours 24       # one day
    python examples/log_emotions_csv.py emotions.csv --input talk.wav # replay a file (times from "now")

Columns: ``time`` (local ISO 8601, when the event's speech ended), ``start``/``end`` (stream
seconds), ``label``, ``confidence``, then one ``p_<label>`` column per class. Plot the file with
``examples/plot_emotions.py``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime, timedelta
from pathlib import Path

from ser_edge import EmotionClassifier
from ser_edge.stream import listen
from ser_edge.stream.sources import open_input


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", type=Path, help="output file (appended to; the header is written once)")
    p.add_argument("--hours", type=float, help="stop after this many hours of audio")
    p.add_argument("--input", metavar="FILE", help="replay a file instead of the microphone")
    p.add_argument("--device", help="microphone index or name substring")
    args = p.parse_args()

    classifier = EmotionClassifier.load()
    columns = ["time", "start", "end", "label", "confidence", *(f"p_{k}" for k in classifier.labels)]
    new = not args.csv.exists() or args.csv.stat().st_size == 0
    t0 = datetime.now().astimezone()
    source = open_input(args.input, args.device)  # the mic needs 'ser-edge[mic]'
    rows = 0
    with args.csv.open("a", newline="") as f, source:
        writer = csv.writer(f)
        if new:
            writer.writerow(columns)
        try:
            max_seconds = args.hours * 3600 if args.hours else None
            for ev in listen(source, classifier, max_seconds=max_seconds):
                when = (t0 + timedelta(seconds=ev.end)).isoformat(timespec="seconds")
                scores = [f"{ev.scores.get(k, 0.0):.4f}" for k in classifier.labels]
                writer.writerow([when, f"{ev.start:.2f}", f"{ev.end:.2f}", ev.label, f"{ev.confidence:.4f}",
                                 *scores])
                f.flush()
                rows += 1
        except KeyboardInterrupt:
            pass
    print(f"{rows} events appended to {args.csv}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
