"""EmotionClassifier: audio at any rate and channel count -> Prediction.

    >>> from ser_edge import EmotionClassifier
    >>> clf = EmotionClassifier.load()                # the shipped model
    >>> p = clf.predict_file("hello.wav")
    >>> p.label, round(p.confidence, 2)
    ('angry', 0.81)
    >>> round(p.arousal, 2), round(p.valence, 2)    # in [0, 1]: calm -> aroused, negative -> positive
    (0.86, 0.17)

Speaker calibration (a model whose frontend has a ``calibration`` key): give the classifier a
:class:`~ser_edge.calibration.Calibration`; every classification (:meth:`predict_features`, which
every path goes through) mixes in the calibrated output once the state is active (the rule of
:mod:`ser_edge.calibration`: the register statistics only, weighed by how varied the speech
heard is), then, with ``adapt``, adds the utterance to the state (classify first, then learn).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from .audio.filestream import FileBlocks
from .audio.read import check_audio, check_rate, read_audio
from .calibration import Calibration, blend, register_mask, spec_fingerprint
from .config import CalibrationSpec, StreamSpec
from .errors import AudioError, CalibrationError
from .frontend import Frontend, FrontendSpec, ModelInputs, WindowStream
from .model import EmotionModel, ModelOutputs, ModelSpec, dimensions_json
from .segment.utterances import Segment, UtteranceSegmenter

#: Shortest buffer the classifier accepts, in seconds (about one 2048-sample STFT frame of the seed
#: model at 22050 Hz; ten 10 ms frames of the default model).
MIN_SECONDS = 0.1
#: Longest file :meth:`EmotionClassifier.predict_file` classifies whole, in seconds; longer
#: files are read block by block and classified utterance by utterance (bounded memory).
LONG_FILE_SECONDS = 30.0


@dataclass(frozen=True)
class Prediction:
    """One classification.

    ``label`` is None when no speech was heard (then ``scores`` is empty and ``confidence``
    is 0.0); otherwise the most probable class, its probability in ``confidence`` and
    every class's probability in ``scores``. ``duration`` is the audio's length in seconds.
    ``utterances``: how many utterances a long file's result was averaged over (1 for a
    buffer classified whole, 0 when a long file held none). ``calibration``: None when the
    classifier has no calibration; else how many utterances the speaker statistics came from
    when the calibrated output was used, 0 when it was not (fewer than ``min_utterances``); a
    long file's is its last utterance's.

    ``arousal`` (0 calm .. 1 aroused) and ``valence`` (0 negative .. 1 positive), each in [0, 1]:
    the model's dimension heads, or the expectation of the label mapping under ``scores``
    (:attr:`EmotionModel.dimensions_source <ser_edge.model.EmotionModel.dimensions_source>`);
    None when nothing was said or the model has none. A long file's are the duration-weighted
    mean of its utterances', as its scores.
    """

    label: str | None
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    speech: bool = True
    duration: float = 0.0
    utterances: int = 1
    calibration: int | None = None
    arousal: float | None = None
    valence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"label", "confidence", "scores", "speech", "arousal", "valence",
        "duration"}`` (arousal and valence null when None), ``"utterances"`` when there were
        more than one, ``"calibration"`` when not None. Probabilities, arousal and valence to 4
        decimals and seconds to 3, as the stream's events."""
        out = {
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "speech": self.speech,
            **dimensions_json(self.arousal, self.valence),
            "duration": round(self.duration, 3),
        }
        if self.utterances > 1:
            out["utterances"] = self.utterances
        if self.calibration is not None:
            out["calibration"] = self.calibration
        return out


def register_columns(frontend: FrontendSpec, n: int) -> np.ndarray:
    """The calibration statistics that describe the channel and the voice's register, bool (n,):
    :func:`~ser_edge.calibration.register_mask` of a frames16k model's functionals; every
    column of another frontend's n statistics (whose names are not known)."""
    from .frontend.frames16k import Frames16kSpec, functional_names  # only calibrated models need it

    if isinstance(frontend, Frames16kSpec):
        names = functional_names(frontend)
        if len(names) == n:
            return register_mask(names)
    return np.ones(n, dtype=bool)


