"""MQTT sink against a real Mosquitto on 127.0.0.1 (tests/broker.py), checked by a separate
paho subscriber: payloads of every topic, retained flags, the last will on SIGKILL, a broker
that is down at start or restarted mid-stream (bounded outbox, reconnect, dropped counts)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field

import pytest

from ser_edge.sinks import MqttOptions, MqttSink

from support.broker import Collector, Mosquitto, free_port, need_mosquitto, need_paho, wait_until

BASE = "ser_edge/test"
NODE = "ser_edge_test"
CONFIG_TOPIC = f"homeassistant/sensor/{NODE}/emotion/config"
FAST = dict(reconnect_min=0.05, reconnect_max=0.3, close_timeout=5.0)


@dataclass(frozen=True)
class FakeEvent:
    """Stands for ser_edge.stream.Event: anything with to_dict() is accepted."""

    start: float
    end: float
    label: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label,
                "confidence": self.confidence, "scores": self.scores}


def event(i: int, label: str = "calm") -> FakeEvent:
    return FakeEvent(float(i), i + 0.9, label, 0.6, {label: 0.6, "sad": 0.4})


@pytest.fixture()
def broker(tmp_path):
    need_paho()
    need_mosquitto()
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


@pytest.fixture()
def collector(broker):
    c = Collector(broker.port, persistent=True)
    yield c
    c.close()


def availability(c: Collector) -> list[str]:
    return [m.text for m in c.on(f"{BASE}/availability")]


def labels(c: Collector) -> list[str]:
    """Event labels in arrival order; a QoS 1 redelivery (the same payload again) counted once."""
    payloads = dict.fromkeys(m.payload for m in c.on(f"{BASE}/event"))
    return [json.loads(p)["label"] for p in payloads]


def test_event_state_availability_and_discovery_arrive(broker, collector, logs):
    sink = MqttSink(broker.url(BASE), MqttOptions(ha_discovery=True, **FAST))
    assert sink.wait_connected(10), broker.log()
    sink.emit(event(0, "angry"))
    sink.emit({"start": 1.0, "end": 2.0, "label": "happy", "confidence": 0.7, "scores": {"happy": 0.7}})
    assert sink.flush(10)
    events = collector.wait_count(f"{BASE}/event", 2)
    assert [m.json()["label"] for m in events] == ["angry", "happy"]
    first = events[0].json()
    assert {k: first[k] for k in ("start", "end", "confidence", "scores")} == \
        {"start": 0.0, "end": 0.9, "confidence": 0.6, "scores": {"angry": 0.6, "sad": 0.4}}
    assert first["time"].endswith("+00:00")
    assert collector.wait_count(f"{BASE}/state", 1)[-1].json()["label"] == "happy"
    assert collector.wait_count(f"{BASE}/availability", 1)[0].text == "online"
    config = collector.wait_count(CONFIG_TOPIC, 1)[0].json()
    assert (config["state_topic"], config["availability_topic"]) == (f"{BASE}/state", f"{BASE}/availability")
    assert config["unique_id"] == f"{NODE}_emotion" and config["device"]["identifiers"] == [NODE]

    sink.close({"duration": 2.0, "events": 2})
    summary = collector.wait_count(f"{BASE}/summary", 1)[0].json()
    assert summary == {"duration": 2.0, "events": 2}
    assert collector.wait_for(lambda c: availability(c) == ["online", "offline"])
    assert (sink.stats.published, sink.stats.dropped, sink.stats.reconnects) == (2, 0, 0)
    assert any(f"connected to mqtt://127.0.0.1:{broker.port}/{BASE}" in line for line in logs)

    sensors = [CONFIG_TOPIC.replace("/emotion/", f"/{name}/") for name in ("arousal", "valence")]
    late = Collector(broker.port, topics=(f"{BASE}/#", CONFIG_TOPIC, *sensors))  # sees only what is retained
    try:
        assert all(late.wait_count(topic, 1)[0].retain for topic in (CONFIG_TOPIC, *sensors))
        retained = {m.topic: m for m in late.wait_count(f"{BASE}/availability", 1) + late.on(f"{BASE}/state")}
        assert retained[f"{BASE}/availability"].text == "offline"
        state = retained[f"{BASE}/state"].json()
        assert set(state) == {"label", "confidence", "scores", "arousal", "valence", "time"}
        assert state["label"] == "happy" and state["arousal"] is None  # an event without them
        assert all(m.retain for m in retained.values())
        assert late.on(f"{BASE}/event") == [] and late.on(f"{BASE}/summary") == []
    finally:
        late.close()


PUBLISHER = textwrap.dedent("""
    import sys, time
    from ser_edge.sinks import MqttOptions, MqttSink
    sink = MqttSink(sys.argv[1], MqttOptions(keepalive=5))
    if not sink.wait_connected(10):
        sys.exit("not connected")
    sink.emit({"start": 0.0, "end": 1.5, "label": "angry", "confidence": 0.9, "scores": {"angry": 0.9}})
    sink.flush(10)
    print("published", flush=True)
    time.sleep(60)
