"""MQTT sink without a broker: URLs and redaction, options, HA discovery payload,
the missing extra, and that emit() never waits for the network (a fake client that hangs)."""

from __future__ import annotations

import json
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from ser_edge.errors import MissingExtraError
from ser_edge.sinks import homeassistant as ha
from ser_edge.sinks.config import (
    ENV_PASSWORD,
    ENV_USERNAME,
    MqttError,
    MqttOptions,
    MqttUrl,
    load_paho,
    redact,
)
from ser_edge.sinks.mqtt import MqttSink

SECRET = "s3cr:t p@ss"
SECRET_URL = "mqtt://sensor:s3cr%3At%20p%40ss@broker.local:1884/home/kitchen"


def test_url_defaults_and_parts():
    url = MqttUrl.parse("mqtt://localhost", env={})
    assert (url.scheme, url.host, url.port, url.base, url.username, url.password, url.tls) == \
        ("mqtt", "localhost", 1883, "ser_edge", None, None, False)
    tls = MqttUrl.parse("mqtts://[::1]/a/b/", env={})
    assert (tls.host, tls.port, tls.base, tls.tls) == ("::1", 8883, "a/b", True)
    assert str(tls) == "mqtts://[::1]:8883/a/b"


def test_url_credentials_are_decoded_but_never_shown():
    url = MqttUrl.parse(SECRET_URL, env={})
    assert (url.username, url.password, url.port, url.base) == ("sensor", SECRET, 1884, "home/kitchen")
    for shown in (str(url), repr(url), url.redacted()):
        assert "s3cr" not in shown and "sensor:***@broker.local" in shown
    assert redact(SECRET_URL) == "mqtt://sensor:***@broker.local:1884/home/kitchen"


def test_credentials_from_environment_only_when_url_has_none():
    env = {ENV_USERNAME: "envuser", ENV_PASSWORD: "envpass"}
    assert (MqttUrl.parse("mqtt://h/x", env=env).username, MqttUrl.parse("mqtt://h/x", env=env).password) == \
        ("envuser", "envpass")
    assert MqttUrl.parse(SECRET_URL, env=env).password == SECRET
    with pytest.raises(MqttError, match="needs a user name"):
        MqttUrl.parse("mqtt://h/x", env={ENV_PASSWORD: "p"})


@pytest.mark.parametrize("bad, expected", [
    ("http://u:hunter2@h/x", "expected the scheme mqtt:// or mqtts://, got http://"),
    ("mqtt:///x", "expected a host name"),
    ("mqtt://u:hunter2@h:99999/x", "out of range"),
    ("mqtt://u:hunter2@h/x/#", "no '?' or '#'"),
    ("mqtt://u:hunter2@h/x/+/y", "may not contain"),
    ("mqtt://u:hunter2@h/x?qos=2", "no '?'"),
])
def test_bad_urls_name_the_problem_and_hide_the_password(bad, expected):
    with pytest.raises(MqttError) as info:
        MqttUrl.parse(bad, env={})
    assert expected in str(info.value)
    assert "hunter2" not in str(info.value)


def test_options_are_checked(tmp_path):
    with pytest.raises(MqttError, match="outbox >= 1"):
        MqttOptions(outbox=0)
    with pytest.raises(MqttError, match="reconnect_min <= reconnect_max"):
        MqttOptions(reconnect_min=5, reconnect_max=1)
    with pytest.raises(MqttError, match="existing PEM file"):
        MqttOptions(ca_file=str(tmp_path / "missing.pem"))


def test_discovery_payload():
    node = ha.node_id_for("home/living room/ser-edge")
    assert node == "home_living_room_ser-edge"
    assert ha.discovery_topic(node) == f"homeassistant/sensor/{node}/emotion/config"
    config = ha.discovery_config("home/x", node, "9.9")
    assert config["state_topic"] == config["json_attributes_topic"] == "home/x/state"
    assert config["availability_topic"] == "home/x/availability"
    assert (config["payload_available"], config["payload_not_available"]) == ("online", "offline")
    assert config["unique_id"] == f"{node}_emotion" and config["icon"].startswith("mdi:")
    assert config["device"]["identifiers"] == [node] and config["device"]["sw_version"] == "9.9"
    assert "value_json.label" in config["value_template"]
    json.dumps(config)  # JSON-ready


def test_discovery_templates_render_like_home_assistant():
    jinja2 = pytest.importorskip("jinja2", reason="jinja2 (Home Assistant's template engine) not installed")
    env = jinja2.Environment()
    env.filters["tojson"] = json.dumps  # HA's own tojson filter
    state = {"label": "angry", "confidence": 0.8, "scores": {"angry": 0.8, "calm": 0.2}, "time": "t"}
    value = env.from_string(ha.VALUE_TEMPLATE).render(value_json=state)
    attrs = json.loads(env.from_string(ha.ATTRIBUTES_TEMPLATE).render(value_json=state))
    assert value == "angry"
    assert attrs == {"confidence": 0.8, "scores": {"angry": 0.8, "calm": 0.2}, "time": "t"}


