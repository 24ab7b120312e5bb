"""EmotionModel: an ONNX Runtime session plus the contract stored in the model file.

The session defaults suit a shared edge CPU: one intra-op thread, no busy-wait spinning,
sequential execution. The model's ``metadata_props`` must carry ``ser_edge.labels`` and
``ser_edge.frontend`` (DESIGN.md), unless the caller supplies them.

A model takes one or several named float inputs: the ones its frontend makes
(:data:`~ser_edge.frontend.protocol.ModelInputs`; MFCC-mean: ``features``, frames16k:
``frames`` (batch, time, n_mels) and ``functionals`` (batch, F)). At load their names and
shapes are checked against the frontend, and the model runs once on the frontend's probe
inputs (``probe_inputs``: a tone in noise for MFCC-mean; for frames16k a synthetic voiced
signal pooled over all its frames, whatever the speech detector says).

A model with speaker calibration (its frontend's ``calibration`` key, a
:class:`~ser_edge.config.CalibrationSpec`) has two more inputs, the speaker statistics
(``speaker_mean``/``speaker_std``, (batch, F)), fed by the caller rather than the frontend, and a
second output, the calibrated probabilities; both outputs are probed at load.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import CalibrationSpec, FeatureSpec, FrameSpec, ModelSpec
from .errors import CalibrationError, ContractError, ModelError
from .frontend.protocol import Frontend, InputShapes, ModelInputs
from .frontend.registry import make_frontend

log = logging.getLogger(__name__)

#: The seed-compatible MFCC-mean models in the wheel (``--model seed`` / ``seed-int8``).
SEED_MODEL_NAME = "ser_edge_seed.onnx"
SEED_INT8_NAME = "ser_edge_seed_int8.onnx"
#: The v2 (frames16k) model's file in models/, with its int8 variant ``ser_edge_int8.onnx``.
V2_MODEL_NAME = "ser_edge.onnx"
#: The model used without ``--model`` (this one line; ``int8`` follows it): the v2 model.
DEFAULT_MODEL = V2_MODEL_NAME
#: Largest model file read (bytes). Protobuf caps a message at 2 GiB; an edge model is a few MB.
MAX_MODEL_BYTES = 512 * 1024 * 1024
#: How every external-data reference starts in an ONNX file: the StringStringEntryProto key
#: field (tag 0x0a, length 8) holding "location". A file without these bytes has none.
EXTERNAL_DATA_MARK = b"\x0a\x08location"
#: ``--model`` shorthands for the models shipped in the wheel (a file of that name wins).
SHIPPED_MODELS = {"float32": DEFAULT_MODEL, "int8": DEFAULT_MODEL.replace(".onnx", "_int8.onnx"),
                  "seed": SEED_MODEL_NAME, "seed-int8": SEED_INT8_NAME}


def shipped_model_path(name: str = DEFAULT_MODEL) -> Path:
    """Path of a model shipped in the wheel (``ser_edge/models/NAME``, default DEFAULT_MODEL).

    In a source checkout that is not installed, falls back to ``<repo>/models/``.
    """
    installed = Path(__file__).resolve().parent / "models" / name
    if installed.is_file():
        return installed
    return Path(__file__).resolve().parent.parent / "models" / name


@dataclass(frozen=True)
class SessionOptions:
    """ONNX Runtime settings: ``threads`` intra-op threads, ``spinning`` busy-wait on/off."""

    threads: int = 1
    spinning: bool = False

    def build(self) -> Any:
        """An ``onnxruntime.SessionOptions`` with these settings."""
        import onnxruntime as ort

        if self.threads < 1:
            raise ModelError(f"threads must be >= 1, got {self.threads}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        spin = "1" if self.spinning else "0"
        opts.add_session_config_entry("session.intra_op.allow_spinning", spin)
        opts.add_session_config_entry("session.inter_op.allow_spinning", spin)
        return opts


def check_model_path(path: str | Path) -> Path:
    """Resolve a ``--model`` argument: a path, or a name of SHIPPED_MODELS (``seed``,
    ``seed-int8``: the seed-compatible MFCC-mean model; ``float32``/``int8``: the default one).

    Raises ModelError for a missing file or a directory.
    """
    p = Path(path).expanduser()
    if str(path) in SHIPPED_MODELS and not p.exists():
        p = shipped_model_path(SHIPPED_MODELS[str(path)])
    if not p.exists():
        raise ModelError(f"{p}: model file not found")
    if p.is_dir():
        raise ModelError(f"{p}: is a directory, expected an .onnx model file")
    if not p.is_file():
        raise ModelError(f"{p}: not a regular file (a device, FIFO or socket), expected an .onnx model file")
    return p


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_model_bytes(path: Path) -> bytes:
    """The bytes of a model file of at most :data:`MAX_MODEL_BYTES` (ModelError otherwise)."""
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ModelError(f"{path}: {size} bytes is larger than the {MAX_MODEL_BYTES} bytes a model "
                             "may have; not an edge model (or not a model at all)")
        if size == 0:
            raise ModelError(f"{path}: empty file (0 bytes), expected an ONNX model")
        with open(path, "rb") as fh:
            data = fh.read(MAX_MODEL_BYTES + 1)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file ({exc.strerror or exc})") from None
    if len(data) > MAX_MODEL_BYTES:
        raise ModelError(f"{path}: grew past {MAX_MODEL_BYTES} bytes while being read")
    return data


#: onnx.proto field numbers: ModelProto.metadata_props; StringStringEntryProto.key / .value.
METADATA_FIELD, KEY_FIELD, VALUE_FIELD = 14, 1, 2


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """The protobuf varint at ``data[i:]`` and the index past it (ModelError past the end)."""
    value = shift = 0
    while i < len(data):
        byte = data[i]
        value, shift, i = value | (byte & 0x7F) << shift, shift + 7, i + 1
        if not byte & 0x80:
            return value, i
    raise ModelError("truncated protobuf varint")


def proto_fields(data: bytes) -> list[tuple[int, bytes]]:
    """The length-delimited fields ``(number, bytes)`` of one protobuf message (others skipped)."""
    out, i = [], 0
    while i < len(data):
        key, i = _varint(data, i)
        wire = key & 7
        if wire == 0:
            i = _varint(data, i)[1]
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        elif wire == 2:
            size, i = _varint(data, i)
            out.append((key >> 3, data[i:i + size]))
            i += size
        else:
            raise ModelError(f"unsupported protobuf wire type {wire}")
    return out


def read_metadata(path: Path) -> dict[str, str]:
    """A model file's ``metadata_props`` read from its bytes, without a session (a few ms for 1 MB).

    Raises ModelError for a file that is not a readable protobuf message.
    """
    props = {}
    try:
        for number, entry in proto_fields(read_model_bytes(path)):
            if number == METADATA_FIELD:
                fields = dict(proto_fields(entry))
                props[fields.get(KEY_FIELD, b"").decode()] = fields.get(VALUE_FIELD, b"").decode()
    except (ModelError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the model's metadata ({exc})") from None
    return props


def _external_data_error(path: Path) -> ModelError:
    return ModelError(f"{path}: the model keeps tensors in external data files, which ser-edge does not "
                      "load (a model could name any file); save it as one file: "
                      "onnx.save_model(model, path, save_as_external_data=False)")


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of ``exc``'s message (its type's name when empty), at most ``limit`` characters:
    what a one-line error quotes of a library's multi-line exception."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit]


def _open_session(path: Path, options: SessionOptions) -> Any:
    """A session for the model at ``path``, built from the file's bytes (never the path).

    A model may keep tensors in other files ("external data") named by a relative or absolute
    path; a hostile one could name ``~/.ssh/id_rsa``. Loaded from bytes, onnxruntime looks for
    such files relative to the current directory (and, before 1.2x, anywhere), so: a file that
    holds any external-data reference is refused before onnxruntime sees it, and onnxruntime is
    told to look for external data only in an empty temporary folder (where none can be found).
    """
    import onnxruntime as ort

    data = read_model_bytes(path)
    if EXTERNAL_DATA_MARK in data:
        raise _external_data_error(path)
    opts = options.build()
    with tempfile.TemporaryDirectory(prefix="ser-edge-no-external-data-") as empty:
        opts.add_session_config_entry("session.model_external_initializers_file_folder_path", empty)
        try:
            return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises several private exception types
            if "external data" in str(exc).lower():
                raise _external_data_error(path) from None
            raise ModelError(f"{path}: not a usable ONNX model ({first_line(exc)})") from None


def per_example_shape(dims: Sequence[Any]) -> tuple[int | None, ...]:
    """An ONNX input's dimensions without the batch one; None for a symbolic dimension."""
    return tuple(d if isinstance(d, int) and d > 0 else None for d in dims[1:])


