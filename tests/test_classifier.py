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


@pytest.fixture(scope="module")
def seed_clf() -> EmotionClassifier:
    """The seed model: it labels these tests' synthetic voices (the default model hears no speech)."""
    return EmotionClassifier.load("seed")


def test_prediction_is_a_distribution_over_the_labels(seed_clf):
    pred = seed_clf.predict(utterance(16000), 16000)
    assert isinstance(pred, Prediction) and pred.speech
    assert pred.label in LABELS
    assert set(pred.scores) == set(LABELS)
    assert sum(pred.scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert pred.confidence == max(pred.scores.values())
    assert pred.duration == pytest.approx(2.5, abs=1e-3)
    d = pred.to_dict()
    assert d["label"] == pred.label and d["speech"] is True and set(d["scores"]) == set(LABELS)


def test_channels_and_dtypes_do_not_change_the_answer(seed_clf):
    mono = utterance(22050)
    base = seed_clf.predict(mono, 22050)
    stereo = np.stack([mono, mono], axis=1)
    pcm16 = np.round(mono * 32767).astype(np.int16)
    # 16-bit quantisation moves the -70 dBFS pauses slightly, hence the looser tolerance.
    for other, tol in ((seed_clf.predict(stereo, 22050), 1e-5), (seed_clf.predict(pcm16, 22050), 1e-2)):
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
    from ser_edge.audio.read import read_audio

    for path in example_wavs:
        samples, rate = read_audio(path)
        a, b = clf.predict_file(path), clf.predict(samples, rate)
        assert a.label == b.label and a.scores == pytest.approx(b.scores)


def test_integer_arrays_and_channel_layouts_are_understood(seed_clf):
    """int32 is scaled by its range and (channels, n) is read as channels (librosa's layout);
    int64 (numpy's default integer) is refused with a clear message instead of silence."""
    mono = utterance(22050)
    base = seed_clf.predict(mono, 22050)
    pcm32 = np.round(mono.astype(np.float64) * 2**31 * 0.999).astype(np.int32)
    for other in (seed_clf.predict(pcm32, 22050), seed_clf.predict(np.stack([mono, mono]), 22050)):
        assert other.label == base.label
        np.testing.assert_allclose([other.scores[k] for k in LABELS], [base.scores[k] for k in LABELS],
                                   atol=1e-2)
    with pytest.raises(AudioError, match="int64"):
        seed_clf.predict(np.round(mono * 32767).astype(np.int64), 22050)


def _long_recording(rate: int, count: int) -> np.ndarray:
    """``count`` speech-like utterances of 2.5 s each (quiet around them): count * 2.5 s."""
    return np.concatenate([utterance(rate, seed=k) for k in range(count)])


def test_a_long_file_is_classified_utterance_by_utterance(seed_clf, tmp_path):
    """Over LONG_FILE_SECONDS: block by block, one result = the duration-weighted mean of the
    utterances' scores, with their count (in to_dict only when > 1)."""
    from ser_edge.classifier import LONG_FILE_SECONDS
    from ser_edge.stream import timeline_file

    from support.signals import write_wav

    rate = 16000
    path = write_wav(tmp_path / "long.wav", _long_recording(rate, 16), rate)  # 40 s
    pred = seed_clf.predict_file(path)
    events = timeline_file(seed_clf, path)
    assert pred.duration == pytest.approx(40.0) and pred.duration > LONG_FILE_SECONDS
    assert pred.utterances == len(events) == 16 and pred.to_dict()["utterances"] == 16
    weights = np.array([e.end - e.start for e in events])
    mean = {k: float(np.dot(weights, [e.scores[k] for e in events]) / weights.sum()) for k in LABELS}
    assert pred.scores == pytest.approx(mean) and pred.label == max(mean, key=mean.get)
    short = seed_clf.predict_file(write_wav(tmp_path / "short.wav", _long_recording(rate, 4), rate))
    assert short.utterances == 1 and "utterances" not in short.to_dict()
    silent = seed_clf.predict_file(write_wav(tmp_path / "silent.wav", noise(35.0, rate, -70.0), rate))
    assert silent.label is None and silent.utterances == 0 and not silent.speech


# --- speaker calibration (issue 15) -----------------------------------------------------------

def calibrated_clf(tmp_path, min_utterances: int = 3, adapt: bool = True) -> EmotionClassifier:
    """A classifier of the tiny calibrated model with a fresh Calibration."""
    pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")
    from ser_edge import Calibration, EmotionModel

    from support.onnx_fixtures import tiny_calibrated_model

    model = EmotionModel.load(tiny_calibrated_model(tmp_path / "cal.onnx", min_utterances=min_utterances))
    return EmotionClassifier(model, calibration=Calibration(model.calibration_spec), adapt=adapt)


def voice_inputs(clf: EmotionClassifier, i: int) -> dict:
    """The model inputs of a synthetic voice (the frontend's features, no speech check)."""
    from support.frames_signals import karplus_strong

    return clf.features(karplus_strong(110.0 + 40 * i, 1.5, seed=i), 16000)


def test_below_min_utterances_the_output_is_the_uncalibrated_model(tmp_path):
    clf = calibrated_clf(tmp_path, min_utterances=3)
    for i in range(3):
        x = voice_inputs(clf, i)
        plain = clf.model.predict(x)[0]
        pred = clf.predict_features(x)
        assert [pred.scores[k] for k in clf.labels] == plain.tolist()  # exactly
        assert pred.calibration == 0 and pred.to_dict()["calibration"] == 0
        assert clf.calibration.count == i + 1


def test_from_min_utterances_on_the_calibrated_output_is_mixed_in(tmp_path):
    """The outputs without and with the register statistics, blended by the state's weight."""
    from ser_edge.calibration import MAX_WEIGHT
    from ser_edge.classifier import register_columns
    from ser_edge.model.dimensions import expected_dimensions

    from support.onnx_fixtures import calibrated_reference

    clf = calibrated_clf(tmp_path, min_utterances=3)
    register = register_columns(clf.model.spec.frontend, clf.calibration_spec.n_statistics)
    assert 0 < register.sum() < len(register)
    seen = [voice_inputs(clf, i) for i in range(5)]
    for x in seen[:3]:
        clf.predict_features(x)
    for n, x in enumerate(seen[3:], start=3):
        # before this utterance: classify first, then learn
        (mean, std), w = clf.calibration.register_statistics(register), clf.calibration.weight()
        pred = clf.predict_features(x)
        assert pred.calibration == n and clf.calibration.count == n + 1
        assert 0 < w <= MAX_WEIGHT
        plain = calibrated_reference(clf.model.path, x["frames"], x["functionals"])
        calibrated = calibrated_reference(clf.model.path, x["frames"], x["functionals"], mean, std)
        want = (1 - w) * plain + w * calibrated
        np.testing.assert_allclose([pred.scores[k] for k in clf.labels], want, atol=1e-5)
        # arousal/valence of the mixed probabilities (this model has no heads)
        dims = expected_dimensions(want, clf.labels)
        np.testing.assert_allclose([pred.arousal, pred.valence], dims, atol=1e-5)
        assert np.abs(want - clf.model.predict(x)[0]).max() > 1e-3
    rows = np.array([x["functionals"] for x in seen], dtype=np.float64)
    assert clf.calibration.sum == pytest.approx(rows.sum(axis=0))


def test_an_enrolment_of_one_emotion_moves_the_output_less_than_a_varied_one(tmp_path):
    """Utterances that barely differ (one voice, one mood) get little weight; the same number
    of varied utterances more. Repeating one utterance gives none: the output stays as it was."""
    clf = calibrated_clf(tmp_path, min_utterances=1, adapt=False)
    voices = [voice_inputs(clf, i) for i in range(6)]
    probe = voice_inputs(clf, 9)
    plain = clf.model.predict(probe)[0]
    rng = np.random.default_rng(0)
    moved = {}
    for kind, rows in (("repeated", [voices[0]["functionals"]] * 6),
                       ("one mood", [voices[0]["functionals"] * (1 + 0.01 * rng.standard_normal())
                                     for _ in range(6)]),
                       ("varied", [v["functionals"] for v in voices])):
        clf.calibration.reset()
        for row in rows:
            clf.calibration.update(np.asarray(row, dtype=np.float64))
        pred = clf.predict_features(probe)
        moved[kind] = float(np.abs(np.array([pred.scores[k] for k in clf.labels]) - plain).max())
    assert moved["repeated"] == 0.0
    assert moved["one mood"] < moved["varied"] and moved["varied"] > 1e-3


def test_adapt_false_classifies_with_the_statistics_but_does_not_learn(tmp_path):
    clf = calibrated_clf(tmp_path, min_utterances=1, adapt=False)
    x = voice_inputs(clf, 0)
    pred = clf.predict_features(x)
    assert pred.calibration == 0 and clf.calibration.count == 0
    clf.calibration.update(x["functionals"])
    pred = clf.predict_features(voice_inputs(clf, 1))
    assert pred.calibration == 1 and clf.calibration.count == 1


def test_no_speech_does_not_update_the_calibration(tmp_path):
    clf = calibrated_clf(tmp_path, min_utterances=1)
    for samples in (np.zeros(32000), noise(16000, 2.0, -60.0)):
        pred = clf.predict(samples, 16000)
        assert pred.speech is False and pred.calibration == 0
        assert clf.observe(samples, 16000) is False
    assert clf.calibration.count == 0


def test_speech_files_update_the_calibration_through_every_path(tmp_path, example_wavs):
    clf = calibrated_clf(tmp_path, min_utterances=2)
    first = clf.predict_file(example_wavs[0])
    assert first.speech and first.calibration == 0 and clf.calibration.count == 1
    assert clf.observe_file(example_wavs[1]) == 1 and clf.calibration.count == 2
    third = clf.predict_file(example_wavs[0])
    assert third.calibration == 2 and clf.calibration.count == 3


def test_a_long_file_updates_the_calibration_utterance_by_utterance(tmp_path, example_wavs):
    sf = pytest.importorskip("soundfile")
    clf = calibrated_clf(tmp_path, min_utterances=1)
    speech, rate = sf.read(str(example_wavs[0]), dtype="float32", always_2d=True)
    quiet = np.zeros((rate * 3, speech.shape[1]), dtype=np.float32)
    long = np.concatenate([np.concatenate([speech, quiet])] * 10)  # ~ 10 utterances, > 30 s
    assert len(long) / rate > 30
    path = tmp_path / "long.wav"
    sf.write(str(path), long, rate)
    added = clf.observe_file(path)
    assert added >= 5 and clf.calibration.count == added
    pred = clf.predict_file(path)
    assert pred.utterances >= 5 and clf.calibration.count == added + pred.utterances
    assert pred.calibration == clf.calibration.count - 1  # the last utterance's


def test_uncalibrated_predictions_have_no_calibration_key(seed_clf):
    pred = seed_clf.predict(utterance(16000), 16000)
    assert pred.calibration is None and "calibration" not in pred.to_dict()


def test_a_calibration_for_a_model_without_one_is_refused(seed_clf, tmp_path):
    from ser_edge import Calibration, CalibrationError
    from ser_edge.config import CalibrationSpec

    state = Calibration(CalibrationSpec(mean=(0.0,) * 40, std=(1.0,) * 40))
    assert seed_clf.calibration_spec is None
    with pytest.raises(CalibrationError, match=r"ser_edge_seed\.onnx has no speaker calibration \("):
        seed_clf.calibration = state
    with pytest.raises(CalibrationError, match="has no speaker calibration"):
        EmotionClassifier(seed_clf.model, calibration=state)
    with pytest.raises(CalibrationError, match="has no speaker calibration"):
        seed_clf.observe(utterance(16000), 16000)
    clf = calibrated_clf(tmp_path)
    with pytest.raises(CalibrationError, match="made for another model"):
        clf.calibration = state
