#!/usr/bin/env python3
"""Plot a CSV written by ``log_emotions_csv.py``: events per hour and label, stacked.

    pip install 'ser-edge[plot]'          # matplotlib; from a checkout: pip install '.[plot]'
    python examples/plot_emotions.py emotions.csv -o emotions.png

Live rows are counted per hour of their ``time``; rows of a file replay (no wall-clock time)
per file name (``source``). Every emotion has the same colour in every run and picture
(``ser_edge.plot.PALETTE``). Without matplotlib, or with ``--text``, it prints the same table
as text.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from ser_edge.errors import MissingExtraError
from ser_edge.plot import emotion_colour, require_matplotlib


def bucket(row: dict[str, str]) -> str:
    """"YYYY-MM-DD HH:00" of a live row; the file name of a replayed one."""
    if row.get("time"):
        return datetime.fromisoformat(row["time"]).strftime("%Y-%m-%d %H:00")
    return row.get("source") or "?"


def hourly_counts(path: Path) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """(buckets: hours, then file names; labels, most events first; {(bucket, label): events})."""
    counts: Counter[tuple[str, str]] = Counter()
    hours: set[str] = set()
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            counts[(bucket(row), row["label"])] += 1
            if row.get("time"):
                hours.add(bucket(row))
    files = {b for b, _ in counts} - hours
    totals: Counter[str] = Counter()
    for (_, k), n in counts.items():
        totals[k] += n
    labels = sorted(totals, key=lambda k: (-totals[k], k))
    return sorted(hours) + sorted(files), labels, counts


def print_table(buckets: list[str], labels: list[str], counts: dict[tuple[str, str], int]) -> None:
    width = max(17, *(len(b) + 1 for b in buckets))
    print(f"{'when':<{width}}" + "".join(f"{k:>10}" for k in labels))
    for b in buckets:
        print(f"{b:<{width}}" + "".join(f"{counts.get((b, k), 0):>10}" for k in labels))


def plot(buckets: list[str], labels: list[str], counts: dict[tuple[str, str], int], out: Path) -> None:
    """A stacked bar per bucket, one fixed colour per label; written to ``out`` (PNG)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(6, len(buckets) * 0.5), 4), layout="constrained")
    ax = fig.add_subplot()
    bottom = [0] * len(buckets)
    for label in labels:
        values = [counts.get((b, label), 0) for b in buckets]
        ax.bar(range(len(buckets)), values, bottom=bottom, label=label, color=emotion_colour(label))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(range(len(buckets)), buckets, rotation=60, ha="right")
    ax.set_ylabel("events")
    ax.set_title("Emotions per hour (live) and per file (replays)")
    ax.legend(fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.savefig(out, dpi=100)
    print(f"wrote {out}", file=sys.stderr)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", type=Path)
    p.add_argument("-o", "--output", type=Path, default=Path("emotions.png"), help="PNG to write")
    p.add_argument("--text", action="store_true", help="print a table instead of plotting")
    args = p.parse_args()
    buckets, labels, counts = hourly_counts(args.csv)
    if not buckets:
        print(f"{args.csv}: no events", file=sys.stderr)
        return 1
    if not args.text:
        try:
            plot(buckets, labels, counts, args.output)
            return 0
        except MissingExtraError as exc:
            print(f"{exc}: printing a table instead", file=sys.stderr)
    print_table(buckets, labels, counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
