"""Specs shared by the stages: the keys of a model's contract, a model's speaker calibration
(CalibrationSpec) and a stream's settings (StreamSpec).

Specs are plain, immutable data. The frontend kinds' specs live beside their kinds
(:mod:`ser_edge.frontend.mfcc_mean.spec`, :mod:`ser_edge.frontend.frames16k.spec`) and a
model's contract in :mod:`ser_edge.model.contract`; all of them round-trip through the JSON
strings stored in an ONNX file's ``metadata_props`` (see DESIGN.md, "The frontend contract").
StreamSpec is set in code or from the command line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError, ContractError
from .settings import is_real, is_whole, known_settings

LABELS_KEY = "ser_edge.labels"
FRONTEND_KEY = "ser_edge.frontend"
TRAINING_KEY = "ser_edge.training"

#: The class names of the original project, in output order.
DEFAULT_LABELS: tuple[str, ...] = (
    "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
)

#: Key in ``ser_edge.training`` of the measured accuracy per input sample rate (see rate_warning).
INPUT_RATES_KEY = "input_rates"

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
        settings = known_settings(cls, data, "frontend calibration")
        missing = sorted({"mean", "std"} - set(settings))
        if missing:
            raise ContractError(f"frontend calibration: missing {missing} (the training prior)")
        return cls(**settings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every setting (tuples become lists)."""
        out = dataclasses.asdict(self)
        out["mean"], out["std"] = list(self.mean), list(self.std)
        return out


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