def no_speech(duration: float, utterances: int = 1, calibration: int | None = None) -> Prediction:
    """The Prediction for a buffer in which nothing was said."""
    return Prediction(label=None, confidence=0.0, scores={}, speech=False, duration=duration,
                      utterances=utterances, calibration=calibration)


class EmotionClassifier:
    """Resample, compute the model's features, run the model; one instance per model.

    Shares the frontend its model built (``frontend`` is ``model.frontend``: features and the
    speech check of whole buffers, and a windowed feature stream). What the stream engine
    uses: :meth:`predict` (utterances), :meth:`window_stream` and :meth:`predict_features`
    (window mode).

    ``calibration``: the speaker statistics to classify with (None: uncalibrated; settable as
    the attribute); ``adapt``: add each classified utterance to them.
    """

    def __init__(self, model: EmotionModel, min_seconds: float = MIN_SECONDS, *,
                 calibration: Calibration | None = None, adapt: bool = True) -> None:
        self.model = model
        self.frontend: Frontend = model.frontend
        self.min_seconds = min_seconds
        self.adapt = adapt
        self._calibration: Calibration | None = None
        self._register: np.ndarray | None = None  # register_columns, when first calibrated
        self.calibration = calibration

    @classmethod
    def load(cls, model: str | Path | None = None, *, threads: int = 1, spinning: bool = False,
             calibration: Calibration | None = None, adapt: bool = True,
             **overrides: Any) -> EmotionClassifier:
        """Load a model file (None: the shipped model). ``overrides``: labels=, frontend=."""
        return cls(EmotionModel.load(model, threads=threads, spinning=spinning, **overrides),
                   calibration=calibration, adapt=adapt)

    @property
    def calibration_spec(self) -> CalibrationSpec | None:
        """The model's speaker calibration (None: it has none)."""
        return self.model.calibration_spec

    @property
    def calibration(self) -> Calibration | None:
        """The speaker statistics classifications use (None: uncalibrated)."""
        return self._calibration

    @calibration.setter
    def calibration(self, state: Calibration | None) -> None:
        """CalibrationError, one line, for a model without calibration or a state of another model."""
        if state is not None:
            spec = self.calibration_spec
            if spec is None:
                raise self.model.no_calibration_error()
            if state.fingerprint != spec_fingerprint(spec):
                raise CalibrationError(f"{self.model.path}: the calibration was made for another model "
                                       f"(fingerprint {state.fingerprint!r}, this model's is "
                                       f"{spec_fingerprint(spec)!r})")
        self._calibration = state

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

    def features(self, samples: np.ndarray, sample_rate: int) -> ModelInputs:
        """The model's inputs (input name -> float32 array) for mono audio at ``sample_rate``,
        with no speech check."""
        return self.frontend.features(samples, sample_rate)

    def scores(self, samples: np.ndarray, sample_rate: int | None = None) -> np.ndarray:
        """Probabilities (n_labels,) with no speech check; rate defaults to the model's."""
        rate = self.sample_rate if sample_rate is None else sample_rate
        return self.model.predict(self.features(samples, rate))[0]

    def predict(self, samples: np.ndarray, sample_rate: int, name: str = "<buffer>") -> Prediction:
        """Classify audio: samples (n,) or (n, channels), any dtype, at ``sample_rate`` Hz.

        Raises AudioError (naming ``name``) for empty, too short or non-finite audio.
        """
        mono = check_audio(samples, sample_rate, name, self.min_seconds)
        duration = len(mono) / float(sample_rate)
        inputs = self.frontend.speech_features(mono, sample_rate)
        if inputs is None:
            return no_speech(duration, calibration=None if self.calibration is None else 0)
        return self.predict_features(inputs, duration, name)

    def observe(self, samples: np.ndarray, sample_rate: int, name: str = "<buffer>") -> bool:
        """Add one utterance's speech to :attr:`calibration` without classifying it; False (and
        nothing added) when it holds no speech. AudioError as :meth:`predict`; CalibrationError
        when no calibration is set."""
        state = self.require_calibration()
        mono = check_audio(samples, sample_rate, name, self.min_seconds)
        inputs = self.frontend.speech_features(mono, sample_rate)
        if inputs is None:
            return False
        self._learn(state, inputs)
        return True

    def observe_file(self, path: str | Path) -> int:
        """Add a file's speech to :attr:`calibration` (the gather pass of ``classify --calibrate``):
        a file up to LONG_FILE_SECONDS as one utterance, a longer one utterance by utterance, as
        :meth:`predict_file` classifies them. Returns the utterances added."""
        self.require_calibration()
        blocks = FileBlocks(path)
        check_rate(blocks.sample_rate, str(path))
        if blocks.duration <= LONG_FILE_SECONDS:
            samples, rate = read_audio(path)
            return int(self.observe(samples, rate, name=str(path)))
        added = 0
        for seg in utterance_segments(blocks, blocks.sample_rate):
            try:
                added += self.observe(seg.samples, blocks.sample_rate, str(path))
            except AudioError:  # too short or not finite: as predict_segment, skipped
                continue
        return added

    def require_calibration(self) -> Calibration:
        """:attr:`calibration`, or CalibrationError naming the model when none is set."""
        if self.calibration is None:
            if self.calibration_spec is None:
                raise self.model.no_calibration_error()
            raise CalibrationError(f"{self.model.path}: no calibration set (EmotionClassifier(..., "
                                   "calibration=Calibration(classifier.calibration_spec)))")
        return self.calibration

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> WindowStream:
        """Window mode for a stream at ``sample_rate`` Hz: the frontend's windowed feature stream.

        Its windows carry the model's features and the speech check; classify those with
        speech with :meth:`predict_features`.
        """
        return self.frontend.window_stream(stream, sample_rate)

    def predict_features(self, features: ModelInputs | np.ndarray, duration: float = 0.0,
                         name: str = "<buffer>") -> Prediction:
        """Classify the model's inputs (:data:`ModelInputs`, or the array of a one-input model,
        e.g. MFCC means (n_mfcc,)) of audio known to hold speech.

        For the windows of :meth:`window_stream` (or callers that compute the features
        themselves); ``duration`` (seconds) is reported in the Prediction. With a calibration:
        the calibrated output when it is active, then (``adapt``) this input is added to it.
        """
        state = self.calibration
        used = state.count if state is not None and state.active else None
        out = self.model.infer(features) if used is None else self.calibrated(features, state)
        probs = out.probs[0]
        dimensions = None if out.dimensions is None else out.dimensions[0]
        if not (np.all(np.isfinite(probs)) and (dimensions is None or np.all(np.isfinite(dimensions)))):
            raise AudioError(f"{name}: the model returned non-finite scores")
        if state is not None and self.adapt:
            self._learn(state, features)
        return self._prediction(probs, dimensions, duration, calibration=None if state is None else used or 0)

    def calibrated(self, features: ModelInputs | np.ndarray, state: Calibration) -> ModelOutputs:
        """The model's outputs for ``features`` under ``state``: those without and with the
        state's register statistics, blended by its weight (one run; arousal and valence too)."""
        if self._register is None:
            self._register = register_columns(self.model.spec.frontend, state.spec.n_statistics)
        plain, calibrated = self.model.infer_both(features, state.register_statistics(self._register))
        w = state.weight()
        dimensions = None
        if plain.dimensions is not None and calibrated.dimensions is not None:
            dimensions = blend(plain.dimensions, calibrated.dimensions, w)
        return ModelOutputs(blend(plain.probs, calibrated.probs, w), dimensions)

    def _learn(self, state: Calibration, features: ModelInputs | np.ndarray) -> None:
        """Add one speech input's statistics to ``state`` (ValueError for a frontend without them)."""
        name = state.spec.statistics
        if not isinstance(features, dict) or name not in features:
            raise ValueError(f"calibration: the model inputs hold no {name!r}")
        state.update(np.asarray(features[name]).reshape(-1))

    def _prediction(self, probs: np.ndarray, dimensions: np.ndarray | None, duration: float,
                    utterances: int = 1, calibration: int | None = None) -> Prediction:
        """The Prediction of class probabilities (n_labels,) and (arousal, valence) (2,) or None."""
        best = int(np.argmax(probs))
        arousal, valence = (None, None) if dimensions is None else (float(d) for d in dimensions)
        return Prediction(
            label=self.labels[best],
            confidence=float(probs[best]),
            scores={lab: float(p) for lab, p in zip(self.labels, probs, strict=True)},
            speech=True,
            duration=duration,
            utterances=utterances,
            calibration=calibration,
            arousal=arousal,
            valence=valence,
        )

    def predict_file(self, path: str | Path) -> Prediction:
        """Read an audio file (WAV, FLAC, OGG, MP3, ...: :class:`~ser_edge.audio.filestream.FileBlocks`,
        block by block) and classify it.

        Files up to LONG_FILE_SECONDS are classified whole. Longer ones are classified as they
        are read (bounded memory, whatever the length) and cut into utterances
        (:class:`~ser_edge.segment.utterances.UtteranceSegmenter`, as ``listen`` does); the
        result is the duration-weighted mean of the utterances' scores and ``utterances``
        says how many there were.
        """
        blocks = FileBlocks(path)
        check_rate(blocks.sample_rate, str(path))  # before the length decides the way
        self.model.warn_rate(blocks.sample_rate, str(path))  # once per file below the rates measured as fine
        if blocks.duration <= LONG_FILE_SECONDS:
            samples, rate = read_audio(path)
            return self.predict(samples, rate, name=str(path))
        return self.predict_utterances(blocks, blocks.sample_rate, str(path))

    def predict_utterances(self, blocks: Iterable[np.ndarray], sample_rate: int,
                           name: str = "<stream>") -> Prediction:
        """Classify a long recording given as mono blocks (n,) at ``sample_rate`` Hz: each
        utterance once, then the mean of their scores (and arousal and valence) weighted by their
        speech duration (``calibration``: the last utterance's)."""
        received = [0]

        def counted() -> Iterator[np.ndarray]:
            for block in blocks:
                received[0] += len(block)
                yield block

        total, weight, count = np.zeros(len(self.labels) + 2), 0.0, 0  # scores, arousal, valence
        calibration = None if self.calibration is None else 0
        for seg in utterance_segments(counted(), sample_rate):
            pred = self.predict_segment(seg, sample_rate, name)
            if pred is not None and pred.label is not None:
                seconds = (seg.end - seg.start) / sample_rate
                dims = [pred.arousal or 0.0, pred.valence or 0.0]  # None for every utterance or none
                total += seconds * np.array([pred.scores[k] for k in self.labels] + dims)
                weight, count, calibration = weight + seconds, count + 1, pred.calibration
        duration = received[0] / float(sample_rate)
        if count == 0:
            return no_speech(duration, utterances=0, calibration=calibration)
        mean = total / weight
        dimensions = None if self.model.dimensions_source is None else mean[-2:]
        return self._prediction(mean[:-2], dimensions, duration, count, calibration)

    def predict_segment(self, segment: Segment, sample_rate: int,
                        name: str = "<stream>") -> Prediction | None:
        """Classify one utterance of a stream (the segmenter removed its DC offset); None when
        it cannot be (too short, not finite)."""
        try:
            return self.predict(segment.samples, sample_rate, name)
        except AudioError:
            return None


def utterance_segments(blocks: Iterable[np.ndarray], sample_rate: int) -> Iterator[Segment]:
    """The utterances of a recording given as mono blocks (n,) at ``sample_rate`` Hz, as the
    default StreamSpec's :class:`UtteranceSegmenter` cuts them (the last one at the end)."""
    segmenter = UtteranceSegmenter(StreamSpec(), sample_rate)
    for block in chain(blocks, [None]):
        yield from (segmenter.flush() if block is None else segmenter.push(block))