def test_missing_paho_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "paho", None)
    monkeypatch.setitem(sys.modules, "paho.mqtt", None)
    with pytest.raises(MissingExtraError) as info:
        load_paho()
    assert (info.value.module, info.value.extra) == ("paho-mqtt", "mqtt")
    assert "pip install 'ser-edge[mqtt]'" in str(info.value)
    with pytest.raises(MissingExtraError):
        MqttSink("mqtt://127.0.0.1:1/x")


class HangingClient:
    """A paho stand-in whose publish() of events hangs until released (a stuck network)."""

    def __init__(self) -> None:
        self.release, self.entered = threading.Event(), threading.Event()
        self.sent: list[tuple[str, str, bool]] = []
        self._mid = 0

    def __getattr__(self, name: str):  # will_set, connect_async, loop_start, disconnect, ...
        return lambda *a, **k: None

    def publish(self, topic: str, payload: str, qos: int = 0, retain: bool = False):
        if topic.endswith("/event"):
            self.entered.set()
            self.release.wait(30)
        self._mid += 1
        self.sent.append((topic, payload, retain))
        self.on_publish(self, None, self._mid, None, None)  # acknowledged before publish() returns
        return SimpleNamespace(rc=0, mid=self._mid)


def test_emit_returns_while_the_network_hangs_and_counts_what_the_outbox_drops(logs):
    fake = HangingClient()
    sink = MqttSink("mqtt://u:hunter2@127.0.0.1:1/t", MqttOptions(outbox=10),
                    client_factory=lambda url, opts: fake)
    ok = SimpleNamespace(is_failure=False)
    connect = threading.Thread(target=sink._on_connect, args=(fake, None, None, ok))  # as paho's thread would
    connect.start()
    connect.join(10)
    assert sink.connected
    sink.emit({"start": 0.0, "end": 1.0, "label": "e0", "confidence": 0.5, "scores": {}})
    assert fake.entered.wait(10)  # the publisher thread is now stuck inside publish()
    for i in range(1, 51):
        sink.emit({"start": i, "end": i + 1.0, "label": f"e{i}", "confidence": 0.5, "scores": {}})
    stats = sink.stats
    assert (stats.queued, stats.dropped, stats.published) == (10, 40, 0)
    fake.release.set()
    assert sink.flush(10)
    sink.close()
    events = [json.loads(p)["label"] for t, p, _ in fake.sent if t == "t/event"]
    assert events == ["e0"] + [f"e{i}" for i in range(41, 51)]
    assert (sink.stats.published, sink.stats.dropped) == (11, 40)
    assert any("outbox full (10 events)" in line for line in logs)
    assert not any("hunter2" in line for line in logs) and "hunter2" not in repr(sink)


def test_numpy_values_are_published_as_json_numbers_and_the_final_state_is_kept():
    np = pytest.importorskip("numpy")
    fake = HangingClient()
    fake.release.set()
    sink = sink_on(fake, close_timeout=0.2)
    sink.emit({"start": np.float64(1.5), "end": 2, "label": "sad", "confidence": np.float32(0.5),
               "scores": {"sad": np.float32(0.5)}, "extra": np.arange(2)})
    sink.close({"duration": np.float64(3.0)})  # queued behind the event; no connection within 0.2 s
    assert sink.stats.dropped == 1  # never connected: the event is counted, not lost silently
    sink = MqttSink("mqtt://127.0.0.1:1/t", client_factory=lambda url, opts: fake)
    sink._on_connect(fake, None, None, SimpleNamespace(is_failure=False))
    sink.emit({"start": np.float64(1.5), "end": 2, "label": "sad", "confidence": np.float32(0.5),
               "scores": {"sad": np.float32(0.5)}, "extra": np.arange(2)})
    sink.close({"duration": np.float64(3.0)})
    sent = {topic: json.loads(payload) for topic, payload, _ in fake.sent if payload[0] == "{"}
    assert sent["t/event"]["confidence"] == 0.5 and sent["t/event"]["extra"] == [0, 1]
    assert sent["t/state"]["label"] == "sad" and sent["t/summary"] == {"duration": 3.0}
    assert (sink.stats.published, sink.stats.dropped) == (1, 0)


def sink_on(fake: HangingClient, close_timeout: float) -> MqttSink:
    """A sink publishing through ``fake``, waiting at most ``close_timeout`` s when closed."""
    return MqttSink("mqtt://127.0.0.1:1/t", MqttOptions(close_timeout=close_timeout),
                    client_factory=lambda url, opts: fake)


