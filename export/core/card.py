"""The model card (Markdown) and its PNGs, written from a model's own ``ser_edge.*`` metadata.

Everything in the card comes from the ONNX file (labels, frontend, training record), so
``python -m export card MODEL.onnx -o README.md`` can rewrite it at any time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ser_edge.config import FRONTEND_KEY, LABELS_KEY, TRAINING_KEY

from .card_text import KNOWN_LIMITS, contract_section, data_section, recipe_section, regenerate_section
from .errors import ExportError
from .files import write_atomic
from .onnx_io import metadata, session
from .plots import confusion_png, curves_png

CONFUSION_PNG, CURVES_PNG = "confusion_matrix.png", "training_curves.png"
EXPERIMENTS = "experiments.md"  # hand-kept notes beside the card, linked when present
NOTES = "card_notes.md"  # hand-kept sections (measured outside the training record), inlined when present


def write_card(model: Path, out: Path) -> list[Path]:
    """Write ``out`` (Markdown) and the two PNGs beside it; return the paths written."""
    props = metadata(session(model))
    missing = [k for k in (LABELS_KEY, FRONTEND_KEY, TRAINING_KEY) if k not in props]
    if missing:
        raise ExportError(f"card: '{model}' has no {missing} metadata")
    labels = tuple(json.loads(props[LABELS_KEY]))
    training = json.loads(props[TRAINING_KEY])
    frontend = json.loads(props[FRONTEND_KEY])
    metrics = training.get("metrics", {})
    main_name, main = next(iter(metrics.items()), ("", {}))
    written = []
    if "pooled" in main:
        written.append(
            confusion_png(
                main["pooled"]["all"]["confusion"],
                labels,
                f"{main_name}: every row predicted by a model that did not train on it",
                out.parent / CONFUSION_PNG,
            )
        )
        written.append(
            curves_png(
                main.get("curves", {}),
                training.get("final_fit", {}).get("curves", {}),
                f"training curves ({main_name} folds, mean) and the final fit",
                out.parent / CURVES_PNG,
            )
        )
    text = card_markdown(model, labels, frontend, training, bool(written), out.name)
    if (out.parent / NOTES).is_file():
        text += "\n" + (out.parent / NOTES).read_text(encoding="utf-8")
    if (out.parent / EXPERIMENTS).is_file():
        text += f"\n## Recipes compared\n\nSee [{EXPERIMENTS}]({EXPERIMENTS}).\n"
    return [write_atomic(out, text.encode("utf-8")), *written]


def card_markdown(
    model: Path, labels: tuple[str, ...], frontend: dict[str, Any], training: dict[str, Any], with_pngs: bool,
    card: str = "README.md",
) -> str:
    """The whole card (file name ``card``) as Markdown."""
    size_kib = model.stat().st_size / 1024
    parts = [
        f"# Model card: `{model.name}`\n",
        f"Speech emotion recognition from one 40-value feature vector per utterance: {len(labels)} classes "
        f"(`{', '.join(labels)}`). {training.get('model', {}).get('parameters', '?'):,} parameters, "
        f"{size_kib:.0f} KiB ONNX (opset {training.get('model', {}).get('opset', '?')}). "
        f"Written by `export` {training.get('export_version', '?')} on {training.get('date', '?')}.\n",
        headline(training),
        metrics_section(training.get("metrics", {}), labels, with_pngs),
        data_section(training),
        recipe_section(training),
        contract_section(labels, frontend, training),
        regenerate_section(training, model.name, card),
        KNOWN_LIMITS,
    ]
    return "\n".join(parts)


def headline(training: dict[str, Any]) -> str:
    """One paragraph: the speaker-independent figures first, then the comparison-only split."""
    metrics, parts = training.get("metrics", {}), []
    for name, result in metrics.items():
        pooled = result.get("pooled", {})
        figures = [
            f"{subset.replace('_', ' ')} accuracy **{pooled[subset]['accuracy']:.2%}** "
            f"(UAR {pooled[subset]['uar']:.2%}, {pooled[subset]['rows']} rows)"
            for subset in ("all", "ravdess_speech")
            if subset in pooled
        ]
        if figures:
            parts.append(f"- **{name}**: " + "; ".join(figures) + ".")
    protocol = training.get("protocol", "")
    return "\n".join(parts) + (f"\n\nProtocol: {protocol}.\n" if protocol else "\n")


def metrics_section(metrics: dict[str, Any], labels: tuple[str, ...], with_pngs: bool) -> str:
    """Headline figures per protocol, per-fold table, per-class report, confusion matrix."""
    lines = ["## Evaluation\n"]
    for name, result in metrics.items():
        pooled = result.get("pooled")
        if not pooled:
            lines.append(f"- **{name}**: accuracy {result.get('accuracy', 0):.2%}\n")
            continue
        lines.append(f"### {name}\n")
        lines.append("| rows | tested | accuracy | UAR | fold mean ± std: accuracy | fold mean ± std: UAR |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for subset, report in pooled.items():
            spread = result.get("spread", {}).get(subset)
            spread = spread if spread and spread.get("folds", 0) > 1 else None
            extra = (
                (
                    f"{spread['accuracy']['mean']:.2%} ± {spread['accuracy']['std']:.2%} | "
                    f"{spread['uar']['mean']:.2%} ± {spread['uar']['std']:.2%}"
                )
                if spread
                else "- | -"
            )
            lines.append(
                f"| {subset.replace('_', ' ')} | {report['rows']} | {report['accuracy']:.2%} | "
                f"{report['uar']:.2%} | {extra} |"
            )
        lines.append("")
        if len(result.get("folds", [])) > 1:
            lines.extend(_fold_table(result["folds"]))
        lines.extend(_class_table(pooled, labels))
    if with_pngs:
        lines.append(f"![confusion matrix]({CONFUSION_PNG})\n\n![training curves]({CURVES_PNG})\n")
    return "\n".join(lines)


def _fold_table(folds: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| fold (test speakers) | test rows | accuracy | UAR | RAVDESS speech acc. | RAVDESS speech UAR |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fold in folds:
        speech = fold.get("ravdess_speech")
        tail = f"{speech['accuracy']:.2%} | {speech['uar']:.2%}" if speech else "- | -"
        lines.append(
            f"| {fold['name']} | {fold['all']['rows']} | {fold['all']['accuracy']:.2%} | "
            f"{fold['all']['uar']:.2%} | {tail} |"
        )
    return lines + [""]


def _class_table(pooled: dict[str, Any], labels: tuple[str, ...]) -> list[str]:
    """Per-class precision / recall / F1 / support for all rows, recall for each subset."""
    subsets = [s for s in pooled if s != "all"]
    head = "| class | precision | recall | F1 | support | " + " | ".join(
        f"recall {s.replace('_', ' ')}" for s in subsets
    )
    lines = [head + " |", "| --- " * (5 + len(subsets)) + "|"]
    for name in labels:
        c = pooled["all"]["per_class"][name]
        cells = [
            f"{pooled[s]['per_class'][name]['recall']:.2%}"
            if pooled[s]["per_class"][name]["support"]
            else "-"
            for s in subsets
        ]
        lines.append(
            f"| {name} | {c['precision']:.3f} | {c['recall']:.2%} | {c['f1']:.3f} | {c['support']} | "
            + " | ".join(cells)
            + " |"
        )
    return lines + [""]
