"""Temperature scaling, ECE and the per-fold scores of pooled cross-validated probabilities
(the metrics themselves: :mod:`export.core.metrics`; the folds: :mod:`export.core.folds`)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from ser_edge.model.dimensions import BINARY_THRESHOLD, DIMENSION_NAMES, dimension_targets

from ..core.metrics import accuracy, uar
from .corpus import LABELS

ECE_BINS = 15
TEMPERATURE_BOUNDS = (0.05, 20.0)
_FLOOR = 1e-12


def ece(probs: np.ndarray, y: np.ndarray, n_bins: int = ECE_BINS) -> float:
    """Expected calibration error of the top-1 confidence, equal-width bins over [0, 1]."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1]), 0, n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        sel = idx == b
        if sel.any():
            total += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(total)


def reliability(probs: np.ndarray, y: np.ndarray, n_bins: int = ECE_BINS) -> list[dict]:
    """Per-bin count, mean confidence and accuracy (the reliability diagram's data)."""
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == y
    idx = np.clip(np.digitize(conf, np.linspace(0, 1, n_bins + 1)[1:-1]), 0, n_bins - 1)
    return [
        {
            "bin": b,
            "count": int((idx == b).sum()),
            "confidence": float(conf[idx == b].mean()) if (idx == b).any() else None,
            "accuracy": float(correct[idx == b].mean()) if (idx == b).any() else None,
        }
        for b in range(n_bins)
    ]


def temper(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T), the ensemble graph's calibration, (n, classes)."""
    logits = np.log(np.maximum(probs, 1e-7)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def fit_temperature(probs: np.ndarray, y: np.ndarray) -> float:
    """T minimising the negative log-likelihood of ``temper(probs, T)`` (bounded scalar search)."""

    def nll(t: float) -> float:
        return float(-np.mean(np.log(temper(probs, t)[np.arange(len(y)), y] + _FLOOR)))

    return float(minimize_scalar(nll, bounds=TEMPERATURE_BOUNDS, method="bounded").x)


def fold_scores(probs: np.ndarray, y: np.ndarray, sizes: list[int], n_classes: int) -> list[dict]:
    """Accuracy and UAR of consecutive blocks of ``sizes`` rows (the folds, in order)."""
    out, start = [], 0
    for n in sizes:
        pred = probs[start : start + n].argmax(axis=1)
        out.append(
            {"acc": accuracy(y[start : start + n], pred), "uar": uar(y[start : start + n], pred, n_classes)}
        )
        start += n
    return out


def calibrated_average(members: list[np.ndarray], y: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Average of the members' probabilities after each is tempered by its own fitted T.

    Returns (averaged probabilities, the members' temperatures). Tempering first keeps an
    over-confident member (e.g. the functionals MLP, T ~ 2.5) from dominating the average.
    """
    temps = [fit_temperature(p, y) for p in members]
    return np.mean([temper(p, t) for p, t in zip(members, temps, strict=True)], axis=0), temps


def cross_fitted_average(
    members: list[np.ndarray], y: np.ndarray, sizes: list[int], apply: list[np.ndarray] | None = None
) -> np.ndarray:
    """:func:`calibrated_average` with each fold's member temperatures fitted on the other folds
    only (a nested estimate: no fold's labels touch its own calibration). ``apply``: other
    predictions of the same clips (e.g. at 8 kHz) to temper with those temperatures instead."""
    targets = members if apply is None else apply
    out, start = [], 0
    for n in sizes:
        test = np.zeros(len(y), dtype=bool)
        test[start : start + n] = True
        temps = [fit_temperature(p[~test], y[~test]) for p in members]
        out.append(np.mean([temper(p[test], t) for p, t in zip(targets, temps, strict=True)], axis=0))
        start += n
    return np.concatenate(out)


def binary_dimension_scores(dims: np.ndarray, y: np.ndarray) -> dict:
    """Binary UAR of each dimension (``arousal_uar``, ``valence_uar``): predicted ``dims``
    (N, 2) in [0, 1] against each true label's side of ``BINARY_THRESHOLD`` in the mapping
    (high arousal: happy, angry, fearful, surprised; positive valence: neutral, calm, happy,
    surprised)."""
    truth = dimension_targets(LABELS)[y] > BINARY_THRESHOLD
    pred = np.asarray(dims) > BINARY_THRESHOLD
    return {
        f"{name}_uar": round(uar(truth[:, k].astype(int), pred[:, k].astype(int), 2), 4)
        for k, name in enumerate(DIMENSION_NAMES)
    }