def test_close_waits_for_a_connection_under_way_and_delivers_what_was_queued():
    fake = HangingClient()
    fake.release.set()
    sink = sink_on(fake, close_timeout=5.0)
    sink.emit({"start": 0.0, "end": 1.0, "label": "sad", "confidence": 0.5, "scores": {}})
    ok = SimpleNamespace(is_failure=False)
    late = threading.Timer(0.3, sink._on_connect, args=(fake, None, None, ok))  # the broker answers late
    late.start()
    sink.close()  # a short file's replay ends before the connection: the event must not be dropped
    late.join(5)
    assert (sink.stats.published, sink.stats.dropped) == (1, 0)
    assert [t for t, _, _ in fake.sent].count("t/event") == 1


def test_close_does_not_wait_once_the_connection_has_failed():
    fake = HangingClient()
    sink = sink_on(fake, close_timeout=30.0)
    sink.emit({"start": 0.0, "end": 1.0, "label": "sad", "confidence": 0.5, "scores": {}})
    sink._problem("cannot connect to mqtt://127.0.0.1:1/t: connection refused")
    done = threading.Thread(target=sink.close)
    done.start()
    done.join(5)  # well under close_timeout: a refused broker is not waited for
    assert not done.is_alive()
    assert sink.stats.dropped == 1


def test_discovery_makes_arousal_and_valence_sensors_of_the_same_device():
    node = ha.node_id_for("home/x")
    configs = ha.discovery_configs("home/x", node, "9.9", prefix="hass")
    sensors = ("emotion", "arousal", "valence")
    assert list(configs) == [f"hass/sensor/{node}/{name}/config" for name in sensors]
    emotion, arousal, valence = configs.values()
    assert emotion == ha.discovery_config("home/x", node, "9.9")
    for name in ("arousal", "valence"):
        config = configs[f"hass/sensor/{node}/{name}/config"]
        assert config["unique_id"] == config["object_id"] == f"{node}_{name}" != emotion["unique_id"]
        assert config["state_class"] == "measurement" and "unit_of_measurement" not in config
        assert config["icon"].startswith("mdi:") and config["icon"] != emotion["icon"]
        assert config["name"] == name.capitalize()
        assert config["value_template"] == f"{{{{ value_json.{name} }}}}"
        for key in ("state_topic", "availability_topic", "payload_available", "payload_not_available",
                    "device", "origin"):
            assert config[key] == emotion[key], key
    assert arousal["icon"] != valence["icon"]
    json.dumps(configs)  # JSON-ready


def test_dimension_templates_render_numbers_and_none_for_null():
    jinja2 = pytest.importorskip("jinja2", reason="jinja2 (Home Assistant's template engine) not installed")
    env = jinja2.Environment()
    config = ha.dimension_config("b", "n", "9.9", "arousal")
    template = env.from_string(config["value_template"])
    assert template.render(value_json={"arousal": 0.8612, "valence": 0.18}) == "0.8612"
    assert template.render(value_json={"arousal": None}) == "None"  # Home Assistant: unknown


def test_a_model_with_heads_reaches_the_state_payload_and_discovery(tmp_path):
    """End to end without a broker: a model whose heads say (sigmoid(1), sigmoid(-1)) whatever the
    input, its events through the sink; the state, the event and the three discovery configs."""
    pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")
    from ser_edge import EmotionClassifier
    from ser_edge.stream import timeline_file

    from support.onnx_fixtures import add_dimension_heads, contract, tiny_model
    from support.paths import ROOT

    clf = EmotionClassifier.load(add_dimension_heads(tiny_model(tmp_path / "h.onnx", metadata=contract()),
                                                     scale=0.0))
    events = timeline_file(clf, ROOT / "examples" / "audio" / "ravdess-actor05-neutral.wav")
    assert events
    fake = HangingClient()
    fake.release.set()
    sink = MqttSink("mqtt://127.0.0.1:1/t", MqttOptions(ha_discovery=True),
                    client_factory=lambda url, opts: fake)
    sink._on_connect(fake, None, None, SimpleNamespace(is_failure=False))
    for event in events:
        sink.emit(event)
    assert sink.flush(10)
    sink.close()
    heads = [round(1 / (1 + np.exp(-1.0)), 4), round(1 / (1 + np.exp(1.0)), 4)]  # 0.7311, 0.2689
    state = [json.loads(p) for t, p, _ in fake.sent if t == "t/state"][-1]
    assert list(state) == ["label", "confidence", "scores", "arousal", "valence", "time"]
    assert [state["arousal"], state["valence"]] == heads and state["label"] == events[-1].label
    published = [json.loads(p) for t, p, _ in fake.sent if t == "t/event"]
    assert len(published) == len(events) and all([e["arousal"], e["valence"]] == heads for e in published)
    retained = {t: json.loads(p) for t, p, r in fake.sent if t.endswith("/config") and r}
    node = ha.node_id_for("t")
    sensors = ("emotion", "arousal", "valence")
    assert set(retained) == {f"homeassistant/sensor/{node}/{s}/config" for s in sensors}
    assert retained[f"homeassistant/sensor/{node}/valence/config"]["state_topic"] == "t/state"
