"""``ser-edge info``: what a model file is, in ~10 lines (``--verbose``/``--json``: everything)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..model import DIMENSION_NAMES, EmotionModel, sha256_of
from ..model.contract import FROM_HEADS, FROM_LABELS


def model_info(model: EmotionModel) -> dict[str, Any]:
    """Everything ``info --json`` prints: file, SHA-256, size, graph I/O, labels, frontend, training."""
    spec = model.spec
    return {
        "path": str(model.path),
        "sha256": sha256_of(model.path),
        "size_bytes": model.path.stat().st_size,
        "input": {"name": spec.input_name, "shape": ["batch", *spec.input_shape]},
        "inputs": {name: ["batch", *(d if d is not None else "time" for d in shape)]
                   for name, shape in model.input_shapes.items()},
        "output": {"name": spec.output_name, "shape": ["batch", len(spec.labels)]},
        "dimensions": {"source": model.dimensions_source, "names": list(DIMENSION_NAMES)},
        "labels": list(spec.labels),
        "frontend": spec.frontend.to_dict(),
        "training": spec.training,
        "heard": trained_on(spec.training),
    }


def headline(training: dict[str, Any]) -> str:
    """The speaker-independent figures of the training record, one line ("not recorded" if none)."""
    metrics = training.get("metrics", {})
    pooled = metrics.get("speaker-independent", {}).get("pooled", {})
    figures = [f"{name.replace('_', ' ')} {pooled[name]['accuracy']:.2%} (UAR {pooled[name]['uar']:.2%})"
               for name in ("all", "ravdess_speech") if "accuracy" in pooled.get(name, {})]
    if "ravdess_speaker_independent_accuracy" in metrics:  # a train-frames record (speaker-grouped CV)
        figures.append(f"ravdess speech {metrics['ravdess_speaker_independent_accuracy']:.2%} "
                       f"(UAR {metrics.get('ravdess_uar', float('nan')):.2%}, "
                       f"{len(metrics.get('per_fold', []))}-fold CV)")
    return "; ".join(figures) if figures else "not recorded"


def actor_ranges(actors: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1–3, 5"``."""
    runs: list[list[int]] = []
    for a in sorted(actors):
        if runs and a == runs[-1][-1] + 1:
            runs[-1].append(a)
        else:
            runs.append([a])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


def trained_on(training: dict[str, Any]) -> str | None:
    """Which speakers the shipped file itself heard, and what that means for its figures, one line
    (None when the training record does not say). From the record's ``data.speakers``
    (train-frames: ``ravdess_NN``, ``tess_OAF``, ``emovo_f1``) or, for the seed feature set trained
    on every row, its corpora."""
    data = training.get("data")
    if not isinstance(data, dict):
        return None
    speakers = data.get("speakers")
    if isinstance(speakers, list) and speakers:
        ravdess = [int(s.split("_")[1]) for s in speakers if str(s).startswith("ravdess_")]
        parts = [f"RAVDESS actors {actor_ranges(ravdess)}"] if ravdess else []
        for corpus, name in (("tess", "TESS"), ("emovo", "EMOVO")):
            names = [str(s).split("_", 1)[1] for s in speakers if str(s).startswith(f"{corpus}_")]
            parts += [f"{name} {', '.join(names)}"] if names else []
        new = sorted(set(range(1, 25)) - set(ravdess))
        note = (f": only RAVDESS actors {actor_ranges(new)} are new to it (a figure on actors "
                f"{actor_ranges(ravdess)} is not a test)" if ravdess and new else "")
        if not parts:
            return None
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        return f"trained on {listed} ({len(speakers)} speakers){note}"
    groups = data.get("groups", {})
    if data.get("source") == "seed" and data.get("trained_rows") == data.get("rows") and groups:
        tess = " and both TESS speakers" if any(str(g).startswith("tess") for g in groups) else ""
        return f"trained on all 24 RAVDESS actors{tess}: no RAVDESS figure is a test"
    return None


def calibration_line(model: EmotionModel, training: dict[str, Any]) -> str | None:
    """Speaker calibration in one line: its CV figures with 5 and all utterances (None: none)."""
    spec = model.calibration_spec
    if spec is None:
        return None
    conditions = training.get("calibration", {}).get("conditions", {})
    figures = [f"{conditions[key]['acc']:.1f}% after {name}" for key, name in
               (("clean/rand5", "5 utterances"), ("clean/all", "all 60 of a speaker"))
               if "acc" in conditions.get(key, {})]
    measured = f" (CV: {', '.join(figures)})" if figures else ""
    return f"speaker calibration: --calibrate, prior worth {spec.prior_utterances:g} utterances{measured}"


def dimensions_line(model: EmotionModel) -> str:
    """Where arousal and valence come from, one line."""
    if model.dimensions_source == FROM_HEADS:
        return "arousal, valence in [0, 1] from trained heads (output 'dimensions')"
    if model.dimensions_source == FROM_LABELS:
        return "arousal, valence in [0, 1] derived from the label probabilities (no trained heads)"
    return "none (no trained heads, and not every label has an arousal/valence point)"


def feature_count(model: EmotionModel) -> str:
    """"40 features" for a one-input model of fixed shape; else the inputs' shapes by name."""
    shapes = model.input_shapes
    if len(shapes) == 1 and None not in next(iter(shapes.values())):
        return f"{int(np.prod(next(iter(shapes.values()))))} features"
    return ", ".join(f"{name} {['time' if d is None else d for d in shape]}"
                     for name, shape in shapes.items())


def summary_lines(model: EmotionModel, info: dict[str, Any]) -> list[str]:
    """The default ``info`` output: about ten lines, no per-fold tables or curves."""
    spec, training = model.spec, info["training"]
    frontend = spec.frontend
    recipe, version = training.get("recipe"), training.get("export_version")
    made = " ".join(x for x in (str(training.get("date", ""))[:10], f"export {version}" if version else "",
                                f"recipe {recipe.get('name')}" if isinstance(recipe, dict) else "") if x)
    rows = [
        ("model", f"{info['path']} ({info['size_bytes'] / 1024:.0f} KiB)"),
        ("sha256", info["sha256"]),
        ("labels", ", ".join(spec.labels)),
        ("frontend", f"{frontend.type} at {frontend.sample_rate} Hz ({feature_count(model)}, "
                     f"{frontend.resampler} resampler)"),
        ("input rate", f"{spec.min_fine_rate} Hz or more measured as fine; below it a warning"),
        ("accuracy", f"speaker-independent: {headline(training)}"),
        ("heard", trained_on(training)),
        ("adapts", calibration_line(model, training)),
        ("dimensions", dimensions_line(model)),
        ("graph", f"{', '.join(f'{k} {v}' for k, v in info['inputs'].items())} float32 -> {spec.output_name} "
                  f"{info['output']['shape']} probabilities"
                  + (" + dimensions ['batch', 2]" if model.dimensions_source == FROM_HEADS else "")),
        ("made", made or "not recorded"),
        ("more", "ser-edge info --verbose (every setting and the training record) or --json"),
    ]
    return [f"{key:<10} {value}" for key, value in rows if value is not None]


def info_lines(model: EmotionModel, verbose: bool = False) -> list[str]:
    """The lines ``info`` prints: the summary, and with ``verbose`` the frontend and training record."""
    info = model_info(model)
    lines = summary_lines(model, info)
    if verbose:
        lines = lines[:-1]
        lines.append("frontend   " + json.dumps(info["frontend"], indent=2).replace("\n", "\n           "))
        lines.append("training   " + json.dumps(info["training"], indent=2).replace("\n", "\n           "))
    return lines
