"""Markdown tables of the v3 protocol reports (benchmarks/results/v3_protocol.md).

    python benchmarks/v3_protocol_tables.py --loco NAME=cache/exp/loco.json ... \
        --cv NAME=cache/exp/cv.json ...

``--loco``: reports of ``python -m export loco`` (EMOVO scored: UAR over its 7 classes, per
speaker, per class); ``--cv``: reports of ``python -m export train-frames16k --cv-only`` (RAVDESS
speaker-grouped CV: the nested member-tempered ensemble, mean over folds, and the per-class
recall of the pooled predictions). Prints; writes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

#: The rows printed: the member-tempered hybrid, at 8 kHz, and with test-time standardisation.
LOCO_KEYS = ("clean/hybrid_tempered", "band8k/hybrid_tempered", "clean/corpusnorm/hybrid_tempered",
             "clean/speakernorm/hybrid_tempered", "clean/cnn0", "clean/mlp0")


def _named(items: list[str]) -> list[tuple[str, dict]]:
    """``NAME=PATH`` pairs -> (name, the JSON report)."""
    out = []
    for item in items:
        name, _, path = item.partition("=")
        out.append((name, json.loads(Path(path).read_text())))
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def loco_table(reports: list[tuple[str, dict]], key: str) -> str:
    """One row per report that has ``key`` (e.g. 'clean/hybrid_tempered'): UAR, accuracy, UAR per
    speaker, recall per class (%)."""
    reports = [(name, r) for name, r in reports if key in r["scores"]]
    first = reports[0][1]["scores"][key]
    speakers, classes = list(first["per_speaker"]), list(first["recall"])
    head = ["recipe", "UAR", "acc"] + [s.split("_")[-1] for s in speakers] + classes
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for name, report in reports:
        s = report["scores"][key]
        cells = [name, _pct(s["uar"]), _pct(s["acc"])]
        cells += [_pct(s["per_speaker"][k]["uar"]) for k in speakers]
        cells += [_pct(s["recall"][c]) for c in classes]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cv_table(reports: list[tuple[str, dict]]) -> str:
    """One row per report: nested accuracy/UAR (clean, 8 kHz) and recall per class (%)."""
    classes = list(reports[0][1]["recall"])
    head = ["recipe", "acc", "UAR", "acc 8 kHz", "UAR 8 kHz"] + classes
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for name, r in reports:
        n = r["nested"]
        cells = [name, _pct(n["clean"]["acc_mean"]), _pct(n["clean"]["uar_mean"]),
                 _pct(n["band8k"]["acc_mean"]), _pct(n["band8k"]["uar_mean"])]
        lines.append("| " + " | ".join(cells + [_pct(r["recall"][c]) for c in classes]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loco", nargs="*", default=[], help="NAME=REPORT.json of python -m export loco")
    parser.add_argument("--cv", nargs="*", default=[], help="NAME=REPORT.json of train-frames16k --cv-only")
    args = parser.parse_args()
    if args.loco:
        reports = _named(args.loco)
        for key in LOCO_KEYS:
            if any(key in r["scores"] for _, r in reports):
                print(f"\nEMOVO, {key}:\n\n{loco_table(reports, key)}")
        for name, r in reports:
            print(f"\n{name}: {r['protocol']}")
    if args.cv:
        reports = _named(args.cv)
        print(f"\nRAVDESS speaker-grouped CV (nested, mean over folds):\n\n{cv_table(reports)}")
        for name, r in reports:
            print(f"\n{name}: {r['protocol']}")


if __name__ == "__main__":
    main()
