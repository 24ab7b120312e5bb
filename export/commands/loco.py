"""``python -m export loco``: score a corpus the recipe never trained on (leave-one-corpus-out),
or its speakers in folds (:mod:`export.frames16k.heldout` defines both protocols).

Same corpora, feature cache and recipe options as ``train-frames16k``; writes a JSON report
(``--report``) and beside it an NPZ of the pooled predictions (``y``, ``speakers``, ``index``,
one array per variant/combination). Exports no model.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.frontend.frames16k.spec import Frames16kSpec

from ..core.errors import ExportError
from ..frames16k.corpus import scan_corpora
from ..frames16k.dataset import build_dataset, column_subset
from ..frames16k.experiment import Recipe
from ..frames16k.extract import extract_all
from ..frames16k.heldout import heldout_folds, heldout_report, run_heldout
from .train_frames16k import PATH_OPTIONS, add_recipe_options, train_config, train_corpora

NAME = "loco"
LOGGER = logging.getLogger(__name__)
#: The member temperatures of the v2 recipe's 6-fold RAVDESS CV (models/v2_experiments.md: CNN
#: 1.03, MLP 2.83): how the shipped ensemble weighs its members.
V2_MEMBER_TEMPERATURES = "1.03,2.83"
CORPORA = ("emovo", "tess", "ravdess")


def add_parser(sub: Any) -> None:
    """The ``loco`` subcommand's arguments."""
    p = sub.add_parser(NAME, help="train without a corpus and score it (leave-one-corpus-out)")
    p.add_argument("--ravdess", type=Path, required=True, help="folder with Actor_XX/ (WAV or FLAC)")
    p.add_argument("--tess", type=Path, help="folder with OAF_*/ YAF_*/")
    p.add_argument("--emovo", type=Path, help="folder with f1/ .. m3/ EMOVO clips")
    p.add_argument("--held-out", choices=CORPORA, default="emovo", help="the corpus scored (default emovo)")
    p.add_argument("--speaker-folds", type=int, default=0,
                   help="0: leave the whole corpus out (LOCO); N: N folds of its speakers, the others train")
    p.add_argument("--member-temperatures", default=V2_MEMBER_TEMPERATURES,
                   help="each member's temperature (CNNs, then MLP) for the tempered hybrid "
                   f"(default: the v2 CV's, {V2_MEMBER_TEMPERATURES})")
    p.add_argument("--cache", type=Path, default=Path("cache/frames"), help="feature cache folder")
    p.add_argument("--report", type=Path, required=True, help="write the JSON report (+ .npz) here")
    p.add_argument("--workers", type=int, default=2, help="feature processes")
    p.add_argument("--seed", type=int, default=0, help="first member's random seed (recipe option)")
    add_recipe_options(p)
    p.set_defaults(run=run)


def _temperatures(text: str, n_members: int) -> list[float]:
    """The ``--member-temperatures`` values; :class:`ExportError` unless ``n_members`` numbers."""
    try:
        values = [float(t) for t in text.split(",")]
    except ValueError:
        raise ExportError(f"{NAME}: --member-temperatures: expected e.g. 1.03,2.83, got {text!r}") from None
    if len(values) != n_members:
        raise ExportError(f"{NAME}: --member-temperatures: expected {n_members} values (CNNs, then MLP), "
                          f"got {len(values)} ({text!r})")
    return values


def _options(args: argparse.Namespace) -> dict:
    return {k: v for k, v in vars(args).items() if k not in PATH_OPTIONS and not isinstance(v, Path)}


def _save(report: dict, result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1))
    arrays = {k.replace("/", "__"): v for k, v in result["probs"].items()}
    np.savez(path.with_suffix(".npz"), y=result["y"], speakers=result["speakers"], index=result["index"],
             **arrays)


def run(args: argparse.Namespace) -> int:
    """Run the command; 0 on success (usage errors raise :class:`ExportError`)."""
    if getattr(args, args.held_out) is None:
        raise ExportError(f"{NAME}: --held-out {args.held_out} needs --{args.held_out}")
    member_t = _temperatures(args.member_temperatures, args.cnn_seeds + int(not args.no_mlp))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    spec, cfg = Frames16kSpec(), train_config(args)
    clips = scan_corpora(args.ravdess, args.tess, NAME, args.emovo)
    args.train_corpora = train_corpora(clips)
    data = build_dataset(clips, extract_all(clips, spec, args.cache, args.workers), spec, args.pooling)
    cols = column_subset(data.func_names, args.no_f0, args.mfcc_means_only)
    recipe = Recipe(n_cnn=args.cnn_seeds, use_mlp=not args.no_mlp,
                    func_columns=tuple(int(c) for c in cols), seed=args.seed)
    folds = heldout_folds(data, args.held_out, args.speaker_folds)
    start = time.time()
    result = run_heldout(data, recipe, cfg, folds, member_t)
    report = heldout_report(result, data, args.held_out, args.speaker_folds)
    report.update({"args": _options(args), "seconds": round(time.time() - start, 1)})
    _save(report, result, args.report)
    LOGGER.info("%s", json.dumps({k: v.get("uar", v) for k, v in report["scores"].items()}))
    return 0
