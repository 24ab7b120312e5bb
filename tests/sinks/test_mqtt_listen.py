"""End to end: ``ser-edge listen --input WAV --mqtt URL --ha-discovery`` against a real Mosquitto on
127.0.0.1, checked by a separate subscriber; and ``listen`` with the broker down or restarted
mid-stream keeps classifying, reconnects and reports what it dropped."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from support.broker import Collector, Mosquitto, free_port, need_mosquitto, need_paho
from support.cli import cli_command, run_cli
from support.signals import noise, to_int16, utterance, write_wav

RATE = 16000
BASE = "ser_edge/test"
CONFIG_TOPIC = "homeassistant/sensor/ser_edge_test/emotion/config"


@pytest.fixture(scope="module")
def wired():
    need_paho()
    need_mosquitto()
    help_text = run_cli("listen", "--help").stdout
    if "--mqtt" not in help_text:
        pytest.skip("--mqtt is not wired into `ser-edge listen` yet (ser_edge.cli.listen.add_mqtt_options)")


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    """Three speech-like utterances with 1.5 s gaps (13.5 s at 16 kHz)."""
    gap = noise(1.5, RATE, -70.0, seed=7)
    x = np.concatenate([gap, utterance(RATE, 1), gap, utterance(RATE, 2), gap, utterance(RATE, 3), gap])
    return write_wav(tmp_path_factory.mktemp("talk") / "talk.wav", to_int16(x), RATE)


@pytest.fixture()
def broker(tmp_path, wired):
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def stdout_events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def mqtt_events(c: Collector) -> list[dict]:
    """Event payloads without their wall-clock time; a QoS 1 redelivery counted once."""
    unique = dict.fromkeys(m.payload for m in c.on(f"{BASE}/event"))
    return [{k: v for k, v in json.loads(p).items() if k != "time"} for p in unique]


def test_listen_publishes_events_state_availability_and_discovery(broker, talk):
    collector = Collector(broker.port)
    try:
        # synthetic voices: the seed model labels them (the default model hears no speech)
        proc = run_cli("listen", "--input", str(talk), "--json", "--model", "seed", "--mqtt",
                       broker.url(BASE), "--ha-discovery")
        assert proc.returncode == 0, proc.stderr
        printed = stdout_events(proc.stdout)
        assert len(printed) == 3
        assert collector.wait_for(lambda c: mqtt_events(c) == printed), (mqtt_events(collector), printed)
        state = collector.wait_count(f"{BASE}/state", 1)[-1].json()
        assert (state["label"], state["scores"]) == (printed[-1]["label"], printed[-1]["scores"])
        assert (state["arousal"], state["valence"]) == (printed[-1]["arousal"], printed[-1]["valence"])
        assert 0 <= state["arousal"] <= 1 and 0 <= state["valence"] <= 1
        online_offline = ["online", "offline"]
        assert collector.wait_for(lambda c: [m.text for m in c.on(f"{BASE}/availability")] == online_offline)
        config = collector.wait_count(CONFIG_TOPIC, 1)[0].json()
        assert config["state_topic"] == f"{BASE}/state"
        assert config["availability_topic"] == f"{BASE}/availability"
        for name in ("arousal", "valence"):
            sensor = collector.wait_count(CONFIG_TOPIC.replace("/emotion/", f"/{name}/"), 1)[0].json()
            assert sensor["unique_id"] == f"ser_edge_test_{name}" and sensor["state_topic"] == f"{BASE}/state"
        assert "3 events published" in proc.stderr and "0 dropped" in proc.stderr
    finally:
        collector.close()


def test_listen_with_the_broker_down_still_classifies_and_reports_drops(wired, talk):
    url = f"mqtt://user:hunter2@127.0.0.1:{free_port()}/{BASE}"
    proc = run_cli("listen", "--input", str(talk), "--json", "--model", "seed", "--mqtt", url)
    assert proc.returncode == 1, proc.stderr  # no event was delivered
    assert len(stdout_events(proc.stdout)) == 3
    assert "cannot connect to mqtt://user:***@127.0.0.1" in proc.stderr
    assert "0 events published" in proc.stderr and "3 dropped" in proc.stderr
    assert "hunter2" not in proc.stderr + proc.stdout


def test_listen_survives_a_broker_restart_mid_stream(broker, talk):
    collector = Collector(broker.port, persistent=True)
    proc = subprocess.Popen([*cli_command(), "listen", "--input", str(talk), "--realtime", "--json",
                             "--model", "seed", "--mqtt", broker.url(BASE)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # the first utterance ends at about 3.5 s of stream time
        assert line, proc.stderr.read() if proc.poll() is not None else "no event"
        first = json.loads(line)
        assert collector.wait_count(f"{BASE}/event", 1)
        broker.restart()
        out, err = proc.communicate(timeout=60)
        printed = [first, *stdout_events(out)]
        assert proc.returncode == 0, err
        assert len(printed) == 3
        assert collector.wait_for(lambda c: mqtt_events(c) == printed), (mqtt_events(collector), printed)
        assert "reconnected to" in err and "1 reconnects" in err and "3 events published" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        collector.close()
