"""A calibration file never replaces anything else (issue 22, item 1: ``listen --calibration
../long.wav -q`` replaced a recording with a calibration JSON at start-up).

Every path that writes a calibration file (``listen --calibration``, ``calibration reset``, the
API's ``Calibration.save``/``open``) and ``classify --calibration`` refuse a file that is not a
calibration file of ser-edge (a recording, a text file, a folder, a symbolic link, truncated
JSON) with one line, the same for all of them, before the model loads (exit 2, also with -q),
and leave its bytes as they were. listen writes only once it has learned something.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

pytest.importorskip("onnx")

from ser_edge.calibration import NOT_REPLACED, Calibration  # noqa: E402
from ser_edge.config import CalibrationSpec  # noqa: E402
from ser_edge.errors import CalibrationError  # noqa: E402

from support.cli import run_cli  # noqa: E402
from support.onnx_fixtures import tiny_calibrated_model, tiny_calibration_prior  # noqa: E402
from support.signals import noise, to_int16, utterance, write_wav  # noqa: E402

RATE = 16000
KINDS = ["recording", "text", "folder", "symlink", "truncated-json", "json-list"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return tiny_calibrated_model(tmp_path_factory.mktemp("model") / "cal.onnx")


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    """A short WAV with one synthetic utterance (what listen replays)."""
    x = np.concatenate([noise(0.5, RATE, -70.0, seed=1), utterance(RATE, 1), noise(0.5, RATE, -70.0, seed=2)])
    return write_wav(tmp_path_factory.mktemp("talk") / "talk.wav", to_int16(x), RATE)


def precious(tmp_path, kind: str, talk) -> tuple[os.PathLike, bytes | None]:
    """A file (or folder, or link) at a path given as --calibration, and its bytes (None: a folder)."""
    path = tmp_path / ("long.wav" if kind == "recording" else f"{kind}.json")
    if kind == "recording":
        path.write_bytes(talk.read_bytes())
    elif kind == "text":
        path = tmp_path / "mqtt.env"
        path.write_text("SER_EDGE_MQTT_USERNAME=me\nSER_EDGE_MQTT_PASSWORD=secret\n")
    elif kind == "folder":
        path.mkdir()
        (path / "keep.txt").write_text("keep")
        return path, None
    elif kind == "symlink":  # a link, even to a real calibration file, is not written through
        target = tmp_path / "elsewhere.json"
        target.write_text(json.dumps({"format": "ser-edge calibration", "version": 1}))
        path.symlink_to(target)
    elif kind == "truncated-json":
        path.write_text('{"format": "ser-edge calibration", "count": 3, "sum": [1, 2')
    else:
        path.write_text("[1, 2, 3]\n")
    return path, path.read_bytes()


def unchanged(path, content: bytes | None) -> bool:
    if content is None:
        return path.is_dir() and (path / "keep.txt").read_text() == "keep" and len(list(path.iterdir())) == 1
    return path.read_bytes() == content


def reset_message(model, path) -> str:
    """What ``calibration reset`` says about the same file (the reference message)."""
    proc = run_cli("calibration", "reset", str(path), "--model", str(model))
    assert proc.returncode == 1 and proc.stdout == ""
    return proc.stderr


@pytest.mark.parametrize("quiet", [False, True], ids=["", "-q"])
@pytest.mark.parametrize("kind", KINDS)
def test_listen_refuses_a_file_that_is_not_a_calibration_file(model, talk, tmp_path, kind, quiet):
    path, content = precious(tmp_path, kind, talk)
    proc = run_cli("listen", "--input", str(talk), "--model", str(model), "--calibration", str(path),
                   *(["-q"] if quiet else []))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"ser-edge: {path}: ")
    assert NOT_REPLACED in proc.stderr
    assert proc.stderr == reset_message(model, path)  # the same line as calibration reset
    assert unchanged(path, content)


@pytest.mark.parametrize("kind", ["recording", "text"])
def test_listen_refuses_before_the_model_loads(talk, tmp_path, kind):
    """With a model path that does not exist, the calibration file is what listen names: it was
    checked first (and nothing was written)."""
    path, content = precious(tmp_path, kind, talk)
    proc = run_cli("listen", "--input", str(talk), "--model", str(tmp_path / "no-model.onnx"),
                   "--calibration", str(path), "-q")
    assert proc.returncode == 2 and proc.stderr.startswith(f"ser-edge: {path}: ")
    assert NOT_REPLACED in proc.stderr
    assert unchanged(path, content)


@pytest.mark.parametrize("quiet", [False, True], ids=["", "-q"])
@pytest.mark.parametrize("kind", ["recording", "text", "folder", "truncated-json"])
def test_classify_calibration_refuses_a_file_that_is_not_a_calibration_file(model, talk, tmp_path, kind,
                                                                            quiet):
    path, content = precious(tmp_path, kind, talk)
    proc = run_cli("classify", str(talk), "--model", str(model), "--calibration", str(path), "--json",
                   *(["-q"] if quiet else []))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == reset_message(model, path)
    assert unchanged(path, content)


def test_classify_calibration_of_a_missing_file_is_a_usage_error_before_the_model_loads(talk, tmp_path):
    missing = tmp_path / "missing.json"
    proc = run_cli("classify", str(talk), "--model", str(tmp_path / "no-model.onnx"), "--calibration",
                   str(missing))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == \
        f"ser-edge: {missing}: cannot read the calibration file (No such file or directory)"
    assert not missing.exists()


def test_listen_writes_nothing_until_it_learned_something(model, tmp_path):
    """No file at start-up, none after a run that heard no speech; an existing state stays byte for byte."""
    silent = write_wav(tmp_path / "silent.wav", np.zeros(2 * RATE, np.int16), RATE)
    state = tmp_path / "calibration.json"
    proc = run_cli("listen", "--input", str(silent), "--model", str(model), "--calibration", str(state))
    assert proc.returncode == 0, proc.stderr
    assert not state.exists()
    assert f"nothing new heard, {state} left as it was" in proc.stderr
    kept = Calibration(model_spec(model))  # a state with one utterance, saved by the API
    kept.update(tiny_calibration_prior()[0])
    kept.save(state)
    before = state.read_bytes()
    proc = run_cli("listen", "--input", str(silent), "--model", str(model), "--calibration", str(state), "-q")
    assert proc.returncode == 0 and proc.stderr == ""
    assert state.read_bytes() == before


def model_spec(model) -> CalibrationSpec:
    from ser_edge.model import EmotionModel

    return EmotionModel.load(model).calibration_spec


# --- the API ---------------------------------------------------------------------------------


def small_spec() -> CalibrationSpec:
    return CalibrationSpec(mean=(0.0, 1.0, -2.0), std=(1.0, 0.5, 2.0))


@pytest.mark.parametrize("kind", KINDS)
def test_api_save_and_open_refuse_a_file_that_is_not_a_calibration_file(talk, tmp_path, kind):
    path, content = precious(tmp_path, kind, talk)
    state = Calibration(small_spec())
    state.update(np.ones(3))
    with pytest.raises(CalibrationError) as saving:
        state.save(path)
    with pytest.raises(CalibrationError) as opening:
        Calibration.open(path, small_spec())
    for exc in (saving.value, opening.value):
        text = str(exc)
        assert text.startswith(f"{path}: ") and text.endswith(NOT_REPLACED) and "\n" not in text
    assert unchanged(path, content)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []  # no temp file left


def test_api_symlink_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "real.json"
    state = Calibration(small_spec())
    state.save(target)
    before = target.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(target)
    state.update(np.ones(3))
    with pytest.raises(CalibrationError, match="a symbolic link"):
        state.save(link)
    assert link.is_symlink() and target.read_bytes() == before
    assert Calibration.load(link, small_spec()).count == 0  # reading through a link is fine


def test_api_save_replaces_a_calibration_file_in_place_keeping_its_mode(tmp_path):
    path = tmp_path / "room.json"
    state = Calibration(small_spec())
    state.save(path)
    assert (path.stat().st_mode & 0o777) == 0o600  # a new file: the owner's only
    path.chmod(0o640)
    state.update(np.ones(3))
    state.save(path)
    assert (path.stat().st_mode & 0o777) == 0o640
    assert Calibration.load(path, small_spec()).count == 1
    assert [p.name for p in tmp_path.iterdir()] == ["room.json"]


def test_no_adapt_with_an_unusable_file_says_it_is_left_alone(model, talk, tmp_path):
    """Item 7: --no-adapt never saves, so its warning no longer says "the next save replaces the file"."""
    other = tiny_calibrated_model(tmp_path / "other.onnx", seed=3)
    state = tmp_path / "calibration.json"
    foreign = Calibration(model_spec(other))
    foreign.update(tiny_calibration_prior(seed=3)[0])
    foreign.save(state)
    before = state.read_bytes()
    proc = run_cli("listen", "--input", str(talk), "--json", "--model", str(model),
                   "--calibration", str(state), "--no-adapt")
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "made for another model" in warnings[0]
    assert warnings[0].endswith("; classifying uncalibrated (--no-adapt: the file is left as it is)")
    assert "next save" not in proc.stderr
    assert state.read_bytes() == before
