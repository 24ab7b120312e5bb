"""The default (frames16k) model card's figures and figures-of-record from pooled CV predictions.

The shipped recipe's CV ran as two ``train-frames16k --cv-only --report`` runs of the same recipe
(``--no-mlp``: the CNN member; ``--cnn-seeds 0``: the functionals MLP member); their ``.npz``
files hold each clip's held-out probabilities (``clean__cnn0``, ``clean__mlp0``) in the same
order. This module recombines them as the ONNX graph does (member temperatures, average, final
temperature, all fitted on these pooled predictions), returns ECE before/after, per-class recall
and the confusion matrix, and writes two PNGs (:func:`member_figures`). The calibrated model's
PNGs come from the ``.npz`` beside a ``calibrate --report`` (:func:`calibrated_figures`; also
drawn by ``calibrate --figures DIR``). Command: ``python -m export card-figures``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.metrics import confusion, recalls
from ..core.plots import confusion_png
from .corpus import LABELS
from .crossval import calibrated_average, ece, fit_temperature, reliability, temper

#: The PNG names the card (models/README.md) links to.
CONFUSION_PNG, RELIABILITY_PNG = "v2_confusion.png", "v2_reliability.png"
CALIBRATED_CONFUSION_PNG = "v2_calibrated_confusion.png"


def pooled(cnn: Path, mlp: Path) -> dict[str, np.ndarray]:
    """The calibrated predictions (n_clips, 8) before/after the final temperature, and ``y``."""
    a, b = np.load(cnn), np.load(mlp)
    if not (np.array_equal(a["y"], b["y"]) and np.array_equal(a["index"], b["index"])):
        raise ValueError(f"{cnn.name} and {mlp.name} hold different clips; expected the same CV order")
    y = a["y"]
    avg, member_t = calibrated_average([a["clean__cnn0"], b["clean__mlp0"]], y)
    t = fit_temperature(avg, y)
    return {"y": y, "before": avg, "after": temper(avg, t), "member_t": np.array(member_t), "t": np.array(t)}


def reliability_png(curves: list[tuple[np.ndarray, np.ndarray, str]], out: Path) -> Path:
    """Reliability diagram (15 bins): accuracy against mean confidence of each (probs (n, 8),
    labels (n,), name) curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 5.2), dpi=100)
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfect calibration")
    for (probs, y, name), style in zip(curves, ("s--", "o-"), strict=False):
        bins = [b for b in reliability(probs, y) if b["count"]]
        ax.plot(
            [b["confidence"] for b in bins],
            [b["accuracy"] for b in bins],
            style,
            label=f"{name}: ECE {ece(probs, y):.3f}",
        )
    ax.set_xlabel("confidence (top probability)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"pooled 6-fold CV, RAVDESS speech ({len(curves[0][1])} clips)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png")
    plt.close(fig)
    return out


def summary(p: dict[str, np.ndarray]) -> dict:
    """ECE before/after, temperatures, per-class recall (%) and the confusion matrix of ``p``."""
    pred = p["after"].argmax(axis=1)
    return {
        "member_temperatures": np.round(p["member_t"], 3).tolist(),
        "temperature": round(float(p["t"]), 3),
        "ece_before": round(ece(p["before"], p["y"]), 3),
        "ece_after": round(ece(p["after"], p["y"]), 3),
        "recall": dict(
            zip(LABELS, np.round(100 * recalls(p["y"], pred, len(LABELS)), 1).tolist(), strict=True)
        ),
        "confusion": confusion(p["y"], pred, len(LABELS)).tolist(),
    }


def member_figures(cnn: Path, mlp: Path, out: Path) -> dict:
    """The uncalibrated model's PNGs in folder ``out`` from the two members' CV ``.npz`` files;
    returns the :func:`summary` figures."""
    p = pooled(cnn, mlp)
    figures = summary(p)
    confusion_png(
        figures["confusion"], tuple(LABELS), "v2 model, pooled 6-fold CV, RAVDESS speech", out / CONFUSION_PNG
    )
    reliability_png(
        [(p["before"], p["y"], "member-tempered average"), (p["after"], p["y"], "shipped (final T)")],
        out / RELIABILITY_PNG,
    )
    return figures


def calibrated_figures(npz: Path, out: Path) -> dict:
    """The calibrated model's PNGs: confusion of ``probs`` (no enrolment) and of
    ``probs_calibrated`` (each speaker's 60 clips enrolled), and both outputs' reliability."""
    with np.load(npz) as data:
        runs = {c: (data[f"{c}__probs"], data[f"{c}__y"]) for c in ("none", "all")}
    figures = {}
    for cond, title, name in (
        ("none", "probs (uncalibrated)", CONFUSION_PNG),
        ("all", "probs_calibrated (each speaker's 60 clips)", CALIBRATED_CONFUSION_PNG),
    ):
        probs, y = runs[cond]
        pred = probs.argmax(axis=1)
        figures[cond] = {
            "ece": round(ece(probs, y), 3),
            "recall": dict(
                zip(LABELS, np.round(100 * recalls(y, pred, len(LABELS)), 1).tolist(), strict=True)
            ),
            "confusion": confusion(y, pred, len(LABELS)).tolist(),
        }
        confusion_png(figures[cond]["confusion"], tuple(LABELS), f"{title}, pooled 6-fold CV", out / name)
    reliability_png(
        [(*runs["none"], "probs, no enrolment"), (*runs["all"], "probs_calibrated, all 60 clips")],
        out / RELIABILITY_PNG,
    )
    return figures
