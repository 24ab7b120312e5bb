"""``python -m export train-frames``: the v2 (frames16k) model from raw RAVDESS/TESS audio.

Speaker-grouped cross-validation (RAVDESS actors in folds, TESS always training), temperature
fitted on the pooled CV predictions, then the members retrained on all speakers and exported
as one ONNX graph (+ optional int8) with the ``ser_edge.*`` metadata.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.frontend.frames16k.spec import Frames16kSpec

from ..errors import ExportError
from ..frames.calibration import CalibrationConfig
from ..frames.corpus import LABELS, scan_ravdess, scan_tess
from ..frames.crossval import (
    calibrated_average,
    confusion,
    cross_fitted_average,
    ece,
    fit_temperature,
    fold_scores,
    recalls,
    reliability,
    temper,
)
from ..frames.dataset import build_dataset, column_subset
from ..frames.experiment import Recipe, run_cv, train_members
from ..frames.extract import extract_all
from ..frames.models import SMALL_CNN_FILTERS, build_ensemble
from ..frames.train import TrainConfig
from . import calibrate

LOGGER = logging.getLogger(__name__)
EXPORT_VERSION = "0.2.0-frames"
PROTOCOL = (
    "speaker-grouped CV: RAVDESS actors 1-18 in {folds} folds of consecutive actors, "
    "TESS OAF/YAF in every training set; scored on the held-out actors' RAVDESS speech "
    "(whole utterances, speech frames only)"
)


def add_parser(sub: Any) -> None:
    """The ``train-frames`` subcommand's arguments."""
    p = sub.add_parser("train-frames", help="train the v2 frame-frontend model from raw audio")
    p.add_argument("--ravdess", type=Path, required=True, help="folder with Actor_XX/ (WAV or FLAC)")
    p.add_argument("--tess", type=Path, help="folder with OAF_*/ YAF_*/ (optional)")
    p.add_argument("-o", "--output", type=Path, help="ONNX file to write (omit with --cv-only)")
    p.add_argument("--cache", type=Path, default=Path("cache/frames"), help="feature cache folder")
    p.add_argument("--report", type=Path, help="write the CV report (JSON) here")
    p.add_argument("--folds", type=int, default=6)
    p.add_argument("--cnn-seeds", type=int, default=1, help="CNN members in the ensemble")
    p.add_argument("--no-mlp", action="store_true", help="no functionals MLP member")
    p.add_argument("--no-f0", action="store_true", help="ablation: functionals without F0/voicing")
    p.add_argument("--mfcc-means-only", action="store_true", help="ablation: MLP on MFCC means only")
    p.add_argument("--pooling", choices=("speech", "all"), default="speech", help="ablation: pool all frames")
    p.add_argument(
        "--variants", default=",".join(TrainConfig().variants), help="training augmentation variants"
    )
    p.add_argument("--no-specaugment", action="store_true")
    p.add_argument("--mixup", type=float, default=TrainConfig().mixup_alpha, help="mixup alpha (0 = off)")
    p.add_argument("--epochs", type=int, default=TrainConfig().cnn_epochs, help="CNN epochs")
    p.add_argument("--mlp-epochs", type=int, default=TrainConfig().mlp_epochs)
    p.add_argument("--small-cnn", action="store_true", help="CNN widths 48/64/96/128")
    p.add_argument("--mlp-hidden", default="256,128", help="MLP hidden widths, comma-separated")
    p.add_argument("--cv-only", action="store_true", help="cross-validate, export nothing")
    p.add_argument("--no-cv", action="store_true", help="skip CV (temperature 1 unless --temperature)")
    p.add_argument("--temperature", type=float, help="use this temperature instead of fitting one")
    p.add_argument(
        "--cv-report",
        type=Path,
        help="reuse the CV of an earlier --cv-only --report run with the same recipe options",
    )
    p.add_argument("--int8", action="store_true", help="also write <output>_int8.onnx")
    p.add_argument(
        "--members",
        type=Path,
        help="keep the final members' weights here; reuse them when present (same recipe)",
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="then add speaker calibration (python -m export calibrate with this run's --report NPZ "
        "and --members; its report: <report>_calibration.json)",
    )
    p.add_argument("--workers", type=int, default=2, help="feature processes")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run)


