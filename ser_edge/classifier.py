"""EmotionClassifier: audio at any rate and channel count -> Prediction.

    >>> from ser_edge import EmotionClassifier
    >>> clf = EmotionClassifier.load()                # the shipped model
    >>> p = clf.predict_file("hello.wav")
    >>> p.label, round(p.confidence, 2)
    ('angry', 0.81)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import ModelSpec
from .errors import AudioError
from .frontend.activity import ActivitySpec, has_speech
from .frontend.audio import check_audio, read_audio
from .frontend.mfcc import extract
from .model import EmotionModel

#: Shortest buffer the classifier accepts, in seconds (about one STFT frame at 22050 Hz).
MIN_SECONDS = 0.1


@dataclass(frozen=True)
class Prediction:
    """One classification.

    ``label`` is None when no speech was heard (then ``scores`` is empty and ``confidence``
    is 0.0); otherwise the most probable class, its probability in ``confidence`` and
    every class's probability in ``scores``. ``duration`` is the audio's length in seconds.
    """

    label: str | None
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    speech: bool = True
    duration: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"label", "confidence", "scores", "speech", "duration"}``."""
        return {
            "label": self.label,
            "confidence": round(self.confidence, 6),
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
            "speech": self.speech,
            "duration": round(self.duration, 4),
        }


def no_speech(duration: float) -> Prediction:
    """The Prediction for a buffer in which nothing was said."""
    return Prediction(label=None, confidence=0.0, scores={}, speech=False, duration=duration)


class EmotionClassifier:
    """Resample, compute the model's features, run the model; one instance per model."""

    def __init__(self, model: EmotionModel, activity: ActivitySpec | None = None,
                 min_seconds: float = MIN_SECONDS) -> None:
        self.model = model
        self.activity = activity or ActivitySpec()
        self.min_seconds = min_seconds

    @classmethod
    def load(cls, model: str | Path | None = None, *, threads: int = 1, spinning: bool = False,
             **overrides: Any) -> EmotionClassifier:
        """Load a model file (None: the shipped model). ``overrides``: labels=, frontend=."""
        return cls(EmotionModel.load(model, threads=threads, spinning=spinning, **overrides))

    @property
    def spec(self) -> ModelSpec:
        return self.model.spec

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    @property
    def sample_rate(self) -> int:
        """The rate (Hz) the model's features are computed at."""
        return self.model.spec.frontend.sample_rate

    def features(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """The model's input features (n_features,) float32 for mono audio at ``sample_rate``."""
        return extract(samples, sample_rate, self.model.spec.frontend)

    def scores(self, samples: np.ndarray, sample_rate: int | None = None) -> np.ndarray:
        """Probabilities (n_labels,) with no speech check; rate defaults to the model's."""
        rate = self.sample_rate if sample_rate is None else sample_rate
        return self.model.predict(self.features(samples, rate))[0]

    def predict(self, samples: np.ndarray, sample_rate: int, name: str = "<buffer>") -> Prediction:
        """Classify audio: samples (n,) or (n, channels), any dtype, at ``sample_rate`` Hz.

        Raises AudioError (naming ``name``) for empty, too short or non-finite audio.
        """
        mono = check_audio(samples, sample_rate, name, self.min_seconds)
        self.model.warn_rate(sample_rate, name)  # once per input below the rates measured as fine
        duration = len(mono) / float(sample_rate)
        if not has_speech(mono, sample_rate, self.activity):
            return no_speech(duration)
        return self.predict_features(self.features(mono, sample_rate), duration, name)

    def predict_features(self, features: np.ndarray, duration: float = 0.0,
                         name: str = "<buffer>") -> Prediction:
        """Classify the model's input features (n_features,) of audio known to hold speech.

        For callers that compute the features themselves (e.g. the incremental window mode);
        ``duration`` (seconds) is reported in the Prediction.
        """
        probs = self.model.predict(np.asarray(features, dtype=np.float32))[0]
        if not np.all(np.isfinite(probs)):
            raise AudioError(f"{name}: the model returned non-finite scores")
        best = int(np.argmax(probs))
        return Prediction(
            label=self.labels[best],
            confidence=float(probs[best]),
            scores={lab: float(p) for lab, p in zip(self.labels, probs, strict=True)},
            speech=True,
            duration=duration,
        )

    def predict_file(self, path: str | Path) -> Prediction:
        """Read an audio file (WAV; FLAC/OGG with soundfile) and classify it."""
        samples, rate = read_audio(path)
        return self.predict(samples, rate, name=str(path))
