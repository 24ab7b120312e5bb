"""``python -m export train-frames16k``: the default (frames16k) model from raw RAVDESS/TESS
(+ EMOVO) audio.

The steps (each in :mod:`export.frames16k`): scan the corpora, extract the frame features
(cached), build the training arrays, cross-validate by speaker (or reuse an earlier report)
and fit the temperatures, train the final members on every speaker (or reuse them), write the
ONNX graph with the ``ser_edge.*`` contract and check it against Keras, the int8 variant, and
optionally the speaker calibration (``calibrate``).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ser_edge.frontend.frames16k.spec import Frames16kSpec

from ..core.errors import ExportError
from ..frames16k.augment import TEST_VARIANTS, VARIANTS
from ..frames16k.calibration import CalibrationConfig
from ..frames16k.corpus import Clip, scan_corpora
from ..frames16k.dataset import Dataset, build_dataset, column_subset
from ..frames16k.experiment import Recipe, run_cv
from ..frames16k.extract import extract_all
from ..frames16k.members import final_members
from ..frames16k.model_file import contract, training_record, write_ensemble
from ..frames16k.models import SMALL_CNN_FILTERS, build_ensemble
from ..frames16k.report import RECIPE_OPTIONS, cv_report, reuse_report, save_report
from ..frames16k.train import TrainConfig
from . import calibrate

NAME = "train-frames16k"
LOGGER = logging.getLogger(__name__)
PATH_OPTIONS = (
    "ravdess", "tess", "emovo", "output", "cache", "report", "func", "run", "command", "command_line",
)


def add_recipe_options(p: argparse.ArgumentParser) -> None:
    """The options that shape the members (:data:`export.frames16k.report.RECIPE_OPTIONS`, with
    ``--seed``; ``train_corpora`` is set from the corpus folders given)."""
    p.add_argument("--folds", type=int, default=6)
    p.add_argument("--cnn-seeds", type=int, default=1, help="CNN members in the ensemble")
    p.add_argument("--no-mlp", action="store_true", help="no functionals MLP member")
    p.add_argument("--no-f0", action="store_true", help="ablation: functionals without F0/voicing")
    p.add_argument("--mfcc-means-only", action="store_true", help="ablation: MLP on MFCC means only")
    p.add_argument("--pooling", choices=("speech", "all"), default="speech", help="ablation: pool all frames")
    p.add_argument("--variants", default=",".join(TrainConfig().variants),
                   help="training augmentation variants")
    p.add_argument("--no-specaugment", action="store_true")
    p.add_argument("--mixup", type=float, default=TrainConfig().mixup_alpha, help="mixup alpha (0 = off)")
    p.add_argument("--epochs", type=int, default=TrainConfig().cnn_epochs, help="CNN epochs")
    p.add_argument("--mlp-epochs", type=int, default=TrainConfig().mlp_epochs)
    p.add_argument("--small-cnn", action="store_true", help="CNN widths 48/64/96/128")
    p.add_argument("--mlp-hidden", default="256,128", help="MLP hidden widths, comma-separated")
    p.add_argument("--corpus-masks", action="store_true",
                   help="multi-corpus: each clip constrains only its corpus's classes (masked softmax loss)")
    p.add_argument("--balance-corpora", action="store_true",
                   help="multi-corpus: sample every corpus equally often (CNN draws, MLP sample weights)")
    p.add_argument("--dimension-heads", action="store_true",
                   help="arousal/valence heads on every member (the model gets a 'dimensions' output)")


def add_parser(sub: Any) -> None:
    """The ``train-frames16k`` subcommand's arguments."""
    p = sub.add_parser(NAME, help="train the default (frames16k) model from raw audio")
    p.add_argument("--ravdess", type=Path, required=True, help="folder with Actor_XX/ (WAV or FLAC)")
    p.add_argument("--tess", type=Path, help="folder with OAF_*/ YAF_*/ (optional)")
    p.add_argument("--emovo", type=Path,
                   help="folder with f1/ .. m3/ EMOVO clips (optional; trains in every fold, never scored)")
    p.add_argument("-o", "--output", type=Path, help="ONNX file to write (omit with --cv-only)")
    p.add_argument("--cache", type=Path, default=Path("cache/frames"), help="feature cache folder")
    p.add_argument("--report", type=Path, help="write the CV report (JSON) here")
    add_recipe_options(p)
    p.add_argument("--cv-only", action="store_true", help="cross-validate, export nothing")
    p.add_argument("--no-cv", action="store_true", help="skip CV (temperature 1 unless --temperature)")
    p.add_argument("--temperature", type=float, help="use this temperature instead of fitting one")
    p.add_argument("--cv-report", type=Path,
                   help="reuse the CV of an earlier --cv-only --report run with the same recipe options")
    p.add_argument("--int8", action="store_true", help="also write <output>_int8.onnx")
    p.add_argument("--members", type=Path,
                   help="keep the final members' weights here; reuse them when present (same recipe)")
    p.add_argument("--calibrate", action="store_true",
                   help="then add speaker calibration (python -m export calibrate with this run's "
                   "--report NPZ and --members; its report: <report>_calibration.json)")
    p.add_argument("--workers", type=int, default=2, help="feature processes")
    p.add_argument("--seed", type=int, default=0, help="first member's random seed (recipe option)")
    p.set_defaults(run=run)


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` of the recipe options (:func:`add_recipe_options`)."""
    variants = tuple(args.variants.split(","))
    trainable = [v for v in VARIANTS if v not in TEST_VARIANTS]
    if "clean" not in variants or not set(variants) <= set(trainable):
        raise ExportError(f"--variants: expected 'clean' and others of {trainable}, got {list(variants)}"
                          f" ({', '.join(TEST_VARIANTS)} are held-out test conditions, never trained on)")
    cfg = TrainConfig(
        cnn_epochs=args.epochs,
        mlp_epochs=args.mlp_epochs,
        mixup_alpha=args.mixup,
        specaugment=not args.no_specaugment,
        variants=variants,
        corpus_masks=args.corpus_masks,
        balance_corpora=args.balance_corpora,
        dimension_heads=args.dimension_heads,
    )
    if args.small_cnn:
        cfg = replace(cfg, cnn=replace(cfg.cnn, filters=SMALL_CNN_FILTERS))
    return replace(cfg, mlp=replace(cfg.mlp, hidden=tuple(int(w) for w in args.mlp_hidden.split(","))))


def train_corpora(clips: list[Clip]) -> str:
    """The corpora of ``clips``, comma-separated in the order ravdess, tess, emovo (a recipe option)."""
    present = {c.corpus for c in clips}
    return ",".join(c for c in ("ravdess", "tess", "emovo") if c in present)


def _options(args: argparse.Namespace) -> dict:
    """The command's options without paths (the corpora and outputs are the user's)."""
    return {k: v for k, v in vars(args).items() if k not in PATH_OPTIONS and not isinstance(v, Path)}


def _check(args: argparse.Namespace) -> None:
    if not args.cv_only and args.output is None:
        raise ExportError(f"{NAME}: -o/--output is required unless --cv-only")
    if args.calibrate and (args.cv_only or not (args.report and args.members and args.tess)):
        raise ExportError(f"{NAME}: --calibrate needs --report, --members and --tess, and no --cv-only")


def _cross_validate(data: Dataset, recipe: Recipe, cfg: TrainConfig, args: argparse.Namespace) -> dict | None:
    """The CV report: reused (``--cv-report``), none (``--no-cv``), or run now (saved to ``--report``)."""
    if args.cv_report:
        return reuse_report(args.cv_report, _options(args))
    if args.no_cv:
        return None
    start = time.time()
    cv = run_cv(data, recipe, cfg, args.folds)
    report = cv_report(cv, _options(args), cfg, time.time() - start)
    LOGGER.info("CV %s", json.dumps({k: round(v["acc_mean"], 4) for k, v in report["summary"].items()}))
    LOGGER.info("CV calibrated ensemble (nested): %s; ECE %.3f -> %.3f",
                json.dumps(report["nested"]), report["ece_before"], report["ece_after"])
    if args.report:
        save_report(report, cv, args.report)
    return report


def _export(
    data: Dataset, clips: list[Clip], recipe: Recipe, cfg: TrainConfig, report: dict | None,
    args: argparse.Namespace,
) -> None:
    """The final fit, the ONNX file (+ int8) with its contract."""
    temperature = args.temperature or (report["temperature"] if report else 1.0)
    member_t = report["member_temperatures"] if report else [1.0] * (recipe.n_cnn + int(recipe.use_mlp))
    stamp = {k: _options(args).get(k) for k in RECIPE_OPTIONS if k != "folds"}
    cnns, mlps = final_members(data, recipe, cfg, args.members, stamp)
    n_mels, n_func = data.frames[0][0].shape[1], len(recipe.func_columns)
    model = build_ensemble(cnns, mlps, n_mels, n_func, member_t, temperature)
    meta = contract(Frames16kSpec(), training_record(clips, report, temperature, _options(args)))
    write_ensemble(model, data, recipe.func_columns, meta, args.output, args.int8)


def run(args: argparse.Namespace) -> int:
    """Run the command; 0 on success (usage errors raise :class:`ExportError`)."""
    _check(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    spec, cfg = Frames16kSpec(), train_config(args)
    clips = scan_corpora(args.ravdess, args.tess, NAME, args.emovo)
    args.train_corpora = train_corpora(clips)
    LOGGER.info("%d clips from %d speakers", len(clips), len({c.speaker for c in clips}))
    data = build_dataset(clips, extract_all(clips, spec, args.cache, args.workers), spec, args.pooling)
    cols = column_subset(data.func_names, args.no_f0, args.mfcc_means_only)
    recipe = Recipe(n_cnn=args.cnn_seeds, use_mlp=not args.no_mlp,
                    func_columns=tuple(int(c) for c in cols), seed=args.seed)
    report = _cross_validate(data, recipe, cfg, args)
    if not args.cv_only:
        _export(data, clips, recipe, cfg, report, args)
        if args.calibrate:
            calibrate.run(_calibrate_args(args))
    return 0


def _calibrate_args(args: argparse.Namespace) -> argparse.Namespace:
    """``calibrate``'s arguments for this run's CV predictions, members and model (in place)."""
    defaults = CalibrationConfig()
    return argparse.Namespace(
        ravdess=args.ravdess,
        tess=args.tess,
        emovo=args.emovo,
        cv=[args.report.with_suffix(".npz")],
        members=args.members,
        base=args.output,
        output=args.output,
        cache=args.cache,
        report=args.report.with_name(args.report.stem + "_calibration.json"),
        prior_utterances=defaults.prior_utterances,
        epochs=defaults.epochs,
        folds=args.folds,
        cv_only=False,
        int8=args.int8,
        workers=args.workers,
        figures=None,
    )