def _config(args: argparse.Namespace) -> TrainConfig:
    cfg = TrainConfig(
        cnn_epochs=args.epochs,
        mlp_epochs=args.mlp_epochs,
        mixup_alpha=args.mixup,
        specaugment=not args.no_specaugment,
        variants=tuple(args.variants.split(",")),
    )
    if args.small_cnn:
        cfg = replace(cfg, cnn=replace(cfg.cnn, filters=SMALL_CNN_FILTERS))
    return replace(cfg, mlp=replace(cfg.mlp, hidden=tuple(int(w) for w in args.mlp_hidden.split(","))))


def _members(pooled: dict, variant: str) -> list[np.ndarray]:
    """The members' pooled CV probabilities (cnn0, cnn1, ..., mlp0) of one evaluation variant."""
    names = sorted(
        k
        for k in pooled
        if k.startswith(f"{variant}/")
        and k.split("/")[1][:3] in ("cnn", "mlp")
        and k.split("/")[1][3:].isdigit()
    )
    return [pooled[k] for k in names]


def _calibration(cv: dict) -> dict:
    """Member temperatures, the ensemble's temperature, ECE, and the nested CV figures."""
    y, sizes = cv["y"], [f["n_test"] for f in cv["folds"]]
    clean, band = _members(cv["pooled"], "clean"), _members(cv["pooled"], "band8k")
    plain = np.mean(clean, axis=0)
    avg, member_t = calibrated_average(clean, y)
    t = fit_temperature(avg, y)
    nested = {
        "clean": fold_scores(cross_fitted_average(clean, y, sizes), y, sizes, len(LABELS)),
        "band8k": fold_scores(cross_fitted_average(clean, y, sizes, band), y, sizes, len(LABELS)),
    }
    after = temper(avg, t)
    pred = after.argmax(axis=1)
    return {
        "member_temperatures": member_t,
        "temperature": t,
        "ece_plain_average": ece(plain, y),
        "ece_before": ece(avg, y),
        "ece_after": ece(after, y),
        "nested_folds": nested,
        "nested": {
            v: {
                "acc_mean": float(np.mean([f["acc"] for f in n])),
                "uar_mean": float(np.mean([f["uar"] for f in n])),
            }
            for v, n in nested.items()
        },
        "recall": dict(zip(LABELS, np.round(recalls(y, pred, len(LABELS)), 4).tolist(), strict=True)),
        "confusion": confusion(y, pred, len(LABELS)).tolist(),
        "reliability_after": reliability(after, y),
    }


def _options(args: argparse.Namespace) -> dict:
    """The command's options without paths (the corpora and outputs are the user's)."""
    return {
        k: v
        for k, v in vars(args).items()
        if k not in ("ravdess", "tess", "output", "cache", "report", "func", "run", "command", "command_line")
        and not isinstance(v, Path)
    }


def _report(cv: dict, args: argparse.Namespace, cfg: TrainConfig, elapsed: float) -> dict:
    calib = _calibration(cv)
    return {
        "summary": cv["summary"],
        "folds": cv["folds"],
        **calib,
        "protocol": PROTOCOL.format(folds=args.folds),
        "config": asdict(cfg),
        "args": _options(args),
        "cv_seconds": round(elapsed, 1),
    }


def _training_metadata(
    clips: list, report: dict | None, temperature: float, args: argparse.Namespace
) -> dict:
    speakers = sorted({c.speaker for c in clips})
    meta = {
        "data": {
            "corpora": sorted({c.corpus for c in clips}),
            "speakers": speakers,
            "n_clips": len(clips),
            "licences": {"ravdess": "CC BY-NC-SA 4.0", "tess": "CC BY-NC-ND 4.0"},
        },
        "temperature": temperature,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "export_version": EXPORT_VERSION,
        "options": _options(args),
        "inputs": {"frames": "pooling.cnn_input", "functionals": "pooling.functionals"},
    }
    if report:
        main = report["nested"]["clean"]
        meta.update(
            {
                "protocol": report["protocol"],
                "metrics": {
                    "ravdess_speaker_independent_accuracy": main["acc_mean"],
                    "ravdess_uar": main["uar_mean"],
                    "per_fold": [
                        {"test": f["test_speakers"], **s}
                        for f, s in zip(report["folds"], report["nested_folds"]["clean"], strict=True)
                    ],
                    "band8k_accuracy": report["nested"]["band8k"]["acc_mean"],
                    "ece_before": report["ece_before"],
                    "ece_after": report["ece_after"],
                    "member_temperatures": report["member_temperatures"],
                },
            }
        )
    return meta


