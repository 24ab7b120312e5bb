"""``python -m export calibrate``: the speaker-calibrated v2 model (issue 15).

Takes what ``train-frames16k`` left (its CV predictions, ``--report`` NPZ files, and its final
members, ``--members`` folder), trains the calibrated functionals MLP (each speaker normalised
by random, skewed enrolments of its own utterances; :mod:`export.frames16k.calibration`),
cross-validates it under several enrolments (speaker-grouped, as ``train-frames16k``), and
writes one model with two outputs over the same CNN: ``probs`` (functionals normalised by the
training prior: what the device says before it has heard anyone) and ``probs_calibrated``
(normalised by the speaker statistics the runtime feeds in).
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.frontend.frames16k.spec import Frames16kSpec

from ..core.errors import ExportError
from ..core.folds import ravdess_folds
from ..core.metrics import confusion
from ..frames16k.calibration import (
    CalibrationConfig,
    fit_temperatures,
    nested_outputs,
    run_calibration_cv,
    score_conditions,
    train_calibrated_mlp,
)
from ..frames16k.corpus import LABELS, scan_emovo, scan_ravdess, scan_tess
from ..frames16k.crossval import cross_fitted_average, ece, fold_scores
from ..frames16k.dataset import build_dataset
from ..frames16k.extract import extract_all
from ..frames16k.train import TrainConfig

LOGGER = logging.getLogger(__name__)
PROTOCOL = (
    "speaker-grouped CV: RAVDESS actors 1-18 in {folds} folds of consecutive actors, TESS OAF/YAF in every "
    "training set; each held-out actor's statistics from an enrolment of its own unlabelled RAVDESS "
    "speech (none; n random utterances, {draws} draws, the other utterances scored; all 60, all scored; "
    "neutral+calm only or one emotion only, the other utterances scored; the fold's 3 actors pooled as "
    "one household, all scored); temperatures fitted on the other folds"
)


def add_parser(sub: Any) -> None:
    """The ``calibrate`` subcommand's arguments."""
    p = sub.add_parser(
        "calibrate", help="add speaker calibration to a train-frames16k model (CV + export)"
    )
    p.add_argument("--ravdess", type=Path, required=True, help="folder with Actor_XX/ (WAV or FLAC)")
    p.add_argument("--tess", type=Path, required=True, help="folder with OAF_*/ YAF_*/")
    p.add_argument("--emovo", type=Path,
                   help="folder with EMOVO f1/ .. m3/ (optional: trains the calibrated MLP in every fold, "
                   "as train-frames16k --emovo; never scored)")
    p.add_argument(
        "--cv",
        type=Path,
        nargs="+",
        required=True,
        help="train-frames16k --report NPZ files holding the CNN's (clean__cnn0, band8k__cnn0) and "
        "the uncalibrated MLP's (clean__mlp0) out-of-fold predictions",
    )
    p.add_argument("--members", type=Path, required=True, help="train-frames16k --members folder (cnn_0.h5)")
    p.add_argument("--base", type=Path, required=True, help="the train-frames16k model (metadata kept)")
    p.add_argument("-o", "--output", type=Path, help="ONNX file to write (omit with --cv-only)")
    p.add_argument("--cache", type=Path, default=Path("cache/frames"), help="feature cache folder")
    p.add_argument("--report", type=Path, help="write the calibration CV report (JSON) here")
    p.add_argument("--prior-utterances", type=float, default=CalibrationConfig().prior_utterances)
    p.add_argument("--epochs", type=int, default=CalibrationConfig().epochs)
    p.add_argument("--folds", type=int, default=6, help="CV folds of consecutive RAVDESS actors")
    p.add_argument("--cv-only", action="store_true")
    p.add_argument("--int8", action="store_true", help="also write <output>_int8.onnx")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--figures", type=Path, metavar="DIR",
                   help="also draw the card's PNGs into DIR from the report's NPZ (needs --report; "
                   "as `card-figures --calibrated`)")
    p.set_defaults(run=run)


def out_of_fold(paths: list[Path], n: int) -> dict[str, np.ndarray]:
    """Per key (e.g. ``clean__cnn0``) the out-of-fold predictions in dataset order: (n, 8)
    probabilities, (n, 2) for the dimension heads (``clean__dims``); NaN off the folds."""
    out: dict[str, np.ndarray] = {}
    for path in paths:
        with np.load(path) as data:
            for key in data.files:
                if key not in ("y", "index"):
                    full = np.full((n, data[key].shape[1]), np.nan)
                    full[data["index"]] = data[key]
                    out[key] = full
    for key in ("clean__cnn0", "band8k__cnn0", "clean__mlp0", "band8k__mlp0"):
        if key not in out:
            raise ExportError(
                f"calibrate: no {key!r} in {', '.join(p.name for p in paths)} "
                "(train-frames16k --report NPZ files)"
            )
    return out


