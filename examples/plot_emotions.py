#!/usr/bin/env python3
"""Plot a CSV written by ``log_emotions_csv.py``: events per hour and label, stacked.

    python examples/plot_emotions.py emotions.csv -o emotions.png

Needs matplotlib (``pip install matplotlib``); without it, or with ``--text``, it prints the
same table as text.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path


def hourly_counts(path: Path) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """(hours as "YYYY-MM-DD HH:00", labels, {(hour, label): events}) from the CSV at ``path``."""
    counts: Counter[tuple[str, str]] = Counter()
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            hour = datetime.fromisoformat(row["time"]).strftime("%Y-%m-%d %H:00")
            counts[(hour, row["label"])] += 1
    hours = sorted({h for h, _ in counts})
    labels = sorted({k for _, k in counts}, key=lambda k: -sum(n for (_, x), n in counts.items() if x == k))
    return hours, labels, counts


def print_table(hours: list[str], labels: list[str], counts: dict[tuple[str, str], int]) -> None:
    print(f"{'hour':<17}" + "".join(f"{k:>10}" for k in labels))
    for h in hours:
        print(f"{h:<17}" + "".join(f"{counts.get((h, k), 0):>10}" for k in labels))


def plot(hours: list[str], labels: list[str], counts: dict[tuple[str, str], int], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6, len(hours) * 0.5), 4))
    bottom = [0] * len(hours)
    for label in labels:
        values = [counts.get((h, label), 0) for h in hours]
        ax.bar(range(len(hours)), values, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(range(len(hours)), [h[5:] for h in hours], rotation=60, ha="right")
    ax.set_ylabel("events")
    ax.set_title("Emotions per hour")
    ax.legend(fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}", file=sys.stderr)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", type=Path)
    p.add_argument("-o", "--output", type=Path, default=Path("emotions.png"), help="PNG to write")
    p.add_argument("--text", action="store_true", help="print a table instead of plotting")
    args = p.parse_args()
    hours, labels, counts = hourly_counts(args.csv)
    if not hours:
        print(f"{args.csv}: no events", file=sys.stderr)
        return 1
    if not args.text:
        try:
            plot(hours, labels, counts, args.output)
            return 0
        except ImportError:
            print("matplotlib is not installed: printing a table instead", file=sys.stderr)
    print_table(hours, labels, counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
