"""The frames16k model file: the ensemble written with its contract (the one writer,
:func:`export.core.onnx_io.save`), checked against Keras on probe clips, and its int8 variant
(the one quantizer, :func:`export.core.quantize.quantize_model`), checked the same way."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ser_edge.config import FRONTEND_KEY, LABELS_KEY, TRAINING_KEY
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.model.contract import DIMENSIONS_OUTPUT

from ..core.onnx_io import save
from ..core.provenance import EXPORT_VERSION
from ..core.quantize import FRAMES16K_INT8, quantize_model
from .corpus import LABELS, Clip
from .dataset import Dataset
from .graph import INPUTS, OUTPUT, ensemble_feeds, run_onnx, to_onnx, with_contract
from .models import N_CLASSES, N_DIMS

LOGGER = logging.getLogger(__name__)
LICENCES = {"ravdess": "CC BY-NC-SA 4.0", "tess": "CC BY-NC-ND 4.0",
            "emovo": "research use (Costantini et al., LREC 2014)"}
PROBES = 20


def _metrics(report: dict) -> dict[str, Any]:
    """The record's headline figures from a :func:`export.frames16k.report.cv_report`."""
    main = report["nested"]["clean"]
    return {
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
    }


def training_record(clips: list[Clip], report: dict | None, temperature: float, options: dict) -> dict:
    """The ``ser_edge.training`` object: data, temperature, date, version, options (+ CV figures)."""
    meta = {
        "data": {
            "corpora": sorted({c.corpus for c in clips}),
            "speakers": sorted({c.speaker for c in clips}),
            "n_clips": len(clips),
            "licences": {c: LICENCES[c] for c in sorted({c.corpus for c in clips})},
        },
        "temperature": temperature,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "export_version": EXPORT_VERSION,
        "options": options,
        "inputs": {"frames": "pooling.cnn_input", "functionals": "pooling.functionals"},
    }
    if report:
        meta.update({"protocol": report["protocol"], "metrics": _metrics(report)})
    return meta


def probe_feeds(data: Dataset, func_columns: tuple[int, ...]) -> list[dict[str, np.ndarray]]:
    """The ONNX feeds of about :data:`PROBES` clean clips, spread over the data set."""
    probe = np.arange(len(data.labels))[:: max(1, len(data.labels) // PROBES)]
    clean = data.variant("clean")
    func = data.func[probe, clean][:, np.array(func_columns)]
    return ensemble_feeds([data.frames[i][clean] for i in probe], func)


def keras_outputs(model: Any, feeds: list[dict[str, np.ndarray]], inputs: tuple[str, ...]) -> np.ndarray:
    """The Keras model's outputs for ``feeds``, one clip at a time, side by side as
    :func:`~export.frames16k.graph.run_onnx` gives them: (N, sum of the outputs' widths)."""
    out = [model([f[n] for n in inputs], training=False) for f in feeds]
    clips = [clip if isinstance(clip, (list, tuple)) else [clip] for clip in out]
    return np.array([np.concatenate([o.numpy() for o in clip], axis=-1)[0] for clip in clips])


def top1_agreement(a: np.ndarray, b: np.ndarray, outputs: tuple[str, ...]) -> float:
    """Mean agreement of the top label of every probability output (8 columns each, in the
    side-by-side layout of ``outputs``) between two (N, width) results."""
    widths = [N_DIMS if name.startswith(DIMENSIONS_OUTPUT) else N_CLASSES for name in outputs]
    starts = np.cumsum([0, *widths[:-1]])
    blocks = [slice(s, s + w) for s, w, n in zip(starts, widths, outputs, strict=True)
              if not n.startswith(DIMENSIONS_OUTPUT)]
    return float(np.mean([a[:, k].argmax(-1) == b[:, k].argmax(-1) for k in blocks]))


def write_checked(
    onnx_model: Any, out: Path, metadata: dict[str, Any], feeds: list, expected: np.ndarray,
    outputs: tuple[str, ...] = (OUTPUT,),
) -> Path:
    """Write ``onnx_model`` with ``metadata`` to ``out`` (folder created); log the largest
    difference of its ``outputs`` on ``feeds`` from the Keras ``expected``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    save(with_contract(onnx_model, metadata), out)
    difference = float(np.abs(run_onnx(out, feeds, outputs) - expected).max())
    LOGGER.info("wrote %s (%d bytes); max |onnx - keras| = %.2e", out, out.stat().st_size, difference)
    return out


def write_int8(src: Path, feeds: list, expected: np.ndarray, outputs: tuple[str, ...] = (OUTPUT,)) -> Path:
    """``<src>_int8.onnx`` beside ``src``; log its top-1 agreement with Keras on ``feeds``."""
    q = quantize_model(src, src.with_name(src.stem + "_int8.onnx"), settings=FRAMES16K_INT8)
    agree = top1_agreement(run_onnx(q, feeds, outputs), expected, outputs)
    LOGGER.info(
        "wrote %s (%d bytes); top-1 agreement with float on the probe: %.3f", q, q.stat().st_size, agree
    )
    return q


def write_ensemble(
    model: Any, data: Dataset, func_columns: tuple[int, ...], metadata: dict[str, Any], out: Path, int8: bool
) -> Path:
    """Convert the Keras ensemble, write and check it (and its int8 variant if ``int8``)."""
    onnx_model = to_onnx(model, data.frames[0][0].shape[1], len(func_columns))
    feeds, outputs = probe_feeds(data, func_columns), tuple(model.output_names)
    expected = keras_outputs(model, feeds, INPUTS)
    write_checked(onnx_model, out, metadata, feeds, expected, outputs)
    if int8:
        write_int8(out, feeds, expected, outputs)
    return out


def contract(spec: Frames16kSpec, training: dict[str, Any]) -> dict[str, Any]:
    """The three ``ser_edge.*`` entries of a frames16k model."""
    return {LABELS_KEY: list(LABELS), FRONTEND_KEY: spec.to_dict(), TRAINING_KEY: training}
