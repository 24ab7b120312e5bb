"""A model's contract: what its file promises (ModelSpec: labels, frontend, provenance, read
from the file's ``metadata_props``) and the checks that the graph keeps those promises (its
inputs fed by the frontend, its outputs probabilities, its optional arousal/valence heads'
outputs (batch, 2) in [0, 1])."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config import FRONTEND_KEY, INPUT_RATES_KEY, LABELS_KEY, TRAINING_KEY, CalibrationSpec
from ..errors import ContractError, ModelError
from ..frontend import FrontendSpec, frontend_from_dict
from ..frontend.protocol import InputShapes
from .dimensions import DIMENSIONS

#: The optional output of trained arousal/valence heads: (batch, 2) float32, columns
#: (arousal, valence) (:data:`~.dimensions.DIMENSION_NAMES`), each in [0, 1].
DIMENSIONS_OUTPUT = "dimensions"
#: The same heads on the speaker-calibrated features, beside a calibrated model's calibrated
#: probabilities (used when speaker statistics are fed).
CALIBRATED_DIMENSIONS_OUTPUT = "dimensions_calibrated"
#: Where a model's arousal and valence come from (:func:`dimensions_source`): its trained heads,
#: or the expectation of the label mapping under its probabilities.
FROM_HEADS, FROM_LABELS = "heads", "labels"


@dataclass(frozen=True)
class ModelSpec:
    """What a model file promises: class labels in output order, its frontend, its provenance.

    ``input_name``/``output_name`` are the ONNX graph's tensor names; ``input_shape`` is the
    per-example shape of the first input without the batch dimension, e.g. ``(40, 1)``
    (None in it: a dimension of any length, e.g. time). :meth:`EmotionModel.load` reads all
    three from the graph; ``input_shape`` None: not read from a graph.
    """

    labels: tuple[str, ...]
    frontend: FrontendSpec
    training: dict[str, Any] = field(default_factory=dict)
    input_name: str = "features"
    output_name: str = "scores"
    input_shape: tuple[int | None, ...] | None = None

    def __post_init__(self) -> None:
        if not self.labels or not all(isinstance(x, str) and x for x in self.labels):
            raise ContractError(f"{LABELS_KEY}: expected a non-empty list of names, got {self.labels!r}")
        if len(set(self.labels)) != len(self.labels):
            raise ContractError(f"{LABELS_KEY}: duplicate names in {list(self.labels)}")

    @classmethod
    def from_metadata(
        cls, props: Mapping[str, str], **overrides: Any
    ) -> ModelSpec:
        """Build from ONNX ``metadata_props`` (JSON strings); ``overrides`` win over the file.

        Raises :class:`ContractError` naming the missing or malformed key.
        """
        values: dict[str, Any] = {}
        for key, name in ((LABELS_KEY, "labels"), (FRONTEND_KEY, "frontend"), (TRAINING_KEY, "training")):
            if name in overrides and overrides[name] is not None:
                continue
            if key not in props:
                if name == "training":
                    continue
                raise ContractError(f"the model has no '{key}' metadata (supply {name}= explicitly)")
            try:
                values[name] = json.loads(props[key])
            except json.JSONDecodeError as exc:
                raise ContractError(f"'{key}' metadata is not valid JSON: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        frontend = values["frontend"]
        if not is_dataclass(frontend):  # a JSON value: the kind's spec (or ContractError)
            frontend = frontend_from_dict(frontend)
        labels = values["labels"]
        if not isinstance(labels, (list, tuple)):
            raise ContractError(f"{LABELS_KEY}: expected a list, got {type(labels).__name__}")
        training = values.get("training", {})
        if not isinstance(training, dict):
            raise ContractError(f"{TRAINING_KEY}: expected an object, got {type(training).__name__}")
        rest = {k: v for k, v in values.items() if k not in ("labels", "frontend", "training")}
        return cls(labels=tuple(labels), frontend=frontend, training=training, **rest)

    @property
    def min_fine_rate(self) -> int:
        """Lowest input sample rate (Hz) measured as fine for this model.

        From ``ser_edge.training["input_rates"]["min_fine_rate"]`` when the model carries
        measured figures; else the rate whose band reaches the frontend's ``fmax`` (2 * fmax:
        22050 Hz for the MFCC-mean frontend), below which the features lose bands they use.
        """
        figures = self.training.get(INPUT_RATES_KEY)
        if isinstance(figures, Mapping) and isinstance(figures.get("min_fine_rate"), int):
            return int(figures["min_fine_rate"])
        return int(math.ceil(2 * self.frontend.fmax))

    def to_metadata(self) -> dict[str, str]:
        """The ``metadata_props`` entries (JSON strings) that carry this contract."""
        return {
            LABELS_KEY: json.dumps(list(self.labels)),
            FRONTEND_KEY: json.dumps(self.frontend.to_dict()),
            TRAINING_KEY: json.dumps(self.training),
        }


def bind_inputs(model: InputShapes, frontend: InputShapes, path: Path) -> dict[str, str]:
    """Model input name -> the frontend input that feeds it: by name, or the one to the one.

    ModelError naming both sets of names when they do not match.
    """
    if set(model) == set(frontend):
        return {name: name for name in model}
    if len(model) == 1 and len(frontend) == 1:
        return {next(iter(model)): next(iter(frontend))}
    raise ModelError(f"{path}: model inputs {sorted(model)} do not match its frontend's inputs "
                     f"{sorted(frontend)}")


def check_input_shape(name: str, model: tuple[int | None, ...], frontend: tuple[int | None, ...],
                      path: Path) -> None:
    """ModelError when the frontend's per-example shape cannot feed the model's input.

    Fixed shapes need the same number of values ((40,) feeds (40, 1)); otherwise the ranks and
    every dimension the model fixes must agree (the model may leave one free, e.g. time).
    """
    if None not in model and None not in frontend:
        if int(np.prod(model)) != int(np.prod(frontend)):
            raise ModelError(f"{path}: model input {list(model)} holds {int(np.prod(model))} values, "
                             f"but its frontend makes {int(np.prod(frontend))} features (input {name!r})")
        return
    same_rank = len(model) == len(frontend)
    if not same_rank or any(m is not None and m != f for m, f in zip(model, frontend, strict=True)):
        shown = [d if d is not None else "time" for d in frontend]
        raise ModelError(f"{path}: model input {name!r} is (batch, {', '.join(map(str, model))}) but its "
                         f"frontend makes (batch, {', '.join(map(str, shown))})")


def frontend_inputs(model: InputShapes, frontend: InputShapes, calibration: CalibrationSpec | None,
                    path: Path) -> InputShapes:
    """The model inputs its frontend feeds: all but a calibrated model's speaker statistics.

    ModelError when the calibration metadata and the graph disagree: named statistics inputs
    the graph lacks (or of another size than the frontend's statistics), or graph inputs the
    frontend does not make while the metadata has no ``calibration`` key.
    """
    if calibration is None:
        extra = sorted(set(model) - set(frontend))
        if extra and set(frontend) <= set(model):
            raise ModelError(f"{path}: model inputs {sorted(model)} do not match its frontend's inputs "
                             f"{sorted(frontend)}: the frontend does not make {extra} (speaker calibration "
                             "statistics? its ser_edge.frontend metadata has no 'calibration' key)")
        return model
    names = (calibration.mean_input, calibration.std_input)
    missing = [n for n in names if n not in model]
    if missing:
        raise ModelError(f"{path}: its ser_edge.frontend 'calibration' names inputs {list(names)}, but the "
                         f"model has no {missing} (inputs: {sorted(model)})")
    n = calibration.n_statistics
    source = frontend.get(calibration.statistics)
    if source is None or source[-1:] != (n,):
        raise ModelError(f"{path}: its calibration prior has {n} values but the frontend's "
                         f"{calibration.statistics!r} input is {list(source or ())}")
    for name in names:
        if model[name] not in ((n,), (None,)):
            raise ModelError(f"{path}: calibration input {name!r} is (batch, {list(model[name])}), "
                             f"expected (batch, {n})")
    return {k: v for k, v in model.items() if k not in names}


def check_probabilities(scores: np.ndarray, name: str, labels: Sequence[str], path: Path) -> None:
    """ModelError unless ``scores`` (output ``name`` for one test input) are (1, n_labels)
    probabilities summing to 1."""
    n = len(labels)
    if scores.shape != (1, n):
        raise ModelError(f"{path}: model output is {list(scores.shape)} for one input ({name!r}), "
                         f"expected [1, {n}] (one score per label {list(labels)})")
    total = float(scores.sum())
    if not (np.all(np.isfinite(scores)) and np.all(scores >= -1e-6) and abs(total - 1.0) < 1e-3):
        raise ModelError(f"{path}: model output {name!r} is not probabilities (sum {total:.4g} for a "
                         "test input, expected 1); export the model with its final softmax")


def dimensions_source(outputs: Sequence[str], labels: Sequence[str], path: Path) -> str | None:
    """Where a model with graph ``outputs`` and ``labels`` gets arousal and valence:
    :data:`FROM_HEADS` when it has a ``dimensions`` output, else :data:`FROM_LABELS` when every
    label is in :data:`~.dimensions.DIMENSIONS`, else None (the model has none).

    ModelError for a ``dimensions_calibrated`` output without the ``dimensions`` one.
    """
    if DIMENSIONS_OUTPUT in outputs:
        return FROM_HEADS
    if CALIBRATED_DIMENSIONS_OUTPUT in outputs:
        raise ModelError(f"{path}: model output {CALIBRATED_DIMENSIONS_OUTPUT!r} needs an output "
                         f"{DIMENSIONS_OUTPUT!r} beside it, but the model's outputs are {list(outputs)}")
    return FROM_LABELS if all(label in DIMENSIONS for label in labels) else None


def check_dimensions(values: np.ndarray, name: str, path: Path) -> None:
    """ModelError unless ``values`` (output ``name`` for one test input) are (1, 2): arousal and
    valence, each finite and in [0, 1]."""
    if values.shape != (1, 2):
        raise ModelError(f"{path}: model output {name!r} is {list(values.shape)} for one input, "
                         "expected [1, 2] (arousal, valence)")
    if not (np.all(np.isfinite(values)) and np.all(values >= -1e-6) and np.all(values <= 1 + 1e-6)):
        raise ModelError(f"{path}: model output {name!r} is {np.round(values, 4).tolist()} for a test "
                         "input, expected arousal and valence in [0, 1]; export the heads with their sigmoid")
