"""Speaker calibration on the command line, end to end through the real ``ser-edge`` command
with the tiny calibrated fixture model (issue 15): classify --calibrate, listen --calibrate
--calibration FILE (save, resume, SIGTERM, another model's file), calibration
show|reset, and the usage errors of a model without calibration."""

from __future__ import annotations

import json
import signal
import subprocess

import numpy as np
import pytest

pytest.importorskip("onnx")

from ser_edge.calibration import Calibration  # noqa: E402
from ser_edge.config import CalibrationSpec  # noqa: E402

from support.cli import cli_command, run_cli  # noqa: E402
from support.frames_signals import SR, read_example_16k, speech_files  # noqa: E402
from support.onnx_fixtures import tiny_calibrated_model  # noqa: E402
from support.signals import to_int16, write_wav  # noqa: E402

#: Utterances in talk.wav: the two example recordings three times, 1 s of silence after each.
TALK_UTTERANCES = 6


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The calibrated fixture model and another one (another prior: another fingerprint)."""
    folder = tmp_path_factory.mktemp("calibrated")
    return tiny_calibrated_model(folder / "cal.onnx"), tiny_calibrated_model(folder / "other.onnx", seed=3)


@pytest.fixture(scope="module")
def audio(tmp_path_factory):
    """name -> WAV: the two recordings (s0, s1) and talk.wav (both, three times, with gaps)."""
    folder = tmp_path_factory.mktemp("calibration-audio")
    speech = [read_example_16k(path) for path in speech_files()[:2]]
    gap = np.zeros(SR)
    talk = np.concatenate([part for _ in range(3) for x in speech for part in (x, gap)])
    out = {f"s{i}": write_wav(folder / f"s{i}.wav", to_int16(x), SR) for i, x in enumerate(speech)}
    out["talk"] = write_wav(folder / "talk.wav", to_int16(talk), SR)
    return out


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def _count(path) -> int:
    return json.loads(path.read_text())["count"]


def _listen(model, audio, state, *extra: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    proc = run_cli("listen", "--input", str(audio["talk"]), "--json", "--model", str(model),
                   "--calibration", str(state), *extra)
    assert proc.returncode == 0, proc.stderr
    return proc, _json_lines(proc.stdout)


def test_classify_calibrate_gathers_first_then_classifies_frozen(models, audio, tmp_path):
    missing = tmp_path / "missing.wav"
    proc = run_cli("classify", "--calibrate", "--json", "--model", str(models[0]), str(audio["s0"]),
                   str(missing), str(audio["s1"]))
    assert proc.returncode == 1  # one input failed, the others were classified
    rows = {row["file"]: row for row in _json_lines(proc.stdout)}
    assert rows[str(missing)] == {"file": str(missing), "error": f"{missing}: no such file"}
    for name in ("s0", "s1"):  # both with the statistics of both files (frozen: not 1 then 2)
        assert rows[str(audio[name])]["calibration"] == 2 and rows[str(audio[name])]["speech"] is True
    assert proc.stderr.count(str(missing)) == 1  # its error once, not once per pass
    assert "calibration: statistics from 2 utterances (2 in 2 of 3 files)" in proc.stderr


def test_classify_calibrate_changes_the_scores(models, audio):
    """The fixture's calibrated output is mixed in once the statistics come from utterances that
    differ (two recordings); one utterance says nothing of their spread (weight 0): the scores
    stay as they were."""
    files = [str(audio["s0"]), str(audio["s1"])]
    plain = run_cli("classify", "--json", "--model", str(models[0]), *files)
    one = run_cli("classify", "--calibrate", "--json", "--model", str(models[0]), files[0])
    two = run_cli("classify", "--calibrate", "--json", "--model", str(models[0]), *files)
    assert plain.returncode == one.returncode == two.returncode == 0, plain.stderr + one.stderr + two.stderr
    before, alone, after = (_json_lines(p.stdout)[0] for p in (plain, one, two))
    assert "calibration" not in before and alone["calibration"] == 1 and after["calibration"] == 2
    assert alone["scores"] == before["scores"]
    assert before["scores"] != after["scores"]


def test_classify_calibrate_timeline(models, audio):
    proc = run_cli("classify", "--calibrate", "--timeline", "--json", "--model", str(models[0]),
                   str(audio["talk"]))
    assert proc.returncode == 0, proc.stderr
    events = _json_lines(proc.stdout)
    assert len(events) == TALK_UTTERANCES
    assert {e["calibration"] for e in events} == {TALK_UTTERANCES}  # gathered first, then frozen


def test_classify_calibration_file_read_only(models, audio, tmp_path):
    state = tmp_path / "state.json"
    _listen(models[0], audio, state)
    before = state.read_bytes()
    proc = run_cli("classify", "--calibration", str(state), "--json", "--model", str(models[0]),
                   str(audio["s0"]), str(audio["s1"]))
    assert proc.returncode == 0, proc.stderr
    assert [row["calibration"] for row in _json_lines(proc.stdout)] == [TALK_UTTERANCES] * 2
    assert state.read_bytes() == before


def test_listen_saves_on_exit_and_a_second_run_resumes(models, audio, tmp_path):
    state = tmp_path / "calibration.json"
    first, events = _listen(models[0], audio, state)
    assert [e["calibration"] for e in events] == list(range(TALK_UTTERANCES))  # learns as it listens
    assert _count(state) == TALK_UTTERANCES
    assert f"calibration: 6 utterances, saved to {state}" in first.stderr
    second, events = _listen(models[0], audio, state)
    assert events[0]["calibration"] == TALK_UTTERANCES  # resumed from the file
    assert _count(state) == 2 * TALK_UTTERANCES
    assert f"calibration: 6 utterances from {state}" in second.stderr


def test_listen_no_adapt_uses_the_file_frozen(models, audio, tmp_path):
    state = tmp_path / "calibration.json"
    _listen(models[0], audio, state)
    before = state.read_bytes()
    _, events = _listen(models[0], audio, state, "--no-adapt")
    assert {e["calibration"] for e in events} == {TALK_UTTERANCES}
    assert state.read_bytes() == before


def test_listen_calibrate_in_memory_writes_nothing(models, audio, tmp_path):
    proc = run_cli("listen", "--input", str(audio["talk"]), "--json", "--model", str(models[0]),
                   "--calibrate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [e["calibration"] for e in _json_lines(proc.stdout)] == list(range(TALK_UTTERANCES))
    assert list(tmp_path.iterdir()) == []


def test_listen_another_models_file_warns_and_starts_fresh(models, audio, tmp_path):
    state = tmp_path / "calibration.json"
    _listen(models[1], audio, state)  # a state saved for the other model (another fingerprint)
    proc, events = _listen(models[0], audio, state)
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "made for another model" in warnings[0]
    assert "starting a fresh calibration" in warnings[0]
    assert "Traceback" not in proc.stderr
    assert events[0]["calibration"] == 0  # fresh
    assert _count(state) == TALK_UTTERANCES  # replaced by this model's state
    assert Calibration.load(state, _spec(models[0])).count == TALK_UTTERANCES


def _spec(model) -> CalibrationSpec:
    from ser_edge.model import EmotionModel

    return EmotionModel.load(model).calibration_spec


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_listen_saves_when_stopped_by_a_signal(models, audio, tmp_path, signum):
    state = tmp_path / "calibration.json"
    proc = subprocess.Popen([*cli_command(), "listen", "--input", str(audio["talk"]), "--realtime", "--json",
                             "--model", str(models[0]), "--calibration", str(state)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = json.loads(proc.stdout.readline())  # the first utterance was heard
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    heard = 1 + len(out.splitlines())
    assert first["calibration"] == 0 and heard < TALK_UTTERANCES  # stopped early
    assert _count(state) == heard


def test_calibration_show_and_reset(models, audio, tmp_path):
    state = tmp_path / "calibration.json"
    _listen(models[0], audio, state)
    show = run_cli("calibration", "show", str(state), "--model", str(models[0]))
    assert show.returncode == 0, show.stderr
    lines = show.stdout.splitlines()
    assert lines[0].startswith(f"{state}: 6 utterances, updated 20")
    assert "matches" in lines[1] and lines[2].startswith("speech heard: mean F0 ")
    shown = run_cli("calibration", "show", str(state), "--json", "--model", str(models[0]))
    info = json.loads(shown.stdout)
    assert (info["count"], info["matches"], info["active"]) == (TALK_UTTERANCES, True, True)
    assert 60 < info["f0_hz"]["heard"] < 400  # the two example voices
    reset = run_cli("calibration", "reset", str(state), "--model", str(models[0]))
    assert reset.returncode == 0, reset.stderr
    assert _count(state) == 0
    assert "nothing heard yet" in run_cli("calibration", "show", str(state), "--model", str(models[0])).stdout


def test_calibration_reset_creates_a_missing_file(models, tmp_path):
    state = tmp_path / "new.json"
    proc = run_cli("calibration", "reset", str(state), "--model", str(models[0]))
    assert proc.returncode == 0, proc.stderr
    assert Calibration.load(state, _spec(models[0])).count == 0


def test_calibration_show_bad_files(models, audio, tmp_path):
    corrupt, foreign = tmp_path / "corrupt.json", tmp_path / "foreign.json"
    corrupt.write_text("not json")
    _listen(models[1], audio, foreign)
    for path, expected in ((corrupt, "not JSON"), (foreign, "made for another model")):
        proc = run_cli("calibration", "show", str(path), "--model", str(models[0]))
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and expected in proc.stderr and str(path) in proc.stderr
    proc = run_cli("calibration", "reset", str(corrupt), "--model", str(models[0]))
    assert proc.returncode == 1 and "not replaced" in proc.stderr
    assert corrupt.read_text() == "not json"  # another kind of file is never overwritten


@pytest.mark.parametrize("args", [
    ["listen", "--input", "{wav}", "--calibrate"],
    ["listen", "--input", "{wav}", "--calibration", "{state}"],
    ["classify", "--calibrate", "{wav}"],
    ["calibration", "show", "{state}"],
], ids=["listen--calibrate", "listen--calibration", "classify--calibrate", "calibration-show"])
def test_a_model_without_calibration_is_a_usage_error(audio, tmp_path, args):
    state = tmp_path / "calibration.json"
    argv = [a.format(wav=audio["s0"], state=state) for a in args]
    proc = run_cli(*argv, "--model", "seed")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "needs a model with speaker calibration; model seed has none" \
        in proc.stderr
    assert proc.stdout == "" and not state.exists()


@pytest.mark.parametrize("args, expected", [
    (["--no-adapt"], "--no-adapt needs --calibration FILE"),
    (["--calibration", "{tmp}/missing/state.json"], "does not exist"),
    (["--calibration", "{tmp}"], "a folder, not a ser-edge calibration file; not replaced"),
])
def test_listen_calibration_usage_errors(models, audio, tmp_path, args, expected):
    argv = [a.format(tmp=tmp_path) for a in args]
    proc = run_cli("listen", "--input", str(audio["s0"]), "--model", str(models[0]), *argv)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and expected in proc.stderr


def test_calibration_show_says_one_utterance_in_the_singular(models, tmp_path):
    # It said "1 utterances".
    state = tmp_path / "one.json"
    calibration = Calibration(_spec(models[0]))
    calibration.update(np.zeros(calibration.spec.n_statistics))
    calibration.save(state)
    shown = run_cli("calibration", "show", str(state), "--model", str(models[0]))
    assert shown.returncode == 0 and shown.stdout.startswith(f"{state}: 1 utterance, updated"), shown.stdout
