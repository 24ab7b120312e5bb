"""Metrics: accuracy, unweighted average recall (UAR), per-class report, confusion matrix.

UAR is the mean of the per-class recalls over the classes that occur in the true labels
(so a subset without "calm", such as TESS, is not penalised for it). All functions take
class ids (int arrays of equal length) and return JSON-ready dicts and lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .data import Dataset

#: Named row subsets reported besides "all": (name, corpus, vocal_channel).
SUBSETS = (
    ("ravdess_speech", "ravdess", "speech"),
    ("ravdess_song", "ravdess", "song"),
    ("tess", "tess", None),
)


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """int64 (n_classes, n_classes): rows are true classes, columns predicted classes."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def class_report(y_true: np.ndarray, y_pred: np.ndarray, labels: tuple[str, ...]) -> dict[str, Any]:
    """Rows, accuracy, UAR, per-class precision/recall/F1/support and the confusion matrix."""
    matrix = confusion(y_true, y_pred, len(labels))
    support, predicted, hits = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    recall = np.divide(hits, support, out=np.zeros(len(labels)), where=support > 0)
    precision = np.divide(hits, predicted, out=np.zeros(len(labels)), where=predicted > 0)
    f1 = np.divide(
        2 * precision * recall, precision + recall, out=np.zeros(len(labels)), where=(precision + recall) > 0
    )
    per_class = {
        name: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, name in enumerate(labels)
    }
    return {
        "rows": int(len(y_true)),
        "accuracy": _ratio(hits.sum(), len(y_true)),
        "uar": round(float(recall[support > 0].mean()), 4) if np.any(support > 0) else 0.0,
        "per_class": per_class,
        "confusion": matrix.tolist(),
    }


def subset_reports(data: Dataset, y_pred: np.ndarray, rows: np.ndarray | None = None) -> dict[str, Any]:
    """:func:`class_report` for all rows and for each non-empty subset in :data:`SUBSETS`.

    ``rows``: the indices of ``data`` that ``y_pred`` (same length) predicts; None = all rows.
    """
    rows = np.arange(len(data)) if rows is None else rows
    reports = {"all": class_report(data.y[rows], y_pred, data.labels)}
    for name, corpus, channel in SUBSETS:
        keep = data.mask(corpus, channel)[rows]
        if np.any(keep):
            reports[name] = class_report(data.y[rows][keep], y_pred[keep], data.labels)
    return reports


def brief(report: dict[str, Any]) -> dict[str, Any]:
    """Just rows, accuracy and UAR of a :func:`class_report`."""
    return {k: report[k] for k in ("rows", "accuracy", "uar")}


def spread(values: list[float]) -> dict[str, float]:
    """Mean, standard deviation (population), min and max of per-fold figures."""
    array = np.asarray(values, dtype=np.float64)
    return {
        "mean": round(float(array.mean()), 4),
        "std": round(float(array.std()), 4),
        "min": round(float(array.min()), 4),
        "max": round(float(array.max()), 4),
    }


def _ratio(numerator: float, denominator: float) -> float:
    return round(float(numerator) / denominator, 4) if denominator else 0.0


def format_report(title: str, report: dict[str, Any], labels: tuple[str, ...]) -> str:
    """A plain-text classification report with its confusion matrix."""
    lines = [
        f"{title}: {report['rows']} rows, accuracy {report['accuracy']:.2%}, UAR {report['uar']:.2%}",
        f"  {'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}",
    ]
    for name in labels:
        c = report["per_class"][name]
        lines.append(
            f"  {name:<10} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f} {c['support']:>7}"
        )
    lines.append("  confusion matrix (rows: true class, columns: predicted class)")
    lines.append(f"  {'':<10}" + "".join(f"{n[:5]:>6}" for n in labels))
    for name, row in zip(labels, report["confusion"], strict=True):
        lines.append(f"  {name:<10}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)
