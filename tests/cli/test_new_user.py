"""What a new user tripped over (issue 22, items 3 and 7-14), each run as the user ran it: the
real ``ser-edge`` command in a subprocess."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from ser_edge.model import EmotionModel

from support.cli import cli_command, run_cli


def test_info_says_which_speakers_each_shipped_model_heard():
    """Item 3: the seed model was trained on every RAVDESS actor; info says so, from its record."""
    seed = run_cli("info", "--model", "seed")
    assert seed.returncode == 0, seed.stderr
    assert "heard      trained on all 24 RAVDESS actors and both TESS speakers: no RAVDESS figure is a test" \
        in seed.stdout.splitlines()
    v2 = run_cli("info", "--model", "v2")
    speakers = EmotionModel.load("v2").spec.training["data"]["speakers"]
    line = next(x for x in v2.stdout.splitlines() if x.startswith("heard"))
    assert f"({len(speakers)} speakers)" in line and "RAVDESS actors 1–18" in line
    assert "only RAVDESS actors 19–24 are new to it" in line
    assert json.loads(run_cli("info", "--model", "seed", "--json").stdout)["heard"].startswith(
        "trained on all 24 RAVDESS actors")


def blocked(tmp_path, *modules: str) -> dict[str, str]:
    """The environment of a machine without these optional packages: importing them fails."""
    folder = tmp_path / "blocked"
    for name in modules:
        target = folder / name.replace(".", "/") / "__init__.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"raise ImportError('{name} is blocked for this test')\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}


def test_a_wrong_model_name_names_the_shipped_ones(tmp_path):
    """Item 8: --model int16 said only "int16: model file not found"."""
    wav = str(tmp_path / "x.wav")
    for argv in (["classify", wav], ["info"], ["listen", "--input", wav], ["calibration", "show", wav]):
        proc = run_cli(*argv, "--model", "int16")
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr == ("ser-edge: --model int16: no such model file, and not the name of a shipped "
                               "model: expected a path to an .onnx file or one of int8, v2, v2-int8, seed, "
                               "seed-int8\n")


@pytest.mark.parametrize(("argv", "blocked_modules", "line"), [
    (["devices"], ["sounddevice"], "devices: the optional package 'sounddevice' is not installed: "
                                   "pip install 'ser-edge[mic]'"),
    (["devices", "--json"], ["sounddevice"], "devices: the optional package 'sounddevice'"),
    (["listen"], ["sounddevice"], "listen: the microphone: the optional package 'sounddevice' is not "
                                  "installed: pip install 'ser-edge[mic]'"),
    (["listen", "--input", "{wav}", "--mqtt", "mqtt://127.0.0.1/t"], ["paho"],
     "listen: --mqtt: the optional package 'paho-mqtt' is not installed: pip install 'ser-edge[mqtt]'"),
    (["classify", "--timeline", "--plot", "{tmp}/x.png", "{wav}"], ["matplotlib"],
     "--plot: the optional package 'matplotlib' is not installed: pip install 'ser-edge[plot]'"),
], ids=["devices", "devices--json", "listen-mic", "listen--mqtt", "classify--plot"])
def test_a_missing_extra_is_one_line_and_exit_2_everywhere(tmp_path, argv, blocked_modules, line):
    """Item 10: --plot exited 2, devices and listen 1; now all 2 (usage: fix the install or the
    command, DESIGN.md), before any model loads (the model named here does not exist)."""
    wav = tmp_path / "x.wav"
    wav.write_bytes(b"")
    args = [a.format(wav=wav, tmp=tmp_path) for a in argv]
    proc = run_cli(*args, env=blocked(tmp_path, *blocked_modules))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"ser-edge: {line}") and proc.stderr.count("\n") == 1, proc.stderr


def test_devices_without_any_input_device(tmp_path):
    """Item 11: no device was a warning and exit 0, and --json printed nothing. Now: one line, exit 1
    (as listen on the microphone), and --json prints an empty JSON array. A fake sounddevice with
    no device stands for the machine."""
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text(
        "default = type('D', (), {'device': [-1, -1]})()\n"
        "def query_hostapis():\n    return [{'name': 'ALSA'}]\n"
        "def query_devices():\n    return []\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")])}
    text = run_cli("devices", env=env)
    assert (text.returncode, text.stdout, text.stderr) == (1, "", "ser-edge: no audio input device found\n")
    as_json = run_cli("devices", "--json", env=env)
    assert (as_json.returncode, as_json.stderr) == (1, "ser-edge: no audio input device found\n")
    assert json.loads(as_json.stdout) == []


# --- items 9, 12, 13: results and what -v says ------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "audio"
RAVDESS = EXAMPLES / "ravdess-actor05-neutral.wav"  # ships with the project (examples/audio/README.md)


def test_a_too_short_clip_says_so():
    """Item 9: 0.1 s cut from a real utterance said "(no speech)"; the label stays null (nothing
    could be judged) and "reason": "too short" says why. A long silence has no reason."""
    sf = pytest.importorskip("soundfile")
    x, rate = sf.read(str(RAVDESS))
    loudest = int(np.argmax(np.abs(x)))
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "clip.wav"
        sf.write(str(clip), x[loudest - rate // 20: loudest + rate // 20], rate)
        silence = Path(folder) / "silence.wav"
        sf.write(str(silence), np.zeros(2 * rate), rate)
        as_json = run_cli("classify", "--json", str(clip), str(silence))
        text = run_cli("classify", str(clip))
        timeline = run_cli("classify", "--timeline", "--json", str(clip))
    assert as_json.returncode == text.returncode == timeline.returncode == 0, as_json.stderr
    short, quiet = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert (short["label"], short["speech"], short["duration"]) == (None, False, 0.1)
    assert short["reason"] == "too short"
    assert quiet["label"] is None and quiet["speech"] is False and "reason" not in quiet
    assert text.stdout.split("  ") == [str(clip), "(too short)\n"]
    assert json.loads(timeline.stdout) == {"file": str(clip), "label": None, "speech": False, "arousal": None,
                                           "valence": None, "reason": "too short"}


def decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def test_one_layout_per_format_across_classify_timeline_and_listen():
    """Item 12: the same fields and decimals in JSON, the same columns in text."""
    whole = json.loads(run_cli("classify", "--json", str(RAVDESS)).stdout)
    event = json.loads(run_cli("classify", "--timeline", "--json", str(RAVDESS)).stdout)
    heard = json.loads(run_cli("listen", "--input", str(RAVDESS), "--json").stdout)
    shared = ["label", "confidence", "scores", "speech", "arousal", "valence"]
    assert list(whole) == ["file", *shared, "duration"]
    assert list(event) == ["file", "start", "end", *shared]
    assert list(heard) == ["start", "end", *shared]
    for row in (whole, event, heard):
        assert max(decimals(p) for p in [row["confidence"], row["arousal"], row["valence"],
                                         *row["scores"].values()]) <= 4
        assert max(decimals(row[k]) for k in ("start", "end", "duration") if k in row) <= 3
    assert max(decimals(p) for p in whole["scores"].values()) == 4  # it printed 6
    text = run_cli("classify", str(RAVDESS)).stdout.rstrip("\n")
    timeline = run_cli("classify", "--timeline", str(RAVDESS)).stdout.rstrip("\n")
    live = run_cli("listen", "--input", str(RAVDESS)).stdout.rstrip("\n")
    cells = (r"\w+\s+[01]\.\d\d  \(\w+ [01]\.\d\d, \w+ [01]\.\d\d\)"  # label, confidence, next two
             r"\s+arousal [01]\.\d\d valence [01]\.\d\d")
    assert re.fullmatch(rf"\s*[\d.]+-\s*[\d.]+ s  {cells}", live), live
    assert timeline == f"{RAVDESS}  {live}"  # the file column, then listen's line
    assert re.fullmatch(rf"{re.escape(str(RAVDESS))}  {cells}", text), text


def on_a_terminal(*argv: str) -> str:
    """stdout of ``ser-edge ARGV`` written to a pseudo-terminal (stderr piped away)."""
    main, side = pty.openpty()
    try:
        proc = subprocess.run([*cli_command(), *argv], stdout=side, stderr=subprocess.DEVNULL, timeout=120)
        os.close(side)
        side = -1
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main)
        if side != -1:
            os.close(side)
    assert proc.returncode == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_header_on_a_terminal_and_none_in_a_pipe():
    """Item 12: classify printed its header into pipes, --timeline and listen never had one."""
    headers = {
        ("classify",): r"FILE\s+LABEL\s+CONF  \(NEXT\)",
        ("classify", "--timeline"): r"FILE\s+START-\s+END s  LABEL\s+CONF  \(NEXT\)",
        ("listen", "--input"): r"\s+START-\s+END s  LABEL\s+CONF  \(NEXT\)",
    }
    for argv, header in headers.items():
        lines = on_a_terminal(*argv, str(RAVDESS)).splitlines()
        assert re.fullmatch(header, lines[0]) and len(lines) == 2, lines
        piped = run_cli(*argv, str(RAVDESS)).stdout.splitlines()
        assert piped == lines[1:]


def test_timeline_text_says_calibrated_on_n(tmp_path):
    """Item 12: --timeline text had no "calibrated on N" (listen's text and classify's had)."""
    pytest.importorskip("onnx")
    from support.onnx_fixtures import tiny_calibrated_model

    model = tiny_calibrated_model(tmp_path / "cal.onnx")
    proc = run_cli("classify", "--timeline", "--calibrate", "--model", str(model), str(RAVDESS))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip("\n").endswith("  calibrated on 1"), proc.stdout


def test_verbose_says_what_a_user_wants_to_know():
    """Item 13: -v and -vv added nothing to classify or listen."""
    plain = run_cli("classify", str(RAVDESS))
    assert plain.returncode == 0 and plain.stderr == ""
    verbose = run_cli("classify", "-v", str(RAVDESS)).stderr.splitlines()
    assert re.fullmatch(r"ser-edge: model .*ser_edge\.onnx \(\d+ KiB\): frames16k frontend at 16000 Hz, "
                        r"polyphase resampler; loaded in [\d.]+ s", verbose[0]), verbose
    assert re.fullmatch(rf"ser-edge: {re.escape(str(RAVDESS))}: 3\.64 s at 48000 Hz, resampled to 16000 Hz "
                        r"\(polyphase\); speech found; classified in [\d.]+ s", verbose[1]), verbose
    seed = run_cli("classify", "-v", "--model", "seed", str(RAVDESS)).stderr
    assert "mfcc_mean frontend at 22050 Hz, kaiser_fast resampler" in seed
    listen = run_cli("listen", "-vv", "--input", str(RAVDESS)).stderr
    for needle in ("ONNX Runtime: 1 intra-op thread(s)", "decided at", "of real time)",
                   "48000 Hz, resampled to 16000 Hz (polyphase); utterance mode"):
        assert needle in listen, listen
    assert run_cli("listen", "-q", "--input", str(RAVDESS)).stderr == ""
