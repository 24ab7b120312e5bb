"""EmotionModel: an ONNX Runtime session plus the contract stored in the model file.

The session defaults suit a shared edge CPU: one intra-op thread, no busy-wait spinning,
sequential execution. The model's ``metadata_props`` must carry ``ser_edge.labels`` and
``ser_edge.frontend`` (DESIGN.md), unless the caller supplies them.

A model takes one or several named float inputs: the ones its frontend makes
(:data:`~ser_edge.frontend.protocol.ModelInputs`; MFCC-mean: ``features``, frames16k:
``frames`` (batch, time, n_mels) and ``functionals`` (batch, F)). At load the model builds
its frontend once (:attr:`EmotionModel.frontend`, which the classifier shares), checks the
input names and shapes against it, and runs once on the frontend's probe inputs
(``probe_inputs``: a tone in noise for MFCC-mean; for frames16k a synthetic voiced signal
pooled over all its frames, whatever the speech detector says).

A model with speaker calibration (its frontend's ``calibration`` key, a
:class:`~ser_edge.config.CalibrationSpec`) has two more inputs, the speaker statistics
(``speaker_mean``/``speaker_std``, (batch, F)), fed by the caller rather than the frontend, and a
second output, the calibrated probabilities; both outputs are probed at load.

Arousal and valence (:mod:`.dimensions`, both in [0, 1]): a model MAY have trained heads, an
output ``dimensions`` (batch, 2) (and, with speaker calibration, ``dimensions_calibrated``, used
when statistics are fed, as the calibrated probabilities are; without it the ``dimensions``
heads are used then too). Without heads they are the mapping's expectation under the
probabilities the model reports (:func:`~.dimensions.expected_dimensions`); a model whose labels
are not all mapped has none. :attr:`EmotionModel.dimensions_source` says which; :meth:`infer`
gives them beside the probabilities. The heads' outputs are probed at load too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import CalibrationSpec
from ..errors import CalibrationError, ContractError, ModelError
from ..frontend import Frontend, FrontendSpec, make_frontend
from ..frontend.protocol import InputShapes, ModelInputs
from ..sessions import SessionOptions
from .contract import (
    CALIBRATED_DIMENSIONS_OUTPUT,
    DIMENSIONS_OUTPUT,
    FROM_HEADS,
    FROM_LABELS,
    ModelSpec,
    bind_inputs,
    check_dimensions,
    check_input_shape,
    check_probabilities,
    dimensions_source,
    frontend_inputs,
)
from .dimensions import expected_dimensions
from .files import check_model_path, shipped_model_path
from .rates import rate_warning
from .session import first_line, open_session, per_example_shape, session_io

if TYPE_CHECKING:  # onnxruntime is imported when a session is opened
    import onnxruntime as ort

log = logging.getLogger("ser_edge.model")


@dataclass(frozen=True)
class ModelOutputs:
    """One run of the model: ``probs`` (batch, n_labels) float32, the class probabilities;
    ``dimensions`` (batch, 2) float32, arousal and valence in [0, 1] (see
    :attr:`EmotionModel.dimensions_source`), None when the model has none."""

    probs: np.ndarray
    dimensions: np.ndarray | None


class EmotionModel:
    """Features -> class probabilities with one ONNX session (load once, call many times)."""

    def __init__(self, session: ort.InferenceSession, spec: ModelSpec, path: Path) -> None:
        self.session = session
        self.spec = spec
        self.path = path
        self._warned_rates: set[tuple[str, int]] = set()
        #: The model's inputs: name -> per-example shape (None: any length).
        self.input_shapes: InputShapes = {i.name: per_example_shape(i.shape) for i in session.get_inputs()}
        #: The model's speaker calibration (None: it has none).
        self.calibration_spec: CalibrationSpec | None = getattr(spec.frontend, "calibration", None)
        #: Its prior (mean, std) as float32 (F,) arrays, fed when no statistics are given.
        self.prior = None if self.calibration_spec is None else (
            np.asarray(self.calibration_spec.mean, dtype=np.float32),
            np.asarray(self.calibration_spec.std, dtype=np.float32))
        #: The frontend the model's contract names, built once (the classifier shares it).
        self.frontend: Frontend = make_frontend(spec.frontend)
        fed = frontend_inputs(self.input_shapes, self.frontend.input_shapes, self.calibration_spec, path)
        #: Model input name -> the frontend input (:data:`ModelInputs` key) that feeds it.
        self.bindings = bind_inputs(fed, self.frontend.input_shapes, path)
        outputs = [o.name for o in session.get_outputs()]
        #: Where arousal and valence come from: ``"heads"`` (the model's ``dimensions`` output),
        #: ``"labels"`` (the mapping's expectation under the probabilities) or None (no
        #: heads, and labels not all in :data:`~.dimensions.DIMENSIONS`: the model has none).
        self.dimensions_source: str | None = dimensions_source(outputs, spec.labels, path)
        #: The heads' output with speaker statistics fed: ``dimensions_calibrated`` when the
        #: calibrated model has it, else ``dimensions`` (None: no heads).
        self.calibrated_dimensions_output: str | None = None
        if self.dimensions_source == FROM_HEADS:
            own = self.calibration_spec is not None and CALIBRATED_DIMENSIONS_OUTPUT in outputs
            self.calibrated_dimensions_output = CALIBRATED_DIMENSIONS_OUTPUT if own else DIMENSIONS_OUTPUT
        self._check_shapes(self.frontend)

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        threads: int = 1,
        spinning: bool = False,
        labels: Sequence[str] | None = None,
        frontend: FrontendSpec | Mapping[str, Any] | None = None,
    ) -> EmotionModel:
        """Open a model file (None: the shipped model) and check its contract.

        ``labels``/``frontend`` override (or supply) the file's metadata.
        Raises ModelError / ContractError naming the file and the problem.
        """
        p = check_model_path(shipped_model_path() if path is None else path)
        session = open_session(p, SessionOptions(threads=threads, spinning=spinning))
        props = session.get_modelmeta().custom_metadata_map
        inputs, out = session_io(session, p)
        try:
            spec = ModelSpec.from_metadata(
                props, labels=tuple(labels) if labels is not None else None, frontend=frontend,
                input_name=inputs[0].name, output_name=out.name,
                input_shape=per_example_shape(inputs[0].shape),
            )
        except ContractError as exc:
            raise ContractError(f"{p}: {exc}") from None
        return cls(session, spec, p)

    def _check_shapes(self, frontend: Frontend) -> None:
        for name, source in self.bindings.items():
            check_input_shape(name, self.input_shapes[name], frontend.input_shapes[source], self.path)
        outputs = {o.name: o.shape for o in self.session.get_outputs()}
        names = [self.spec.output_name]
        if self.calibration_spec is not None:
            names.append(self.calibration_spec.output)
            if self.calibration_spec.output not in outputs:
                raise ModelError(f"{self.path}: its ser_edge.frontend 'calibration' names output "
                                 f"{self.calibration_spec.output!r}, but the model's outputs are "
                                 f"{list(outputs)}")
        for name in names:
            n_out = outputs[name][-1] if outputs[name] else None
            if isinstance(n_out, int) and n_out != len(self.spec.labels):
                raise ModelError(f"{self.path}: model output {name!r} has {n_out} classes but "
                                 f"{len(self.spec.labels)} labels")
        heads = [] if self.calibrated_dimensions_output is None else list(
            dict.fromkeys((DIMENSIONS_OUTPUT, self.calibrated_dimensions_output)))
        self._probe(frontend, names, heads)

    def _probe(self, frontend: Frontend, outputs: list[str], heads: list[str]) -> None:
        """Run the model's frontend on a test signal and the session on those features (a
        calibrated model with its prior statistics).

        Each of ``outputs`` must be (1, n_labels) probabilities summing to 1, each of ``heads``
        (1, 2) arousal and valence in [0, 1]. Catches at load time what the declared shapes
        cannot (frontend settings that fail on real audio, symbolic output sizes, a graph that
        fails, logits without a softmax, heads without a sigmoid) instead of on the first
        utterance.
        """
        feeds = self.feeds(self._probe_inputs(frontend))
        try:
            results = self.session.run(outputs + heads, feeds)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises several private exception types
            raise ModelError(f"{self.path}: the model fails on a test input ({first_line(exc)})") from None
        for name, scores in zip(outputs, results[:len(outputs)], strict=True):
            check_probabilities(np.asarray(scores, dtype=np.float64), name, self.spec.labels, self.path)
        for name, values in zip(heads, results[len(outputs):], strict=True):
            check_dimensions(np.asarray(values, dtype=np.float64), name, self.path)

    def _probe_inputs(self, frontend: Frontend) -> ModelInputs:
        """The frontend's inputs of its test signal (``probe_inputs``), each finite and shaped
        as the frontend says.

        ContractError (a ModelError) naming the frontend settings when they cannot make features.
        """
        spec = self.spec.frontend
        try:
            inputs = frontend.probe_inputs()
        except Exception as exc:  # noqa: BLE001 - numpy/scipy raise many types for bad settings
            raise ContractError(f"{self.path}: its frontend cannot compute features from a test signal "
                                f"({type(exc).__name__}: {first_line(exc)}); frontend settings: "
                                f"{spec.to_dict()}") from None
        for name, shape in frontend.input_shapes.items():
            x = inputs[name]
            fits = x.ndim == len(shape) and all(s in (None, n) for s, n in zip(shape, x.shape, strict=True))
            if not fits or not np.all(np.isfinite(x)):
                raise ContractError(f"{self.path}: its frontend gives {name} {x.shape} with non-finite "
                                    f"values for a test signal, expected {shape} finite")
        return inputs

    @property
    def labels(self) -> tuple[str, ...]:
        return self.spec.labels

    def warn_rate(self, sample_rate: int, name: str) -> str | None:
        """Log :func:`~ser_edge.model.rates.rate_warning` for input ``name`` at ``sample_rate`` Hz, once per
        (name, rate) pair; return the warning (None when the rate was measured as fine)."""
        warning = rate_warning(self.spec, int(sample_rate))
        if warning is not None and (name, sample_rate) not in self._warned_rates:
            if len(self._warned_rates) < 10_000:
                self._warned_rates.add((name, sample_rate))
            log.warning("%s: %s", name, warning)
        return warning

    def feeds(self, inputs: ModelInputs | np.ndarray,
              calibration: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """The session's feeds (float32, batch first) of the frontend's inputs.

        ``inputs``: :data:`ModelInputs` (one example, or a batch when the first dimension is
        extra), or for a one-input model the array itself. A fixed-shape input is reshaped
        to (batch, *shape) ((40,) -> (1, 40, 1)); a variable one gets a batch axis when it has
        none. ModelError naming a missing input. A calibrated model's speaker statistics get
        ``calibration`` (mean, std), each (F,), else the prior (see :meth:`calibration_feeds`).
        """
        if not isinstance(inputs, dict):
            inputs = {next(iter(self.bindings.values())): inputs}
        feeds = {}
        for name, source in self.bindings.items():
            if source not in inputs:
                raise ModelError(f"{self.path}: no {source!r} input given, "
                                 f"expected {sorted(self.bindings.values())}")
            x, shape = np.asarray(inputs[source], dtype=np.float32), self.input_shapes[name]
            if None not in shape:
                feeds[name] = x.reshape((-1, *shape))
            else:
                feeds[name] = x[None] if x.ndim == len(shape) else x
        if self.calibration_spec is not None:
            batch = next(iter(feeds.values())).shape[0]
            feeds.update(self.calibration_feeds(batch, calibration))
        elif calibration is not None:
            raise self.no_calibration_error()
        return feeds

    def no_calibration_error(self) -> CalibrationError:
        """The error of statistics given to a model without speaker calibration."""
        return CalibrationError(f"{self.path} has no speaker calibration (its ser_edge.frontend metadata "
                                "has no 'calibration' key)")

    def calibration_feeds(self, batch: int, calibration: tuple[np.ndarray, np.ndarray] | None = None,
                          ) -> dict[str, np.ndarray]:
        """The speaker-statistics feeds of a calibrated model, (batch, F) float32 each: ``calibration``
        (mean, std) or, when None, the prior (which leaves ``probs`` as it is; ONNX Runtime needs
        every input). ValueError for statistics of another shape."""
        spec = self.calibration_spec
        assert spec is not None
        mean, std = self.prior if calibration is None else calibration
        out = {}
        for name, values in ((spec.mean_input, mean), (spec.std_input, std)):
            x = np.asarray(values, dtype=np.float32)
            if x.shape != (spec.n_statistics,):
                raise ValueError(f"calibration {name}: expected shape ({spec.n_statistics},), "
                                 f"got {list(x.shape)}")
            out[name] = np.ascontiguousarray(np.broadcast_to(x, (batch, spec.n_statistics)))
        return out

    def predict(self, inputs: ModelInputs | np.ndarray,
                calibration: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Probabilities for the model's inputs (see :meth:`feeds`): (batch, n_labels) float32
        (batch = 1 for one example); e.g. ``predict(features (40,))`` for an MFCC-mean model,
        ``predict({"frames": (T, 64), "functionals": (F,)})`` for a frames16k one.

        ``calibration``: the speaker's (mean, std) (F,) each, e.g. ``Calibration.statistics()``:
        the calibrated output; None: the uncalibrated one. CalibrationError when the model has
        no calibration. :meth:`infer` gives arousal and valence too.
        """
        calibrated = calibration is not None and self.calibration_spec is not None
        (scores,) = self.session.run([self._probs_output(calibrated)], self.feeds(inputs, calibration))
        return self._checked_probs(scores)

    def infer(self, inputs: ModelInputs | np.ndarray,
              calibration: tuple[np.ndarray, np.ndarray] | None = None) -> ModelOutputs:
        """The probabilities of :meth:`predict` (same inputs and ``calibration``) and arousal and
        valence (batch, 2), in one run: the heads' output (the calibrated heads' when statistics
        are fed and the model has them), else the expectation of the label mapping under the
        reported (calibrated, when fed) probabilities, else None (see :attr:`dimensions_source`)."""
        calibrated = calibration is not None and self.calibration_spec is not None
        (outputs,) = self._run(inputs, calibration, (calibrated,))
        return outputs

    def infer_both(self, inputs: ModelInputs | np.ndarray, calibration: tuple[np.ndarray, np.ndarray],
                   ) -> tuple[ModelOutputs, ModelOutputs]:
        """:meth:`infer` without and with ``calibration`` (the speaker's (mean, std), (F,) each),
        in one session run: (uncalibrated, calibrated). CalibrationError when the model has no
        calibration."""
        if self.calibration_spec is None:
            raise self.no_calibration_error()
        plain, calibrated = self._run(inputs, calibration, (False, True))
        return plain, calibrated

    def _run(self, inputs: ModelInputs | np.ndarray, calibration: tuple[np.ndarray, np.ndarray] | None,
             which: tuple[bool, ...]) -> list[ModelOutputs]:
        """One session run giving the ModelOutputs of each of ``which`` (False: the uncalibrated
        outputs, True: the calibrated ones); an output two of them share is fetched once."""
        pairs = [self._output_names(calibrated) for calibrated in which]
        names = list(dict.fromkeys(n for pair in pairs for n in pair if n is not None))
        got = dict(zip(names, self.session.run(names, self.feeds(inputs, calibration)), strict=True))
        return [self._outputs(got[probs], None if heads is None else got[heads]) for probs, heads in pairs]

    def _output_names(self, calibrated: bool) -> tuple[str, str | None]:
        """The probabilities' output and the heads' output (None: the model has no heads) read
        without or with speaker statistics (a model without calibrated heads: ``dimensions``)."""
        heads = None
        if self.dimensions_source == FROM_HEADS:
            heads = self.calibrated_dimensions_output if calibrated else DIMENSIONS_OUTPUT
        return self._probs_output(calibrated), heads

    def _outputs(self, scores: np.ndarray, heads: np.ndarray | None) -> ModelOutputs:
        """The ModelOutputs of a run's probabilities and, for a model with heads, their output."""
        probs = self._checked_probs(scores)
        if self.dimensions_source == FROM_HEADS:
            return ModelOutputs(probs, self._checked_dimensions(heads, len(probs)))
        if self.dimensions_source == FROM_LABELS:
            return ModelOutputs(probs, expected_dimensions(probs, self.spec.labels))
        return ModelOutputs(probs, None)

    def _probs_output(self, calibrated: bool) -> str:
        """The probabilities' output: the calibrated one when statistics are fed."""
        if calibrated and self.calibration_spec is not None:
            return self.calibration_spec.output
        return self.spec.output_name

    def _checked_probs(self, scores: np.ndarray) -> np.ndarray:
        """The session's probabilities as float32 (batch, n_labels); ModelError otherwise."""
        scores = np.asarray(scores, dtype=np.float32)
        if scores.ndim != 2 or scores.shape[1] != len(self.spec.labels):
            raise ModelError(
                f"{self.path}: expected output (batch, {len(self.spec.labels)}), got {scores.shape}"
            )
        return scores

    def _checked_dimensions(self, values: np.ndarray, batch: int) -> np.ndarray:
        """The heads' output as float32 (batch, 2); ModelError otherwise."""
        values = np.asarray(values, dtype=np.float32)
        if values.shape != (batch, 2):
            raise ModelError(f"{self.path}: expected output {DIMENSIONS_OUTPUT!r} ({batch}, 2), "
                             f"got {values.shape}")
        return values
