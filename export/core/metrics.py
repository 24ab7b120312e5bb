"""The one metrics convention of both pipelines: confusion matrix, accuracy, recall, UAR.

Every function takes class ids (int arrays of equal length). The confusion matrix has the
true classes as rows and the predicted classes as columns. UAR (unweighted average recall) is
the mean of the per-class recalls over the classes that occur in the true labels (so a subset
without "calm", such as TESS, is not penalised for it). The reports are JSON-ready dicts.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """int64 (n_classes, n_classes): rows are true classes, columns predicted classes."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of correct predictions (0.0 for no rows)."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if len(y_true) else 0.0


def recall_of(matrix: np.ndarray) -> np.ndarray:
    """Per-class recall (n_classes,) of a :func:`confusion` matrix; NaN for a class without rows."""
    support = matrix.sum(axis=1)
    return np.divide(np.diag(matrix), support, out=np.full(len(matrix), np.nan), where=support > 0)


def recalls(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-class recall (n_classes,); NaN for a class absent from ``y_true``."""
    return recall_of(confusion(y_true, y_pred, n_classes))


def uar_of(recall: np.ndarray) -> float:
    """Mean of the per-class ``recall`` over the classes present (not NaN); 0.0 if none is."""
    present = recall[~np.isnan(recall)]
    return float(present.mean()) if present.size else 0.0


def uar(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    """Unweighted average recall over the classes present in ``y_true``."""
    return uar_of(recalls(y_true, y_pred, n_classes))


def class_report(y_true: np.ndarray, y_pred: np.ndarray, labels: tuple[str, ...]) -> dict[str, Any]:
    """Rows, accuracy, UAR (rounded to 4 decimals), per-class precision/recall/F1/support and the
    confusion matrix; a class without rows has recall 0 in ``per_class`` and no part in the UAR."""
    matrix = confusion(y_true, y_pred, len(labels))
    support, predicted, hits = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    recall = recall_of(matrix)
    shown = np.nan_to_num(recall)
    precision = np.divide(hits, predicted, out=np.zeros(len(labels)), where=predicted > 0)
    both = precision + shown
    f1 = np.divide(2 * precision * shown, both, out=np.zeros(len(labels)), where=both > 0)
    per_class = {
        name: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(shown[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, name in enumerate(labels)
    }
    return {
        "rows": int(len(y_true)),
        "accuracy": round(accuracy(y_true, y_pred), 4),
        "uar": round(uar_of(recall), 4),
        "per_class": per_class,
        "confusion": matrix.tolist(),
    }


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