def session_io(session: Any, path: Path) -> tuple[list[Any], Any]:
    """The float inputs and the first output of a session (ModelError otherwise)."""
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if not inputs or not outputs:
        raise ModelError(f"{path}: expected at least 1 input and 1 output, got {len(inputs)} inputs "
                         f"and {len(outputs)} outputs")
    for inp in inputs:
        if inp.type != "tensor(float)":
            raise ModelError(f"{path}: input {inp.name!r} must be tensor(float), got {inp.type}")
    return list(inputs), outputs[0]


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


class EmotionModel:
    """Features -> class probabilities with one ONNX session (load once, call many times)."""

    def __init__(self, session: Any, spec: ModelSpec, path: Path) -> None:
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
        frontend = make_frontend(spec.frontend)
        fed = frontend_inputs(self.input_shapes, frontend.input_shapes, self.calibration_spec, path)
        #: Model input name -> the frontend input (:data:`ModelInputs` key) that feeds it.
        self.bindings = bind_inputs(fed, frontend.input_shapes, path)
        self._check_shapes(frontend)

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        threads: int = 1,
        spinning: bool = False,
        labels: Sequence[str] | None = None,
        frontend: FeatureSpec | FrameSpec | dict | None = None,
    ) -> EmotionModel:
        """Open a model file (None: the shipped model) and check its contract.

        ``labels``/``frontend`` override (or supply) the file's metadata.
        Raises ModelError / ContractError naming the file and the problem.
        """
        p = check_model_path(shipped_model_path() if path is None else path)
        session = _open_session(p, SessionOptions(threads=threads, spinning=spinning))
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
        self._probe(frontend, names)

    def _probe(self, frontend: Frontend, outputs: list[str]) -> None:
        """Run the model's frontend on a test signal and the session on those features (a
        calibrated model with its prior statistics).

        Each of ``outputs`` must be (1, n_labels) probabilities summing to 1. Catches at load
        time what the declared shapes cannot (frontend settings that fail on real audio,
        symbolic output sizes, a graph that fails, logits without a softmax) instead of on the
        first utterance.
        """
        feeds = self.feeds(self._probe_inputs(frontend))
        try:
            results = self.session.run(outputs, feeds)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises several private exception types
            raise ModelError(f"{self.path}: the model fails on a test input ({first_line(exc)})") from None
        for name, scores in zip(outputs, results, strict=True):
            check_probabilities(np.asarray(scores, dtype=np.float64), name, self.spec.labels, self.path)

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
        """Log :meth:`ModelSpec.rate_warning` for input ``name`` at ``sample_rate`` Hz, once per
        (name, rate) pair; return the warning (None when the rate was measured as fine)."""
        warning = self.spec.rate_warning(int(sample_rate))
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
        no calibration.
        """
        output = self.spec.output_name
        if calibration is not None and self.calibration_spec is not None:
            output = self.calibration_spec.output
        (scores,) = self.session.run([output], self.feeds(inputs, calibration))
        scores = np.asarray(scores, dtype=np.float32)
        if scores.ndim != 2 or scores.shape[1] != len(self.spec.labels):
            raise ModelError(
                f"{self.path}: expected output (batch, {len(self.spec.labels)}), got {scores.shape}"
            )
        return scores
