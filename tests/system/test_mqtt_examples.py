"""The IoT examples run as users run them (subprocesses on a synthetic recording): the webhook
fires once when an emotion persists, the CSV log and its plot, publishing from a script to a
real Mosquitto on 127.0.0.1, and the systemd unit's command line is one `listen` accepts."""

from __future__ import annotations

import configparser
import csv
import http.server
import json
import shlex
import threading
from pathlib import Path

import pytest

from support.broker import Collector, Mosquitto, need_mosquitto, need_paho
from support.examples import EXAMPLES, load_example, run_example, same_three


@pytest.fixture(scope="module")
def same3(tmp_path_factory) -> Path:
    """The same speech-like utterance three times, 1.5 s gaps: three events with one label."""
    return same_three(tmp_path_factory.mktemp("ex") / "same3.wav")


def test_persistence_fires_once_per_run_of_the_label():
    tracker = load_example("react_to_emotion.py").Persistence("angry", 3, min_confidence=0.5)
    seq = [("angry", 0.9), ("angry", 0.9), ("angry", 0.4), ("angry", 0.9), ("angry", 0.9), ("angry", 0.9),
           ("angry", 0.9), ("sad", 0.9), ("angry", 0.9), ("angry", 0.9), ("angry", 0.9)]
    assert [i for i, (k, p) in enumerate(seq) if tracker.update(k, p)] == [5, 10]


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's spelling
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_react_to_emotion_calls_the_webhook_once_when_the_label_persists(same3):
    from ser_edge import EmotionClassifier
    from ser_edge.audio.read import read_audio
    from ser_edge.stream import timeline

    # same3 is a synthetic voice: the seed model labels it (the default model hears no speech)
    labels = [e.label for e in timeline(EmotionClassifier.load("seed"), *read_audio(str(same3)))]
    assert len(labels) == 3 and len(set(labels)) == 1, labels
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        proc = run_example("react_to_emotion.py", "--input", str(same3), "--model", "seed",
                           "--label", labels[0], "--persist", "3", "--webhook", url)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("TRIGGER") == 1 and "GPIO" not in proc.stdout  # no --gpio: no GPIO lines
    assert len(_Hook.received) == 1
    hook = _Hook.received[0]
    assert (hook["trigger"], hook["count"], hook["label"]) == (labels[0], 3, labels[0])
    assert hook["start"] == pytest.approx(10.0, abs=0.1)  # the third utterance


def test_csv_log_and_plot(same3, tmp_path):
    out = tmp_path / "emotions.csv"
    proc = run_example("log_emotions_csv.py", str(out), "--input", str(same3), "--model", "seed")
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and "3 events appended" in proc.stderr
    assert list(rows[0])[:6] == ["time", "source", "start", "end", "label", "confidence"]
    assert all(abs(sum(float(v) for k, v in r.items() if k.startswith("p_")) - 1) < 0.01 for r in rows)
    text = run_example("plot_emotions.py", str(out), "--text")
    assert text.returncode == 0, text.stderr
    header, *table = text.stdout.splitlines()
    assert header.split()[1:] == sorted({r["label"] for r in rows})  # one label here: no ties in order
    assert sum(int(n) for line in table for n in line.split()[1:]) == 3  # a replay: "same3.wav" then counts
    pytest.importorskip("matplotlib", reason="matplotlib (optional) is not installed")
    png = tmp_path / "emotions.png"
    plot = run_example("plot_emotions.py", str(out), "-o", str(png))
    assert plot.returncode == 0, plot.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mqtt_publish_example_reaches_a_real_broker(same3, tmp_path):
    need_paho()
    need_mosquitto()
    broker = Mosquitto(tmp_path / "broker").start()
    collector = Collector(broker.port)
    try:
        proc = run_example("mqtt_publish.py", broker.url("example"), "--input", str(same3), "--model", "seed",
                           "--ha-discovery")
        assert proc.returncode == 0, proc.stderr
        assert len(collector.wait_count("example/event", 3)) == 3
        assert collector.wait_count("example/summary", 1)[0].json()["events"] == 3
        assert collector.wait_count("homeassistant/sensor/example/emotion/config", 1)
    finally:
        collector.close()
        broker.stop()


def test_service_unit_runs_listen_with_mqtt_options():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(EXAMPLES / "ser-edge.service")
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0].endswith("/ser-edge") and argv[1] == "listen" and "--mqtt" in argv
    assert unit["Service"]["KillSignal"] == "SIGTERM" and unit["Install"]["WantedBy"] == "multi-user.target"
    from ser_edge.cli.main import build_parser

    try:
        args = build_parser().parse_args(argv[1:])
    except SystemExit:
        pytest.skip("--mqtt is not wired into `ser-edge listen` yet")
    assert args.ha_discovery and str(args.mqtt).startswith("mqtt://homeassistant.local:1883/")


def test_service_unit_runs_numpy_with_one_openblas_thread():
    # v2.md recommendation 1: the spinning second OpenBLAS thread doubled window mode's CPU.
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(EXAMPLES / "ser-edge.service")
    assert unit["Service"]["Environment"] == "OPENBLAS_NUM_THREADS=1"
