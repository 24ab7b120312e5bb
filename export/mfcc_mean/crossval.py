"""Run a protocol: train one model per fold, predict its test rows, pool and summarise.

The result is a JSON-ready dict (it is stored in the model's ``ser_edge.training``):
``protocol``, ``folds`` (per fold: name, rows, accuracy and UAR for all rows and each
subset), ``spread`` (mean/std/min/max over folds), ``pooled`` (full reports over every
tested row: each row is predicted by the one model that did not train on it) and
``curves`` (per-epoch training and test loss/accuracy, averaged over the folds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.folds import Fold
from ..core.metrics import brief, spread
from .data import Dataset
from .recipe import Recipe
from .reports import subset_reports
from .train import Trained, fit

MAX_CURVE_POINTS = 100


def run_folds(
    data: Dataset, folds: list[Fold], recipe: Recipe, seed: int, protocol: str, band_map: Any = None
) -> tuple[dict[str, Any], Trained]:
    """Train and test every fold; return the summary and the last fold's trained model.

    ``band_map`` (:class:`export.bandmap.BandMap`) is passed to :func:`export.train.fit`.
    """
    predicted = np.full(len(data), -1, dtype=np.int64)
    per_fold, histories = [], []
    for i, fold in enumerate(folds):
        tag = f"[{protocol} {i + 1}/{len(folds)}: {fold.name}] "
        trained = fit(
            recipe,
            data.X[fold.train],
            data.y[fold.train],
            len(data.labels),
            seed,
            validation=(data.X[fold.test], data.y[fold.test]),
            label=tag,
            band_map=band_map,
        )
        guess = predict(trained.model, data.X[fold.test])
        predicted[fold.test] = guess
        reports = subset_reports(data, guess, fold.test)
        per_fold.append(
            {
                "name": fold.name,
                "train_rows": int(fold.train.size),
                "seconds": trained.seconds,
                **{name: brief(report) for name, report in reports.items()},
            }
        )
        histories.append(trained.history)
    tested = np.flatnonzero(predicted >= 0)
    summary = {
        "protocol": protocol,
        "folds": per_fold,
        "spread": _spread(per_fold),
        "pooled": subset_reports(data, predicted[tested], tested),
        "curves": mean_curves(histories),
    }
    return summary, trained


def predict(model: Any, X: np.ndarray) -> np.ndarray:
    """Class ids (n,) that a Keras ``model`` predicts for rows ``X`` float32 (n, n_features)."""
    return np.asarray(model.predict(X[:, :, None], verbose=0, batch_size=1024)).argmax(axis=1)


def _spread(per_fold: list[dict[str, Any]]) -> dict[str, Any]:
    """Spread of accuracy and UAR over the folds that have rows of each subset."""
    result: dict[str, Any] = {}
    for subset in ("all", "ravdess_speech"):
        rows = [fold[subset] for fold in per_fold if subset in fold]
        if rows:
            result[subset] = {metric: spread([r[metric] for r in rows]) for metric in ("accuracy", "uar")}
            result[subset]["folds"] = len(rows)
    return result


def mean_curves(histories: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    """Per-epoch mean over folds of each history key, thinned to <= MAX_CURVE_POINTS epochs."""
    if not histories:
        return {}
    epochs = len(next(iter(histories[0].values()), []))
    step = max(1, -(-epochs // MAX_CURVE_POINTS))
    keep = list(range(step - 1, epochs, step))
    curves: dict[str, list[float]] = {"epoch": [e + 1 for e in keep]}
    for key in histories[0]:
        mean = np.mean([h[key] for h in histories], axis=0)
        curves[key] = [round(float(mean[e]), 4) for e in keep]
    return curves
