"""EmotionClassifier on buffers: any rate/channels, no-speech answers, typed errors."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge import AudioError, EmotionClassifier, Prediction

from support.signals import noise, utterance

LABELS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")


@pytest.fixture(scope="module")
def clf() -> EmotionClassifier:
    return EmotionClassifier.load()


def test_prediction_is_a_distribution_over_the_labels(clf):
    pred = clf.predict(utterance(16000), 16000)
    assert isinstance(pred, Prediction) and pred.speech
    assert pred.label in LABELS
    assert set(pred.scores) == set(LABELS)
    assert sum(pred.scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert pred.confidence == max(pred.scores.values())
    assert pred.duration == pytest.approx(2.5, abs=1e-3)
    d = pred.to_dict()
    assert d["label"] == pred.label and d["speech"] is True and set(d["scores"]) == set(LABELS)


def test_channels_and_dtypes_do_not_change_the_answer(clf):
    mono = utterance(22050)
    base = clf.predict(mono, 22050)
    stereo = np.stack([mono, mono], axis=1)
    pcm16 = np.round(mono * 32767).astype(np.int16)
    # 16-bit quantisation moves the -70 dBFS pauses slightly, hence the looser tolerance.
    for other, tol in ((clf.predict(stereo, 22050), 1e-5), (clf.predict(pcm16, 22050), 1e-2)):
        assert other.label == base.label
        np.testing.assert_allclose(
            [other.scores[k] for k in LABELS], [base.scores[k] for k in LABELS], atol=tol)


@pytest.mark.parametrize("samples", [np.zeros(48000, np.float32), noise(2.0, 48000, -75.0),
                                     noise(2.0, 48000, -30.0)],
                         ids=["digital-silence", "near-silence", "steady-noise"])
def test_no_speech_is_not_an_emotion(clf, samples):
    pred = clf.predict(samples, 48000)
    assert pred.speech is False and pred.label is None
    assert pred.scores == {} and pred.confidence == 0.0


@pytest.mark.parametrize(
    "samples, rate, message",
    [
        (np.zeros(0, np.float32), 16000, "no audio samples"),
        (np.zeros(160, np.float32), 16000, "short"),
        (np.full(16000, np.nan, np.float32), 16000, "NaN|finite"),
        (np.r_[utterance(16000), np.float32(np.inf)], 16000, "Inf|finite"),
        (utterance(16000), 100, "rate"),
    ],
    ids=["empty", "10ms", "nan", "inf", "bad-rate"],
)
def test_bad_buffers_raise_a_typed_error_naming_the_buffer(clf, samples, rate, message):
    with pytest.raises(AudioError, match=message) as err:
        clf.predict(samples, rate, name="mic-buffer")
    assert "mic-buffer" in str(err.value)
    assert "\n" not in str(err.value)


def test_predict_file_equals_predict_on_the_same_samples(clf, example_wavs):
    from ser_edge.frontend.audio import read_audio

    for path in example_wavs:
        samples, rate = read_audio(path)
        a, b = clf.predict_file(path), clf.predict(samples, rate)
        assert a.label == b.label and a.scores == pytest.approx(b.scores)
