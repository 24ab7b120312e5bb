"""Property-based fuzzing of the resampler, the MFCC frontend and EmotionClassifier.predict.

Properties: the resampler returns float32 of exactly ``ceil(n * out / in)`` samples for any
length (0 included) and rate pair, finite whenever the input is finite and not near
float32's limit; the frontend gives finite features or an AudioError; ``predict`` on any
buffer gives a Prediction whose scores are finite and sum to 1 (or label None when no speech
was heard), or a typed one-line SerEdgeError; never another exception or a NaN score. Case
counts: ``pytest --hypothesis-show-statistics``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ser_edge import EmotionClassifier, Prediction
from ser_edge.audio.resample import METHODS, output_length, resample
from ser_edge.errors import AudioError, ContractError, SerEdgeError
from ser_edge.frontend.mfcc_mean.mfcc import extract
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

from support.signals import voiced

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
COMMON = [8000, 11025, 16000, 22050, 24414, 32000, 44100, 48000, 96000, 192000]
RATES = st.one_of(st.sampled_from(COMMON), st.integers(8000, 192000))
#: Upper bound of generated buffers: keeps a case under ~0.2 s on a slow CI core.
MAX_SAMPLES = 40_000


def signal(kind: str, n: int, rate: int, seed: int, amp: float) -> np.ndarray:
    """A float64 buffer (n,) of one kind: speech-like, noise, silence, DC, square, impulse."""
    rng = np.random.default_rng(seed)
    if kind == "voiced" and n:
        x = voiced(n / rate, rate, f0=80 + seed % 200, seed=seed).astype(np.float64)[:n]
        x = np.pad(x, (0, n - len(x)))
    elif kind == "noise":
        x = rng.standard_normal(n)
    elif kind == "dc":
        x = np.ones(n)
    elif kind == "square":
        x = np.sign(np.sin(2 * np.pi * 440 * np.arange(n) / rate))
    elif kind == "impulse":
        x = np.zeros(n)
        x[rng.integers(0, n, min(n, 3))] = 1.0
    else:
        x = np.zeros(n)
    limit = float(np.finfo(np.float32).max)
    return np.clip(x * amp, -limit, limit)  # finite in float32 too: non-finite values come from sprinkle()


def sprinkle(x: np.ndarray, bad: list[tuple[int, float]]) -> np.ndarray:
    """``x`` with some samples set to NaN/Inf (positions taken modulo the length)."""
    x = x.copy()
    for pos, value in bad:
        if len(x):
            x[pos % len(x)] = value
    return x


NONFINITE = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from([np.nan, np.inf, -np.inf])),
                     max_size=3)
AMPS = st.sampled_from([1.0, 1.0, 0.5, 1e-3, 1e-9, 0.0, 100.0, 1e20, 3e38])
KINDS = st.sampled_from(["voiced", "voiced", "noise", "silence", "dc", "square", "impulse"])


@FUZZ
@given(n=st.one_of(st.integers(0, 10), st.integers(11, 4000)), sr_in=RATES, sr_out=RATES,
       method=st.sampled_from(METHODS), kind=KINDS, amp=AMPS, seed=st.integers(0, 999), bad=NONFINITE)
def test_resampler_any_length_rate_and_amplitude(n, sr_in, sr_out, method, kind, amp, seed, bad):
    x = sprinkle(signal(kind, n, sr_in, seed, amp), bad).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf inside the filter is expected
        y = resample(x, sr_in, sr_out, method)
    assert y.dtype == np.float32 and y.shape == (output_length(n, sr_in, sr_out, method),)
    if np.all(np.isfinite(x)) and amp <= 1e20:
        assert np.all(np.isfinite(y)), (n, sr_in, sr_out, method)
        bound = 4.0 * float(np.max(np.abs(x), initial=0.0))  # a Kaiser-sinc overshoots by well under 4x
        assert float(np.max(np.abs(y), initial=0.0)) <= bound + 1e-30
        event("finite input")
    else:
        event("non-finite or near-limit input")


def test_resampler_refuses_bad_arguments_with_typed_errors():
    for args in [(np.zeros(10), 0, 22050), (np.zeros(10), 16000, -1), (np.zeros((10, 2)), 16000, 22050)]:
        with pytest.raises(AudioError):
            resample(*args)
    with pytest.raises(ContractError, match="resampler"):
        resample(np.zeros(10), 16000, 22050, "sinc_best")


#: Lengths: the edge cases 0-10, short buffers, and buffers long enough to hold speech.
LENGTHS = st.one_of(st.integers(0, 10), st.integers(11, 3000), st.integers(3000, MAX_SAMPLES),
                    st.sampled_from([MAX_SAMPLES]))


@FUZZ
@given(n=LENGTHS, rate=RATES, kind=KINDS, amp=AMPS, seed=st.integers(0, 999))
def test_frontend_features_are_finite_or_audio_error(n, rate, kind, amp, seed):
    x = signal(kind, n, rate, seed, amp).astype(np.float32)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            features = extract(x, rate, MfccMeanSpec())
    except AudioError as exc:
        assert "\n" not in str(exc)
        event("AudioError")
        return
    except RuntimeWarning:  # near float32's limit extract() overflows: check_audio refuses such buffers
        assert amp > 1e30
        event("overflow beyond MAX_PEAK")
        return
    event("features")
    assert features.shape == (40,) and features.dtype == np.float32 and np.all(np.isfinite(features))


@pytest.fixture(scope="module")
def clf() -> EmotionClassifier:
    return EmotionClassifier.load()


def check_prediction(pred: Prediction, labels: tuple[str, ...]) -> str:
    assert isinstance(pred, Prediction)
    if pred.label is None:
        assert pred.speech is False and pred.scores == {} and pred.confidence == 0.0
        return "no speech"
    values = [pred.scores[k] for k in labels]
    assert list(pred.scores) == list(labels) and pred.label in labels
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)
    assert sum(values) == pytest.approx(1.0, abs=1e-4) and pred.confidence == max(values)
    return "prediction"


@settings(FUZZ, max_examples=300)
@given(n=st.one_of(LENGTHS, st.integers(16000, MAX_SAMPLES)), rate=RATES,
       kind=st.one_of(KINDS, st.just("voiced")), amp=AMPS, seed=st.integers(0, 999),
       channels=st.integers(0, 3),
       dtype=st.sampled_from(["float32", "float64", "int16", "int32", "uint8"]),
       bad=st.one_of(st.just([]), NONFINITE))
def test_predict_on_any_buffer(clf, n, rate, kind, amp, seed, channels, dtype, bad):
    x = sprinkle(signal(kind, n, rate, seed, amp), bad)
    if dtype.startswith("int") or dtype == "uint8":
        info = np.iinfo(dtype)
        with np.errstate(invalid="ignore"):
            x = np.clip(np.nan_to_num(x * info.max, nan=0.0), info.min, info.max).astype(dtype)
    else:
        x = x.astype(dtype)
    if channels:
        x = np.stack([x] * channels, axis=1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no numpy/onnxruntime warning may reach the user
            pred = clf.predict(x, rate, name="fuzz-buffer")
    except SerEdgeError as exc:
        assert isinstance(exc, AudioError), exc
        message = str(exc)
        assert "fuzz-buffer" in message and "\n" not in message, message
        kinds = ("too short", "NaN or infinite", "no audio samples", "full scale")
        event("AudioError: " + next((k for k in kinds if k in message), message.split(": ", 1)[1][:30]))
        return
    event(check_prediction(pred, clf.labels))
    assert pred.duration == pytest.approx(n / rate, rel=1e-6)


@FUZZ
@given(rate=st.one_of(st.integers(-5, 7999), st.integers(192001, 10**9), st.sampled_from([0.5, 16000.0])))
def test_predict_refuses_rates_out_of_range(clf, rate):
    with pytest.raises(AudioError, match="sample rate"):
        clf.predict(voiced(0.5, 16000), rate, name="r")