""")


def test_last_will_says_offline_when_the_publisher_is_killed(broker, collector):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.Popen([sys.executable, "-c", PUBLISHER, broker.url(BASE)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "published", proc.stderr.read() if proc.poll() is not None else line
        assert collector.wait_count(f"{BASE}/event", 1)[0].json()["label"] == "angry"
        assert collector.wait_count(f"{BASE}/availability", 1)[0].text == "online"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert collector.wait_for(lambda c: availability(c) == ["online", "offline"])
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_broker_down_at_start_keeps_the_newest_events_and_counts_the_rest(tmp_path, logs):
    need_paho()
    broker = Mosquitto(tmp_path / "broker", port=free_port()).start()
    collector = Collector(broker.port, persistent=True)  # its session survives the broker's restart
    broker.stop()
    sink = MqttSink(broker.url(BASE, userinfo="user:hunter2@"), MqttOptions(outbox=4, **FAST))
    try:
        assert wait_until(lambda: sink.stats.failures >= 1)
        started = time.monotonic()
        for i in range(10):
            sink.emit(event(i, f"e{i}"))
        assert time.monotonic() - started < 1.0  # nothing waited for the network (a bound, not a speed test)
        assert (sink.stats.queued, sink.stats.dropped, sink.stats.connected) == (4, 6, False)
        broker.start()
        assert sink.wait_connected(10), broker.log()
        assert sink.flush(10)
        assert collector.wait_for(lambda c: labels(c) == ["e6", "e7", "e8", "e9"]), labels(collector)
        assert (sink.stats.published, sink.stats.dropped, sink.stats.reconnects) == (4, 6, 0)
    finally:
        sink.close()
        collector.close()
        broker.stop()
    assert any("cannot connect to mqtt://user:***@127.0.0.1" in line for line in logs)
    assert any("outbox full (4 events)" in line for line in logs)
    assert any("4 events published" in line and "6 dropped" in line for line in logs)
    assert not any("hunter2" in line for line in logs)


def test_broker_restarted_mid_stream_reconnects_and_reports_drops(broker, collector):
    sink = MqttSink(broker.url(BASE), MqttOptions(outbox=3, **FAST))
    try:
        assert sink.wait_connected(10)
        for i in range(3):
            sink.emit(event(i, f"e{i}"))
        assert sink.flush(10)
        broker.stop()
        assert wait_until(lambda: not sink.connected)
        for i in range(3, 8):
            sink.emit(event(i, f"e{i}"))  # e3, e4 fall out of the 3-event outbox
        assert (sink.stats.queued, sink.stats.dropped) == (3, 2)
        broker.start()
        assert wait_until(lambda: sink.stats.reconnects == 1), broker.log()
        assert sink.flush(10)
        expected = ["e0", "e1", "e2", "e5", "e6", "e7"]
        assert collector.wait_for(lambda c: labels(c) == expected), labels(collector)
        assert collector.wait_for(lambda c: c.on(f"{BASE}/state")[-1].json()["label"] == "e7")
        assert (sink.stats.published, sink.stats.dropped) == (6, 2)
        assert collector.wait_for(lambda c: availability(c)[-1] == "online")
    finally:
        sink.close()


def test_discovery_is_sent_again_when_home_assistant_comes_online(broker, collector):
    sink = MqttSink(broker.url(BASE), MqttOptions(ha_discovery=True, **FAST))
    try:
        assert sink.wait_connected(10)
        # the broker handled the sink's SUBSCRIBE to homeassistant/status before this PUBLISH
        assert len(collector.wait_count(CONFIG_TOPIC, 1)) == 1
        collector.client.publish("homeassistant/status", "online", qos=1)
        configs = collector.wait_count(CONFIG_TOPIC, 2)
        assert len(configs) == 2 and configs[0].payload == configs[1].payload
    finally:
        sink.close()
