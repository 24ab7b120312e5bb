"""The calibrated model file: the train-frames16k CNN and the calibrated MLP in one graph with the
outputs ``probs`` and ``probs_calibrated``, the calibration contract in ``ser_edge.frontend``
and the calibration CV in ``ser_edge.training``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.config import LABELS_KEY, TRAINING_KEY, CalibrationSpec
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from ..core.errors import ExportError
from ..core.provenance import EXPORT_VERSION
from .calibration import CalibrationConfig, Prior
from .dataset import Dataset
from .graph import CALIBRATED_INPUTS, to_onnx
from .members import STAMP
from .model_file import PROBES, keras_outputs, write_checked, write_int8
from .models import SMALL_CNN_FILTERS, CnnConfig, MlpConfig, build_calibrated_ensemble, build_cnn, build_mlp


def calibration_spec(prior: Prior, cfg: CalibrationConfig) -> CalibrationSpec:
    """The runtime's contract: the prior as float32 values (the graph's constants) and k."""
    return CalibrationSpec(
        mean=tuple(float(x) for x in prior.mean.astype(np.float32)),
        std=tuple(float(x) for x in prior.std.astype(np.float32)),
        prior_utterances=float(cfg.prior_utterances),
        min_utterances=1,
    )


def _metrics(base: dict[str, Any], rep: dict) -> dict[str, Any]:
    """The base record's metrics with the headline figures of the new uncalibrated output
    (condition ``none``) and its member temperatures."""
    cond, t = rep["conditions"], rep["temperatures"]
    none, band = cond["clean/none"], cond["band8k/none"]
    metrics = dict(base.get("metrics", {}))
    metrics.update(
        {
            "ravdess_speaker_independent_accuracy": none["acc"] / 100,
            "ravdess_uar": none["uar"] / 100,
            "band8k_accuracy": band["acc"] / 100,
            "per_fold": [
                {"test": f"fold {f['fold']}", "acc": f["acc"] / 100, "uar": f["uar"] / 100}
                for f in rep["per_fold"]["clean/none"]
            ],
            "ece_after": rep["ece_nested"]["clean/none"],
            "member_temperatures": [t["cnn"], t["mlp"]],
        }
    )
    metrics.pop("ece_before", None)
    return metrics


def _input_rates(rates: dict[str, Any], rep: dict) -> dict[str, Any]:
    """The base record's ``input_rates`` with the full-band and 8 kHz figures of the new output."""
    none, band = rep["conditions"]["clean/none"], rep["conditions"]["band8k/none"]
    full = {"accuracy": round(none["acc"] / 100, 4), "uar": round(none["uar"] / 100, 4)}
    at_8k = {"accuracy": round(band["acc"] / 100, 4), "uar": round(band["uar"] / 100, 4)}
    rates = dict(rates, full_band=full)
    rates["measured"] = [dict(r, **at_8k) if r.get("rate") == 8000 else r for r in rates.get("measured", [])]
    return rates


def training_record(base: dict[str, Any], rep: dict, args: argparse.Namespace) -> dict[str, Any]:
    """The base model's ``ser_edge.training`` with the headline figures of the new uncalibrated
    output (condition ``none``), its temperatures, and the calibration CV."""
    t = rep["temperatures"]
    out = dict(base)
    out.update(
        {
            "metrics": _metrics(base, rep),
            "temperature": t["uncalibrated"],
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "export_version": EXPORT_VERSION,
            "calibration": {
                "protocol": rep["protocol"],
                "temperature": t["calibrated"],
                "conditions": dict(rep["conditions"]),
                "ece_nested": rep["ece_nested"],
                "options": {
                    "command": "calibrate",
                    "prior_utterances": args.prior_utterances,
                    "epochs": args.epochs,
                },
            },
        }
    )
    if out.get("input_rates"):
        out["input_rates"] = _input_rates(out["input_rates"], rep)
    return out


