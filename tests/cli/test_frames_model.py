"""A frames16k model end to end (the tiny two-input fixture): classify, --timeline, listen in
both modes, the Python API. Speech gives emotions; tones, chirps, noise and a plucked melody
give none (Silero VAD decides, the energy gate only pre-selects)."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("onnx")

from ser_edge import EmotionClassifier  # noqa: E402
from ser_edge.audio.resample import resample  # noqa: E402
from ser_edge.stream import timeline  # noqa: E402

from support.cli import run_cli  # noqa: E402
from support.frames_signals import non_speech, speech_files  # noqa: E402
from support.onnx_fixtures import LABELS, tiny_frames_model  # noqa: E402
from support.signals import to_int16, write_wav  # noqa: E402

RATE = 48000


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return tiny_frames_model(tmp_path_factory.mktemp("frames") / "frames16k.onnx")


def _speech(index: int) -> np.ndarray:
    """Example recording ``index`` at 48 kHz (skips without the shared data)."""
    sf = pytest.importorskip("soundfile")
    x, rate = sf.read(str(speech_files()[index]), dtype="float64", always_2d=True)
    return resample(x.mean(axis=1), rate, RATE, "polyphase")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """name -> WAV at 48 kHz: two recordings, each non-speech sound, and a mixed stream."""
    folder = tmp_path_factory.mktemp("frames-audio")
    quiet = np.zeros(RATE)
    sounds = non_speech(RATE)
    out = {name: write_wav(folder / f"{name}.wav", to_int16(x), RATE) for name, x in sounds.items()}
    out["speech0"] = write_wav(folder / "speech0.wav", to_int16(_speech(0)), RATE)
    noise_part = np.concatenate([quiet, sounds["plucked_melody"], quiet, sounds["beeps_1k"], quiet,
                                 sounds["chirp"], quiet])
    mixed = np.concatenate([_speech(0), noise_part, _speech(1)])
    out["mixed"] = write_wav(folder / "mixed.wav", to_int16(mixed), RATE)
    out["music"] = write_wav(folder / "music.wav", to_int16(noise_part), RATE)
    bounds = (len(_speech(0)) / RATE, (len(_speech(0)) + len(noise_part)) / RATE)
    return out, bounds


def test_classify_speech_and_non_speech(model, files):
    paths, _ = files
    names = ["speech0", *sorted(non_speech(RATE))]
    proc = run_cli("classify", "--json", "--model", str(model), *[str(paths[n]) for n in names])
    assert proc.returncode == 0, proc.stderr
    rows = {row["file"]: row for row in map(json.loads, proc.stdout.splitlines())}
    speech = rows[str(paths["speech0"])]
    assert speech["label"] in LABELS and speech["speech"] is True
    assert abs(sum(speech["scores"].values()) - 1) < 1e-4
    for name in names[1:]:
        row = rows[str(paths[name])]
        assert (row["label"], row["speech"], row["scores"]) == (None, False, {}), name


def _outside(events: list[dict], bounds: tuple[float, float]) -> bool:
    """Whether no event lies inside the non-speech part (0.3 s of slack for the padding)."""
    return all(ev["end"] <= bounds[0] + 0.3 or ev["start"] >= bounds[1] - 0.3 for ev in events)


def test_timeline_gives_events_only_for_speech(model, files):
    paths, bounds = files
    proc = run_cli("classify", "--timeline", "--json", "--model", str(model), str(paths["mixed"]))
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(events) >= 2 and _outside(events, bounds), events
    assert events[0]["start"] < bounds[0] and events[-1]["end"] > bounds[1]


@pytest.mark.parametrize("mode", ["utterance", "window"])
def test_listen_gives_events_only_for_speech(model, files, mode):
    paths, bounds = files
    proc = run_cli("listen", "--input", str(paths["mixed"]), "--json", "--mode", mode, "--model", str(model))
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    if mode == "utterance":
        assert events and _outside(events, bounds), events
    else:  # 3 s windows: each one holds some of the speech
        assert events and all(ev["start"] < bounds[0] + 0.3 or ev["end"] > bounds[1] - 0.3 for ev in events)
    assert all(ev["label"] in LABELS for ev in events)
    music = run_cli("listen", "--input", str(paths["music"]), "--json", "--mode", mode, "--model", str(model))
    assert music.returncode == 0, music.stderr
    assert music.stdout == "" and " 0 events" in music.stderr


def test_python_api(model, files):
    paths, bounds = files
    clf = EmotionClassifier.load(model)
    assert set(clf.model.input_shapes) == {"frames", "functionals"}
    pred = clf.predict_file(paths["speech0"])
    assert pred.speech and pred.label in LABELS
    melody = non_speech(RATE)["plucked_melody"]
    assert clf.predict(melody, RATE).to_dict()["label"] is None
    import soundfile as sf

    mixed, rate = sf.read(str(paths["mixed"]), dtype="float32")
    events = [e.to_dict() if hasattr(e, "to_dict") else vars(e) for e in timeline(clf, mixed, rate)]
    assert events and _outside(events, bounds)


def test_info_names_both_inputs(model):
    proc = run_cli("info", "--model", str(model))
    assert proc.returncode == 0, proc.stderr
    assert "frames16k at 16000 Hz (frames ['time', 64], functionals [" in proc.stdout
