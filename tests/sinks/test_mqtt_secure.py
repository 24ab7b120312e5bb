"""MQTT sink with a password-protected broker and with mqtts:// (a throw-away CA made by openssl),
both on a real Mosquitto on 127.0.0.1: it connects, publishes, and never shows the password."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ser_edge.sinks import MqttOptions, MqttSink

from support.broker import Collector, Mosquitto, need_mosquitto, need_paho, wait_until

URL_INFO = "sensor:s3cr%3At%20p%40ss@"
FAST = dict(reconnect_min=0.05, reconnect_max=0.3)


def test_password_broker_accepts_the_right_credentials_and_logs_none(password_broker, logs):
    collector = Collector(password_broker.port, username=password_broker.user,
                          password=password_broker.password)
    sink = MqttSink(password_broker.url("secure", userinfo=URL_INFO), MqttOptions(**FAST))
    try:
        assert sink.wait_connected(10), password_broker.log()
        sink.emit({"start": 0, "end": 1, "label": "sad", "confidence": 0.7, "scores": {"sad": 0.7}})
        assert collector.wait_count("secure/event", 1)[0].json()["label"] == "sad"
        shown = [repr(sink), str(sink.url), repr(sink.url), *logs]
    finally:
        sink.close()
    assert f"mqtt://sensor:***@127.0.0.1:{password_broker.port}/secure" in str(sink.url)
    assert not any("s3cr" in text for text in shown + list(logs))
    collector.close()


def test_wrong_password_is_reported_without_the_password(password_broker, logs):
    sink = MqttSink(password_broker.url("secure", userinfo="sensor:hunter2@"), MqttOptions(**FAST))
    try:
        assert wait_until(lambda: sink.stats.failures >= 1)
        sink.emit({"label": "calm"})  # still accepted, queued
        assert not sink.connected and sink.stats.queued == 1
    finally:
        sink.close()
    assert any("refused the connection" in line and "sensor:***@" in line for line in logs), logs
    assert not any("hunter2" in line for line in logs)
    assert sink.stats.dropped == 1


def _make_certificates(folder: Path) -> dict[str, Path]:
    """A CA and a server certificate for IP 127.0.0.1 (EC keys, valid for a day)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    folder.mkdir()
    f = {name: folder / name for name in ("ca.key", "ca.crt", "srv.key", "srv.csr", "srv.crt", "ext")}
    f["ext"].write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for cmd in (
        ["req", "-x509", *ec, "-keyout", f["ca.key"], "-out", f["ca.crt"], "-days", "1",
         "-subj", "/CN=ser-edge test CA"],
        ["req", *ec, "-keyout", f["srv.key"], "-out", f["srv.csr"], "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", f["srv.csr"], "-CA", f["ca.crt"], "-CAkey", f["ca.key"], "-CAcreateserial",
         "-out", f["srv.crt"], "-days", "1", "-extfile", f["ext"]],
    ):
        subprocess.run(["openssl", *map(str, cmd)], check=True, capture_output=True, cwd=folder)
    return f


def test_mqtts_with_a_private_ca(tmp_path):
    need_paho()
    need_mosquitto()
    certs = _make_certificates(tmp_path / "pki")
    tls = f"cafile {certs['ca.crt']}\ncertfile {certs['srv.crt']}\nkeyfile {certs['srv.key']}"
    broker = Mosquitto(tmp_path / "b", extra=tls).start()
    try:
        collector = Collector(broker.port, ca_certs=str(certs["ca.crt"]))
        sink = MqttSink(broker.url("tls", scheme="mqtts"), MqttOptions(ca_file=str(certs["ca.crt"]), **FAST))
        assert sink.wait_connected(10), broker.log()
        sink.emit({"start": 0, "end": 1, "label": "happy", "confidence": 0.9, "scores": {"happy": 0.9}})
        assert collector.wait_count("tls/event", 1)[0].json()["label"] == "happy"
        sink.close()
        assert sink.stats.published == 1
        collector.close()
    finally:
        broker.stop()