def members_recipe(folder: Path) -> dict[str, Any]:
    """The recipe options of a train-frames16k ``--members`` folder (its ``recipe.json``);
    ExportError unless it made one CNN and the MLP."""
    recipe_file = folder / STAMP
    if not recipe_file.exists():
        raise ExportError(
            f"calibrate: --members {folder}: no {STAMP} (a train-frames16k --members folder?)"
        )
    recipe = json.loads(recipe_file.read_text())
    if recipe.get("cnn_seeds") != 1 or recipe.get("no_mlp"):
        raise ExportError(
            f"calibrate: --members {folder}: made with cnn_seeds={recipe.get('cnn_seeds')}, "
            f"no_mlp={recipe.get('no_mlp')}; expected one CNN and the MLP"
        )
    return recipe


def members_heads_mlp(folder: Path, recipe: dict[str, Any], n_func: int) -> Any:
    """The recipe's functionals MLP with dimension heads from a ``--members`` folder
    (``mlp_100.h5``: seed 0's MLP), its hidden widths from the folder's ``recipe``."""
    hidden = tuple(int(w) for w in str(recipe.get("mlp_hidden", "256,128")).split(","))
    name = f"mlp_{int(recipe.get('seed', 0)) + 100}"
    config = replace(MlpConfig(), hidden=hidden)
    mlp = build_mlp(np.zeros(n_func), np.ones(n_func), config, name=name, heads=True)
    mlp.load_weights(str(folder / f"{name}.h5"))
    return mlp


def _probe(data: Dataset, prior: Prior) -> list[dict[str, np.ndarray]]:
    """Feeds of a few clips, half with the prior and half with another clip's statistics."""
    idx = np.linspace(0, len(data.labels) - 1, PROBES).astype(int)
    clean = data.variant("clean")
    feeds = []
    for k, i in enumerate(idx):
        mean = prior.mean if k % 2 else data.func[idx[(k + 1) % len(idx)], clean].astype(np.float64)
        feeds.append(
            {
                "frames": data.frames[i][clean][None].astype(np.float32),
                "functionals": data.func[i, clean][None].astype(np.float32),
                "speaker_mean": mean[None].astype(np.float32),
                "speaker_std": prior.std[None].astype(np.float32),
            }
        )
    return feeds


def export_calibrated(
    data: Dataset, mlp: Any, prior: Prior, rep: dict, cfg: CalibrationConfig, args: argparse.Namespace
) -> None:
    """Build, convert and write the calibrated model (+ int8); log ONNX vs Keras differences."""
    import onnx

    n_mels, n_func = data.frames[0][0].shape[1], data.func.shape[2]
    recipe = members_recipe(args.members)
    heads = bool(recipe.get("dimension_heads"))
    config = CnnConfig(filters=SMALL_CNN_FILTERS) if recipe.get("small_cnn") else CnnConfig()
    seed = int(recipe.get("seed", 0))  # the members are named by it (members.py)
    cnn = build_cnn(n_mels, config, name=f"cnn_{seed}", heads=heads)
    cnn.load_weights(str(args.members / f"{cnn.name}.h5"))
    t = rep["temperatures"]
    model = build_calibrated_ensemble(
        cnn, mlp, n_mels, prior.mean, prior.std, (t["cnn"], t["mlp"]), (t["uncalibrated"], t["calibrated"]),
        heads_mlp=members_heads_mlp(args.members, recipe, n_func) if heads else None,
    )
    base = {p.key: p.value for p in onnx.load(str(args.base)).metadata_props}
    frontend = Frames16kSpec.from_dict(json.loads(base["ser_edge.frontend"]))
    spec = Frames16kSpec(**{**frontend.__dict__, "calibration": calibration_spec(prior, cfg)})
    meta = {
        LABELS_KEY: json.loads(base[LABELS_KEY]),
        "ser_edge.frontend": spec.to_dict(),
        TRAINING_KEY: training_record(json.loads(base[TRAINING_KEY]), rep, args),
    }
    onnx_model = to_onnx(model, n_mels, n_func, calibrated=True)
    feeds, outputs = _probe(data, prior), tuple(model.output_names)
    expected = keras_outputs(model, feeds, CALIBRATED_INPUTS)
    out = write_checked(onnx_model, args.output, meta, feeds, expected, outputs)
    if args.int8:
        write_int8(out, feeds, expected, outputs)
