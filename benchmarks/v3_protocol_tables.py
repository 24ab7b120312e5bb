"""Markdown tables of the v3 protocol reports (benchmarks/results/v3_protocol.md).

    python benchmarks/v3_protocol_tables.py --loco NAME=cache/exp/loco.json ... \
        --cv NAME=cache/exp/cv.json ... --levers NAME=cache/exp/cv.json,cache/exp/loco.json ...

``--loco``: reports of ``python -m export loco`` (EMOVO scored: UAR over its 7 classes, per
speaker, per class); ``--cv``: reports of ``python -m export train-frames16k --cv-only`` (RAVDESS
speaker-grouped CV: the nested member-tempered ensemble, mean over folds, and the per-class
recall of the pooled predictions); ``--levers``: one row per recipe with both protocols side by
side, clean and in the held-out conditions (babble-like noise at 10 dB SNR, rooms of RT60 0.6 s),
and the binary arousal / valence UAR on EMOVO. Prints; writes nothing.
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


CONDITIONS = ("clean", "test_noise10", "test_room06")


def _loco_key(report: dict, condition: str) -> str:
    """The hybrid (member-tempered when it exists) of a LOCO report in ``condition``."""
    tempered = f"{condition}/hybrid_tempered"
    return tempered if tempered in report["scores"] else f"{condition}/hybrid"


def lever_table(pairs: list[tuple[str, dict, dict]]) -> str:
    """Per recipe: RAVDESS CV accuracy (nested) clean / noise 10 dB / room 0.6 s, EMOVO UAR
    in the same conditions, and EMOVO's binary arousal / valence UAR (the label probabilities'
    expected dimensions; the heads' when trained), %."""
    head = ["recipe", "CV acc", "CV noise", "CV room", "CV 8 kHz", "EMOVO UAR", "EMOVO noise",
            "EMOVO room", "arousal", "valence", "arousal heads", "valence heads"]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for name, cv, loco in pairs:
        nested = cv["nested"]
        cells = [name] + [_pct(nested[c]["acc_mean"]) if c in nested else "-"
                          for c in (*CONDITIONS, "band8k")]
        cells += [_pct(loco["scores"][_loco_key(loco, c)]["uar"]) for c in CONDITIONS]
        clean = loco["scores"][_loco_key(loco, "clean")]
        heads = loco["scores"].get("clean/dims", {})
        cells += [_pct(clean["arousal_uar"]), _pct(clean["valence_uar"])]
        cells += [_pct(heads[k]) if k in heads else "-" for k in ("arousal_uar", "valence_uar")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loco", nargs="*", default=[], help="NAME=REPORT.json of python -m export loco")
    parser.add_argument("--cv", nargs="*", default=[], help="NAME=REPORT.json of train-frames16k --cv-only")
    parser.add_argument("--levers", nargs="*", default=[],
                        help="NAME=CV.json,LOCO.json: a recipe's reports of both protocols")
    args = parser.parse_args()
    if args.levers:
        pairs = []
        for item in args.levers:
            name, _, paths = item.partition("=")
            cv, loco = (json.loads(Path(p).read_text()) for p in paths.split(","))
            pairs.append((name, cv, loco))
        print(f"\nBoth protocols per recipe (%):\n\n{lever_table(pairs)}")
    if args.loco:
        reports = _named(args.loco)
        for key in LOCO_KEYS:
            if any(key in r["scores"] for _, r in reports):
                corpus = reports[0][1].get("held_out", "emovo").upper()
                print(f"\n{corpus}, {key}:\n\n{loco_table(reports, key)}")
        for name, r in reports:
            print(f"\n{name}: {r['protocol']}")
    if args.cv:
        reports = _named(args.cv)
        print(f"\nRAVDESS speaker-grouped CV (nested, mean over folds):\n\n{cv_table(reports)}")
        for name, r in reports:
            print(f"\n{name}: {r['protocol']}")


if __name__ == "__main__":
    main()
