"""The cross-validation report of a frames16k recipe: per-fold figures, the members' and the
ensemble's temperatures, ECE, the nested (cross-fitted) scores; saved as JSON + the pooled
predictions as NPZ, and reusable by a later run with the same recipe options."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.model.dimensions import expected_dimensions

from ..core.errors import ExportError
from ..core.metrics import confusion, recalls
from .corpus import LABELS
from .crossval import (
    binary_dimension_scores,
    calibrated_average,
    cross_fitted_average,
    ece,
    fit_temperature,
    fold_scores,
    reliability,
    temper,
)
from .experiment import DIMS, EVAL_VARIANTS
from .train import TrainConfig

PROTOCOL = (
    "speaker-grouped CV: RAVDESS actors 1-18 in {folds} folds of consecutive actors, "
    "{others} in every training set; scored on the held-out actors' RAVDESS speech "
    "(whole utterances, speech frames only)"
)
OTHER_CORPORA = {"tess": "TESS OAF/YAF", "emovo": "EMOVO f1-m3"}
#: The options that shape the trained members (a reused report or members folder must match them).
RECIPE_OPTIONS = (
    "folds", "cnn_seeds", "no_mlp", "no_f0", "mfcc_means_only", "pooling", "variants",
    "no_specaugment", "mixup", "epochs", "mlp_epochs", "small_cnn", "mlp_hidden", "seed",
    "corpus_masks", "balance_corpora", "train_corpora", "dimension_heads",
)
#: The value of a recipe option a report made before it existed had (the v2 recipe).
OPTION_DEFAULTS = {"corpus_masks": False, "balance_corpora": False, "train_corpora": "ravdess,tess",
                   "dimension_heads": False}


def protocol_text(options: dict[str, Any]) -> str:
    """The CV protocol sentence for the recipe ``options`` (folds, the corpora that always train)."""
    corpora = options.get("train_corpora", OPTION_DEFAULTS["train_corpora"]).split(",")
    others = " and ".join(OTHER_CORPORA[c] for c in corpora if c in OTHER_CORPORA) or "no other corpus"
    return PROTOCOL.format(folds=options["folds"], others=others)


def member_probs(pooled: dict[str, np.ndarray], variant: str) -> list[np.ndarray]:
    """The members' pooled CV probabilities (cnn0, cnn1, ..., mlp0) of one evaluation variant."""
    names = sorted(
        k
        for k in pooled
        if k.startswith(f"{variant}/")
        and k.split("/")[1][:3] in ("cnn", "mlp")
        and k.split("/")[1][3:].isdigit()
    )
    return [pooled[k] for k in names]


def _nested(pooled: dict[str, np.ndarray], y: np.ndarray, sizes: list[int]) -> dict:
    """Per-fold accuracy/UAR of the cross-fitted calibrated average (temperatures fitted on the
    clean clips of the other folds), in every evaluation condition the CV scored: clean, at
    8 kHz, and the held-out noise and room (``TEST_VARIANTS``) when present."""
    clean = member_probs(pooled, "clean")
    nested = {
        v: fold_scores(cross_fitted_average(clean, y, sizes, member_probs(pooled, v)), y, sizes, len(LABELS))
        for v in EVAL_VARIANTS
        if member_probs(pooled, v)
    }
    means = {
        v: {
            "acc_mean": float(np.mean([f["acc"] for f in n])),
            "uar_mean": float(np.mean([f["uar"] for f in n])),
        }
        for v, n in nested.items()
    }
    return {"nested_folds": nested, "nested": means}


def calibration(cv: dict) -> dict:
    """Member temperatures, the ensemble's temperature, ECE, and the nested CV figures of a
    :func:`export.frames16k.experiment.run_cv` result."""
    y, sizes = cv["y"], [f["n_test"] for f in cv["folds"]]
    clean = member_probs(cv["pooled"], "clean")
    avg, member_t = calibrated_average(clean, y)
    t = fit_temperature(avg, y)
    after = temper(avg, t)
    pred = after.argmax(axis=1)
    return {
        "member_temperatures": member_t,
        "temperature": t,
        "ece_plain_average": ece(np.mean(clean, axis=0), y),
        "ece_before": ece(avg, y),
        "ece_after": ece(after, y),
        **_nested(cv["pooled"], y, sizes),
        "recall": dict(zip(LABELS, np.round(recalls(y, pred, len(LABELS)), 4).tolist(), strict=True)),
        "confusion": confusion(y, pred, len(LABELS)).tolist(),
        "reliability_after": reliability(after, y),
    }


def dimension_report(cv: dict) -> dict:
    """Per evaluation condition, the binary arousal/valence UAR of the pooled out-of-fold
    predictions: ``labels`` from the expected dimensions of the members' mean probabilities,
    ``heads`` from the dimension heads (when the members have them)."""
    out = {}
    for variant in EVAL_VARIANTS:
        members = member_probs(cv["pooled"], variant)
        if not members:
            continue
        implied = expected_dimensions(np.mean(members, axis=0), LABELS)
        out[variant] = {"labels": binary_dimension_scores(implied, cv["y"])}
        if f"{variant}/{DIMS}" in cv["pooled"]:
            out[variant]["heads"] = binary_dimension_scores(cv["pooled"][f"{variant}/{DIMS}"], cv["y"])
    return out


def cv_report(cv: dict, options: dict[str, Any], cfg: TrainConfig, elapsed: float) -> dict:
    """The JSON report of a CV run; ``options``: the command's options without paths."""
    return {
        "summary": cv["summary"],
        "folds": cv["folds"],
        **calibration(cv),
        "dimensions": dimension_report(cv),
        "protocol": protocol_text(options),
        "config": asdict(cfg),
        "args": options,
        "cv_seconds": round(elapsed, 1),
    }


def save_report(report: dict, cv: dict, path: Path) -> None:
    """``path`` (JSON) and beside it ``.npz``: ``y``, ``index`` and each pooled prediction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1))
    np.savez(
        path.with_suffix(".npz"),
        y=cv["y"],
        index=cv["index"],
        **{k.replace("/", "__"): v for k, v in cv["pooled"].items()},
    )


def reuse_report(path: Path, options: dict[str, Any]) -> dict:
    """The earlier CV report at ``path``; :class:`ExportError` unless its recipe options equal
    ``options``."""
    report = json.loads(path.read_text())
    made = {k: report["args"].get(k, OPTION_DEFAULTS.get(k)) for k in RECIPE_OPTIONS}
    differ = {k: (made[k], options.get(k)) for k in RECIPE_OPTIONS if made[k] != options.get(k)}
    if differ:
        raise ExportError(
            f"train-frames16k: --cv-report {path.name} was made with other options (report, now): {differ}"
        )
    return report
