"""``python -m export train``: measure a recipe with the protocols, train the final model, write ONNX."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.model.contract import ModelSpec

from ..core.errors import ExportError
from ..core.folds import parse_actors, seed_split
from ..core.onnx_io import OPSET, save, session
from ..core.provenance import record, versions
from ..mfcc_mean.crossval import mean_curves, run_folds
from ..mfcc_mean.data import Dataset
from ..mfcc_mean.describe import PROTOCOL_TEXT, describe_data
from ..mfcc_mean.graph import keras_to_onnx, max_difference
from ..mfcc_mean.keras_model import parameter_count
from ..mfcc_mean.loaders import load_features
from ..mfcc_mean.protocol import HOLDOUT, SEED_SPLIT, SPEAKER_INDEPENDENT, holdout_fold, speaker_folds
from ..mfcc_mean.recipe import Recipe, load_recipe
from ..mfcc_mean.train import Trained, fit

PROTOCOL_CHOICES = {
    "both": (SPEAKER_INDEPENDENT, SEED_SPLIT),
    SPEAKER_INDEPENDENT: (SPEAKER_INDEPENDENT,),
    SEED_SPLIT: (SEED_SPLIT,),
    "none": (),
}
MAX_ONNX_DIFFERENCE = 1e-4


def add_parser(sub: Any) -> None:
    """The ``train`` subcommand's arguments."""
    train = sub.add_parser("train", help="measure a recipe, train on the data, write ONNX (+ card)")
    train.add_argument(
        "--features",
        required=True,
        help="folder with features.npz or X.joblib + y.joblib (+ metadata.csv), or an .npz file",
    )
    train.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    train.add_argument(
        "--recipe",
        default="shipped",
        help="preset name (original, shipped, mlp, mlp_band, mlp_bandmap) or a JSON file",
    )
    train.add_argument("--epochs", type=int, help="override the recipe's epochs")
    train.add_argument("--batch-size", type=int, help="override the recipe's batch size")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument(
        "--protocol",
        default="both",
        choices=["both", "speaker-independent", "seed-split", "none"],
        help="how to measure the recipe before the final fit on all rows (default both)",
    )
    train.add_argument(
        "--holdout-actors",
        metavar="LIST",
        help="e.g. 19-24 or 1,3,5: test on these actors, "
        "train on the rest (replaces --protocol; the written model never saw them)",
    )
    train.add_argument(
        "--band-audio",
        metavar="DIR",
        help="audio folder (unlabeled) to learn the 16 kHz band-limit map from, for recipes "
        "with aug_bandmap (e.g. mlp_bandmap); features by the runtime's frontend",
    )
    train.add_argument(
        "--card", metavar="PATH", help="also write the model card (Markdown) and its PNGs there"
    )
    train.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything first, then train; the ONNX file (and card) appear only at the end."""
    started = time.perf_counter()
    recipe = load_recipe(args.recipe).replace(epochs=args.epochs, batch_size=args.batch_size)
    held = parse_actors(args.holdout_actors) if args.holdout_actors else ()
    _check_output(Path(args.output), args.card)
    data = load_features(args.features)
    if held:
        holdout_fold(data, held)  # validates the actor list before any training
    elif SPEAKER_INDEPENDENT in PROTOCOL_CHOICES[args.protocol]:
        speaker_folds(data)
    band_map = _band_map(recipe, args)
    metrics, final, protocol_text = _measure_and_train(data, recipe, held, args, band_map)
    trained_rows = len(holdout_fold(data, held).train) if held else len(data)
    training = record(
        describe_data(data, trained_rows),
        protocol_text,
        metrics,
        args.command_line,
        seed=args.seed,
        recipe=recipe.to_dict(),
        **({"band_map": band_map.describe()} if band_map is not None else {}),
        model={
            "parameters": parameter_count(final.model),
            "opset": OPSET,
            "tools": versions(),
            "input": f"features [batch, {data.X.shape[1]}, 1] float32",
            "output": f"scores [batch, {len(data.labels)}] softmax probabilities",
        },
        final_fit={"seconds": final.seconds, "curves": mean_curves([final.history])},
        total_seconds=round(time.perf_counter() - started, 1),
    )
    spec = ModelSpec(
        labels=data.labels, frontend=MfccMeanSpec(), training=training, input_shape=(data.X.shape[1], 1)
    )
    onnx_model = keras_to_onnx(final.model, data.X.shape[1], spec)
    return _write(onnx_model, final, data, args)


def _band_map(recipe: Recipe, args: argparse.Namespace) -> Any:
    """The band map learned from ``--band-audio`` (None when the recipe does not use one)."""
    band_audio = getattr(args, "band_audio", None)
    if recipe.aug_bandmap and not band_audio:
        raise ExportError(
            f"recipe '{recipe.name}' has aug_bandmap {recipe.aug_bandmap}: give --band-audio DIR"
        )
    if not recipe.aug_bandmap:
        return None
    from ..mfcc_mean.bandmap import load_band_map

    return load_band_map(band_audio)


def _measure_and_train(
    data: Dataset, recipe: Recipe, held: tuple[int, ...], args: argparse.Namespace, band_map: Any = None
) -> tuple[dict[str, Any], Trained, str]:
    """Metrics per protocol (speaker-independent first) and the model to ship."""
    if held:
        fold = holdout_fold(data, held)
        summary, trained = run_folds(data, [fold], recipe, args.seed, HOLDOUT, band_map)
        summary["held_out_actors"] = list(held)
        return {HOLDOUT: summary}, trained, f"{PROTOCOL_TEXT[HOLDOUT]}: actors {list(held)}"
    metrics: dict[str, Any] = {}
    for name in PROTOCOL_CHOICES[args.protocol]:
        folds = speaker_folds(data) if name == SPEAKER_INDEPENDENT else [seed_split(len(data))]
        metrics[name], _ = run_folds(data, folds, recipe, args.seed, name, band_map)
        _print_summary(name, metrics[name])
    final = fit(
        recipe, data.X, data.y, len(data.labels), args.seed, label="[final: all rows] ", band_map=band_map
    )
    text = "; ".join(f"{n}: {PROTOCOL_TEXT[n]}" for n in metrics) or "none (no evaluation was run)"
    return metrics, final, text + f"; the shipped model is then trained on all {len(data)} rows"


def _print_summary(name: str, summary: dict[str, Any]) -> None:
    pooled = summary["pooled"]
    parts = [
        f"{subset} accuracy {pooled[subset]['accuracy']:.2%} UAR {pooled[subset]['uar']:.2%}"
        for subset in ("all", "ravdess_speech")
        if subset in pooled
    ]
    print(f"{name}: " + "; ".join(parts), file=sys.stderr, flush=True)


def _check_output(out: Path, card: str | None) -> None:
    for path in (out, Path(card) if card else None):
        if path is not None and not path.parent.is_dir():
            raise ExportError(f"output folder '{path.parent}' does not exist (for '{path}')")
    if out.suffix != ".onnx":
        raise ExportError(f"-o: expected a path ending in .onnx, got '{out}'")


def _write(onnx_model: Any, final: Trained, data: Dataset, args: argparse.Namespace) -> int:
    """Save the ONNX file, check it against Keras, write the card; print where things went."""
    out = save(onnx_model, args.output)
    difference = max_difference(session(out), final.model, data.X)
    if difference > MAX_ONNX_DIFFERENCE:
        out.unlink()
        raise ExportError(
            f"ONNX and Keras scores differ by {difference:.2e} (> {MAX_ONNX_DIFFERENCE}); not written"
        )
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB; max |ONNX - Keras| {difference:.1e})")
    if args.card:
        from ..core.card import write_card

        for path in write_card(out, Path(args.card)):
            print(f"wrote {path}")
    return 0
