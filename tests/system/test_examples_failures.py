"""The scripts in examples/ when something is missing (issue 22, items 4-6), run as users run
them (subprocesses): no microphone, no extra, no broker give one line and a non-zero status,
never a traceback; mqtt_publish.py counts what the broker acknowledged; react_to_emotion.py
says nothing about GPIO unless --gpio was given. A fake sounddevice module with no device
stands for a machine without a microphone, a module that fails to import for a missing extra."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.broker import Collector, Mosquitto, free_port, need_mosquitto, need_paho
from support.examples import EXAMPLES
from support.paths import ROOT

#: A real recording that ships with the project: one utterance, one event with the default model.
RECORDING = ROOT / "examples" / "audio" / "ravdess-actor05-neutral.wav"
NO_DEVICE = ("default = type('D', (), {'device': [-1, -1]})()\n"
             "def query_hostapis():\n    return [{'name': 'ALSA'}]\n"
             "def query_devices():\n    return []\n")


def run(name: str, *args: str, shadow: dict[str, str] | None = None, cwd: Path | None = None,
        folder: Path | None = None) -> subprocess.CompletedProcess:
    """``examples/<name> ARGS`` with this interpreter; ``shadow``: module name -> source of a
    module put first on the path (a fake device, or ``raise ImportError`` for a missing extra)."""
    paths = [p for p in sys.path if p]
    if shadow:
        for module, source in shadow.items():
            target = folder / module.replace(".", "/") / "__init__.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source)
        paths.insert(0, str(folder))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                          timeout=180, env=env, cwd=cwd)


def one_line(proc: subprocess.CompletedProcess, prefix: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), proc.stderr
    return lines[0]


@pytest.mark.parametrize("name", ["log_emotions_csv.py", "react_to_emotion.py", "mqtt_publish.py"])
def test_no_microphone_is_one_line_and_exit_1(tmp_path, name):
    if name == "mqtt_publish.py":
        need_paho()
    args = {"log_emotions_csv.py": [str(tmp_path / "day.csv")], "react_to_emotion.py": [],
            "mqtt_publish.py": [f"mqtt://127.0.0.1:{free_port()}/t"]}[name]
    proc = run(name, *args, shadow={"sounddevice": NO_DEVICE}, folder=tmp_path / "fake")
    assert proc.returncode == 1
    if name == "mqtt_publish.py":  # the device line, then what was delivered: nothing
        assert proc.stderr.splitlines()[0] == "mqtt_publish.py: no audio input device found", proc.stderr
    else:
        assert one_line(proc, name) == f"{name}: no audio input device found"
    assert not (tmp_path / "day.csv").exists()  # nothing written without a source


@pytest.mark.parametrize("name", ["log_emotions_csv.py", "react_to_emotion.py"])
def test_no_mic_extra_is_one_line_naming_it_and_exit_2(tmp_path, name):
    args = [str(tmp_path / "day.csv")] if name == "log_emotions_csv.py" else []
    proc = run(name, *args, shadow={"sounddevice": "raise ImportError('blocked')\n"}, folder=tmp_path / "b")
    assert proc.returncode == 2
    assert one_line(proc, name) == (f"{name}: the optional package 'sounddevice' is not installed: "
                                    "pip install 'ser-edge[mic]'")


def test_mqtt_publish_without_paho_is_one_line_naming_the_extra(tmp_path):
    proc = run("mqtt_publish.py", "mqtt://127.0.0.1/t", "--input", str(RECORDING),
               shadow={"paho": "raise ImportError('blocked')\n"}, folder=tmp_path / "b")
    assert proc.returncode == 2
    assert one_line(proc, "mqtt_publish.py") == ("mqtt_publish.py: the optional package 'paho-mqtt' is not "
                                                 "installed: pip install 'ser-edge[mqtt]'")


def test_mqtt_publish_without_a_broker_says_nothing_was_delivered_and_exits_1():
    """It printed "published 0, dropped 0" and exited 0."""
    need_paho()
    url = f"mqtt://127.0.0.1:{free_port()}/t"  # nothing listens there
    proc = run("mqtt_publish.py", url, "--input", str(RECORDING))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == (f"delivered 0 of 1 events to {url} (acknowledged by the broker), "
                                            "1 dropped (the broker was never reached)")


def test_mqtt_publish_counts_what_a_real_broker_acknowledged(tmp_path):
    """It printed "published 0" for each event although the broker received them."""
    need_paho()
    need_mosquitto()
    broker = Mosquitto(tmp_path / "broker").start()
    collector = Collector(broker.port)
    try:
        proc = run("mqtt_publish.py", broker.url("ex"), "--input", str(RECORDING))
        received = collector.wait_count("ex/event", 1)
    finally:
        collector.close()
        broker.stop()
    assert proc.returncode == 0, proc.stderr
    assert len(received) == 1
    assert proc.stderr.splitlines()[-1] == (f"delivered 1 of 1 events to {broker.url('ex')} (acknowledged by "
                                            "the broker), 0 dropped")


def test_react_to_emotion_prints_no_gpio_lines_unless_asked(tmp_path):
    """It printed "[dry run] GPIO - -> on/off" with --webhook alone."""
    from ser_edge import EmotionClassifier
    from ser_edge.audio.read import read_audio
    from ser_edge.stream import timeline

    label = timeline(EmotionClassifier.load(), *read_audio(str(RECORDING)))[0].label  # what it will hear
    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: one "webhook failed" line
    argv = ["--input", str(RECORDING), "--persist", "1", "--label", label]
    plain = run("react_to_emotion.py", *argv, "--webhook", url)
    assert plain.returncode == 0, plain.stderr
    assert "TRIGGER" in plain.stdout and "GPIO" not in plain.stdout + plain.stderr
    asked = run("react_to_emotion.py", *argv, "--gpio", "17",
                shadow={"gpiozero": "raise ImportError('no gpiozero here')\n"}, folder=tmp_path / "b")
    assert asked.returncode == 0, asked.stderr
    assert "GPIO 17 unavailable" in asked.stderr and "[dry run] GPIO 17 -> on" in asked.stdout