def baseline(
    oof: dict[str, np.ndarray], y: np.ndarray, speakers: np.ndarray, corpus: np.ndarray, n_folds: int
) -> dict[str, np.ndarray]:
    """The uncalibrated train-frames16k ensemble's nested CV probabilities (N, 8) per evaluation
    variant ("clean", "band8k"; NaN off the folds), member temperatures fitted on the other folds."""
    folds = [
        np.flatnonzero(np.isin(speakers, f.test_speakers) & (corpus == "ravdess"))
        for f in ravdess_folds(list(speakers), n_folds)
    ]
    order, sizes = np.concatenate(folds), [len(f) for f in folds]
    members = [oof["clean__cnn0"][order], oof["clean__mlp0"][order]]
    out = {}
    for variant in ("clean", "band8k"):
        apply = [oof[f"{variant}__cnn0"][order], oof[f"{variant}__mlp0"][order]]
        out[variant] = np.full_like(oof["clean__cnn0"], np.nan)
        out[variant][order] = cross_fitted_average(members, y[order], sizes, apply)
        LOGGER.info(
            "uncalibrated train-frames16k model, nested CV, %s: %s",
            variant,
            [round(f["acc"], 3) for f in fold_scores(out[variant][order], y[order], sizes, len(LABELS))],
        )
    return out


def per_fold(rows: dict, y: np.ndarray, nested: np.ndarray, condition: str) -> list[dict]:
    """Accuracy/UAR (%) of one condition per fold, from the nested outputs (rows, 8)."""
    out = []
    for f in np.unique(rows["fold"][rows["condition"] == condition]):
        s = rows["fold"] == f
        out.append(
            {"fold": int(f), **score_conditions({k: v[s] for k, v in rows.items()}, y, nested[s])[condition]}
        )
    return out


def report(
    rows: dict,
    y: np.ndarray,
    nested: np.ndarray,
    base: dict[str, np.ndarray],
    cfg: CalibrationConfig,
    n_folds: int,
) -> dict:
    """The calibration CV report from the rows and their :func:`nested_outputs` (rows, 8): per
    condition acc/UAR (calibrated and the uncalibrated train-frames16k model on the same clips), per
    fold for ``none`` and ``all``, ECE and confusion of the outputs."""
    yy = y[rows["clip"]]
    ece_of = {
        c: ece(nested[rows["condition"] == c], yy[rows["condition"] == c])
        for c in ("clean/none", "clean/all", "clean/rand5", "clean/rand20")
        if (rows["condition"] == c).any()
    }
    shown = [c for c in ("clean/none", "clean/all") if (rows["condition"] == c).any()]
    return {
        "protocol": PROTOCOL.format(draws=cfg.draws, folds=n_folds),
        "confusion": {
            c: confusion(
                yy[rows["condition"] == c], nested[rows["condition"] == c].argmax(1), len(LABELS)
            ).tolist()
            for c in shown
        },
        "conditions": score_conditions(rows, y, nested, base),
        "per_fold": {c: per_fold(rows, y, nested, c) for c in ("clean/none", "clean/all")},
        "ece_nested": ece_of,
        "temperatures": asdict(fit_temperatures(rows, y)),
        "config": asdict(cfg),
    }


def _save_report(rep: dict, rows: dict, nested: np.ndarray, labels: np.ndarray, path: Path) -> None:
    """The report as JSON at ``path``, and beside it ``.npz``: the nested probabilities and labels
    of the conditions ``none`` and ``all`` (``none__probs``, ``none__y``, ``all__probs``, ``all__y``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rep, indent=1))
    cond = rows["condition"]
    np.savez(
        path.with_suffix(".npz"),
        **{
            f"{c.split('/')[1]}__{k}": v
            for c in ("clean/none", "clean/all")
            for k, v in (("probs", nested[cond == c]), ("y", labels[rows["clip"][cond == c]]))
        },
    )


def _config(args: argparse.Namespace) -> CalibrationConfig:
    return replace(CalibrationConfig(), prior_utterances=args.prior_utterances, epochs=args.epochs)


def run(args: argparse.Namespace) -> int:
    """Run the command; 0 on success."""
    if not args.cv_only and args.output is None:
        raise ExportError("calibrate: -o/--output is required unless --cv-only")
    if args.figures and not (args.report and args.figures.is_dir()):
        raise ExportError(f"calibrate: --figures {args.figures} needs --report and an existing folder")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    spec, cfg = Frames16kSpec(), _config(args)
    clips = scan_ravdess(args.ravdess) + scan_tess(args.tess) + (scan_emovo(args.emovo) if args.emovo else [])
    data = build_dataset(clips, extract_all(clips, spec, args.cache, args.workers), spec)
    variants = [data.variant(v) for v in TrainConfig().variants]
    oof = out_of_fold(args.cv, len(data.labels))
    cnn = {"clean": oof["clean__cnn0"], "band8k": oof["band8k__cnn0"]}
    rows = run_calibration_cv(data, cnn, variants, cfg, n_folds=args.folds)
    nested = nested_outputs(rows, data.labels)
    base = baseline(oof, data.labels, data.speakers, data.corpus, args.folds)
    rep = report(rows, data.labels, nested, base, cfg, args.folds)
    LOGGER.info(
        "calibration CV: %s",
        json.dumps({k: (v["acc"], v.get("uncalibrated_acc")) for k, v in rep["conditions"].items()}),
    )
    if args.report:
        _save_report(rep, rows, nested, data.labels, args.report)
    if args.figures:
        from ..frames16k.card_figures import calibrated_figures

        calibrated_figures(args.report.with_suffix(".npz"), args.figures)
    if not args.cv_only:
        from ..frames16k.calibrated_export import export_calibrated

        mlp, prior = train_calibrated_mlp(data, np.arange(len(data.labels)), variants, cfg, seed=100)
        export_calibrated(data, mlp, prior, rep, cfg, args)
    return 0