def _export(
    data,
    clips,
    recipe: Recipe,
    cfg: TrainConfig,
    spec: Frames16kSpec,
    temperature: float,
    member_t: list[float],
    report: dict | None,
    args: argparse.Namespace,
) -> None:
    from ..frames.onnx_export import ensemble_feeds, quantize_int8, run_onnx, to_onnx, write

    everyone = np.arange(len(data.labels))
    n_func = len(recipe.func_columns)
    cnns, mlps = _final_members(data, everyone, recipe, cfg, args)
    model = build_ensemble(cnns, mlps, data.frames[0][0].shape[1], n_func, member_t, temperature)
    meta = {
        "ser_edge.labels": list(LABELS),
        "ser_edge.frontend": spec.to_dict(),
        "ser_edge.training": _training_metadata(clips, report, temperature, args),
    }
    out = write(to_onnx(model, data.frames[0][0].shape[1], n_func), args.output, meta)
    probe = everyone[:: max(1, len(everyone) // 20)]
    clean = data.variant("clean")
    func = data.func[probe, clean][:, np.array(recipe.func_columns)]
    frames = [data.frames[i][clean] for i in probe]
    keras_p = np.concatenate(
        [model([f[None], func[k : k + 1]], training=False).numpy() for k, f in enumerate(frames)]
    )
    LOGGER.info(
        "wrote %s (%d bytes); max |onnx - keras| = %.2e",
        out,
        out.stat().st_size,
        float(np.abs(run_onnx(out, ensemble_feeds(frames, func)) - keras_p).max()),
    )
    if args.int8:
        q = quantize_int8(out, out.with_name(out.stem + "_int8.onnx"))
        agree = float(np.mean(run_onnx(q, ensemble_feeds(frames, func)).argmax(1) == keras_p.argmax(1)))
        LOGGER.info(
            "wrote %s (%d bytes); top-1 agreement with float on the probe: %.3f", q, q.stat().st_size, agree
        )


RECIPE_OPTIONS = (
    "folds",
    "cnn_seeds",
    "no_mlp",
    "no_f0",
    "mfcc_means_only",
    "pooling",
    "variants",
    "no_specaugment",
    "mixup",
    "epochs",
    "mlp_epochs",
    "small_cnn",
    "mlp_hidden",
    "seed",
)


def _reuse_report(args: argparse.Namespace) -> dict:
    """The earlier CV report; :class:`ExportError` unless its recipe options equal this call's."""
    report = json.loads(args.cv_report.read_text())
    mine = _options(args)
    differ = {
        k: (report["args"].get(k), mine.get(k))
        for k in RECIPE_OPTIONS
        if report["args"].get(k) != mine.get(k)
    }
    if differ:
        raise ExportError(
            f"train-frames: --cv-report {args.cv_report.name} was made with other options "
            f"(report, now): {differ}"
        )
    return report


def _final_members(
    data, everyone: np.ndarray, recipe: Recipe, cfg: TrainConfig, args: argparse.Namespace
) -> tuple[list, list]:
    """Train the members on every clip, or load them from ``--members`` if saved by the same recipe."""
    from ..frames.models import build_cnn, build_mlp

    folder, stamp = args.members, {k: _options(args).get(k) for k in RECIPE_OPTIONS if k != "folds"}
    if (
        folder
        and (folder / "recipe.json").exists()
        and json.loads((folder / "recipe.json").read_text()) == stamp
    ):
        n_func, n_mels = len(recipe.func_columns), data.frames[0][0].shape[1]
        cnns = [build_cnn(n_mels, cfg.cnn, name=f"cnn_{recipe.seed + k}") for k in range(recipe.n_cnn)]
        mlps = (
            [build_mlp(np.zeros(n_func), np.ones(n_func), cfg.mlp, name=f"mlp_{recipe.seed + 100}")]
            if recipe.use_mlp
            else []
        )
        for m in cnns + mlps:
            m.load_weights(str(folder / f"{m.name}.h5"))
        LOGGER.info("loaded the final members from %s", folder)
        return cnns, mlps
    cnns, mlps = train_members(data, everyone, recipe, cfg)
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        for m in cnns + mlps:
            m.save_weights(str(folder / f"{m.name}.h5"))
        (folder / "recipe.json").write_text(json.dumps(stamp))
    return cnns, mlps


def _scan(args: argparse.Namespace) -> list:
    """The clips of ``--ravdess`` (+ ``--tess``); ExportError for a missing folder or no RAVDESS clip."""
    for option, folder in (("--ravdess", args.ravdess), ("--tess", args.tess)):
        if folder is not None and not folder.is_dir():
            raise ExportError(f"train-frames: {option} {folder}: not a folder")
    clips = scan_ravdess(args.ravdess)
    if not clips:
        raise ExportError(f"train-frames: --ravdess {args.ravdess}: no RAVDESS speech clips of actors 1-18 "
                          "(expected Actor_XX/03-01-*.wav or .flac)")
    return clips + (scan_tess(args.tess) if args.tess else [])


def run(args: argparse.Namespace) -> int:
    """Run the command; 0 on success (usage errors raise :class:`ExportError`)."""
    if not args.cv_only and args.output is None:
        raise ExportError("train-frames: -o/--output is required unless --cv-only")
    if args.calibrate and (args.cv_only or not (args.report and args.members and args.tess)):
        raise ExportError("train-frames: --calibrate needs --report, --members and --tess, and no --cv-only")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    spec, cfg = Frames16kSpec(), _config(args)
    clips = _scan(args)
    LOGGER.info("%d clips from %d speakers", len(clips), len({c.speaker for c in clips}))
    feats = extract_all(clips, spec, args.cache, args.workers)
    data = build_dataset(clips, feats, spec, args.pooling)
    cols = column_subset(data.func_names, args.no_f0, args.mfcc_means_only)
    recipe = Recipe(
        n_cnn=args.cnn_seeds,
        use_mlp=not args.no_mlp,
        func_columns=tuple(int(c) for c in cols),
        seed=args.seed,
    )
    report, temperature = None, args.temperature or 1.0
    member_t = [1.0] * (recipe.n_cnn + int(recipe.use_mlp))
    if args.cv_report:
        report = _reuse_report(args)
        temperature, member_t = args.temperature or report["temperature"], report["member_temperatures"]
    elif not args.no_cv:
        start = time.time()
        cv = run_cv(data, recipe, cfg, args.folds)
        report = _report(cv, args, cfg, time.time() - start)
        temperature, member_t = args.temperature or report["temperature"], report["member_temperatures"]
        LOGGER.info("CV %s", json.dumps({k: round(v["acc_mean"], 4) for k, v in report["summary"].items()}))
        LOGGER.info(
            "CV calibrated ensemble (nested): %s; ECE %.3f -> %.3f",
            json.dumps(report["nested"]),
            report["ece_before"],
            report["ece_after"],
        )
        if args.report:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(json.dumps(report, indent=1))
            np.savez(
                args.report.with_suffix(".npz"),
                y=cv["y"],
                index=cv["index"],
                **{k.replace("/", "__"): v for k, v in cv["pooled"].items()},
            )
    if not args.cv_only:
        _export(data, clips, recipe, cfg, spec, temperature, member_t, report, args)
        if args.calibrate:
            calibrate.run(_calibrate_args(args))
    return 0


def _calibrate_args(args: argparse.Namespace) -> argparse.Namespace:
    """``calibrate``'s arguments for this run's CV predictions, members and model (in place)."""
    defaults = CalibrationConfig()
    return argparse.Namespace(
        ravdess=args.ravdess,
        tess=args.tess,
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
    )

