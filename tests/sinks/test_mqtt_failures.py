"""``ser-edge listen --mqtt`` when the broker cannot be used: the reason is named once (name not
resolved, connection refused, TLS handshake, bad credentials) and the exit status is 1 because
no event was delivered; a source that cannot open never starts the sink, one that fails
mid-stream still closes it (the broker hears "offline")."""

from __future__ import annotations

import json
from urllib.parse import quote

import numpy as np
import pytest

from ser_edge.errors import DeviceError

from support.broker import Collector, Mosquitto, free_port, need_paho
from support.cli import run_cli
from support.signals import noise, to_int16, utterance, write_wav

RATE = 16000
BASE = "ser_edge/fail"


@pytest.fixture(scope="module")
def one_utterance(tmp_path_factory):
    x = np.concatenate([noise(1.0, RATE, -70.0, seed=5), utterance(RATE, 1), noise(1.0, RATE, -70.0, seed=6)])
    return write_wav(tmp_path_factory.mktemp("one") / "one.wav", to_int16(x), RATE)


@pytest.fixture()
def broker(tmp_path):
    need_paho()
    b = Mosquitto(tmp_path / "broker").start()
    yield b
    b.stop()


def failed_listen(wav, url: str, reason: str) -> str:
    """Run listen with an unusable broker: events still printed, exit 1, ``reason`` said once."""
    # a synthetic voice: the seed model labels it (the default model hears no speech)
    proc = run_cli("listen", "--input", str(wav), "--json", "--model", "seed", "--mqtt", url)
    assert proc.returncode == 1, proc.stderr
    assert len([json.loads(line) for line in proc.stdout.splitlines()]) == 1  # classified all the same
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count(reason) == 1, proc.stderr
    assert "0 events published" in proc.stderr and "1 dropped" in proc.stderr
    assert "the broker was never reached" in proc.stderr
    return proc.stderr


def test_connection_refused_is_named_and_exits_1(one_utterance):
    need_paho()
    port = free_port()
    failed_listen(one_utterance, f"mqtt://127.0.0.1:{port}/{BASE}",
                  f"connection refused by 127.0.0.1 port {port}")


def test_an_unresolvable_name_is_named_and_exits_1(one_utterance):
    need_paho()
    failed_listen(one_utterance, f"mqtt://no.such.host.invalid/{BASE}",
                  "the host name 'no.such.host.invalid' cannot be resolved")


def test_tls_against_a_plain_broker_is_a_handshake_failure(one_utterance, broker):
    err = failed_listen(one_utterance, broker.url(BASE, scheme="mqtts"), "TLS handshake failed")
    assert f"is port {broker.port} a TLS port" in err


def test_bad_credentials_are_named_without_the_password(one_utterance, password_broker):
    err = failed_listen(one_utterance, password_broker.url(BASE, userinfo=f"{password_broker.user}:hunter2@"),
                        "check the user name and password")
    assert "refused the connection: Not authorized" in err and "hunter2" not in err


def test_delivered_events_exit_0_with_the_counts(one_utterance, password_broker):
    userinfo = f"{password_broker.user}:{quote(password_broker.password, safe='')}@"
    proc = run_cli("listen", "--input", str(one_utterance), "--json", "--model", "seed", "--mqtt",
                   password_broker.url(BASE, userinfo=userinfo))
    assert proc.returncode == 0, proc.stderr
    assert "mqtt: 1 event published to" in proc.stderr and "0 dropped" in proc.stderr


def test_a_source_that_cannot_open_never_starts_the_sink(broker, tmp_path):
    collector = Collector(broker.port)
    try:
        proc = run_cli("listen", "--input", str(tmp_path / "missing.wav"), "--mqtt", broker.url(BASE))
        assert proc.returncode == 1
        missing = tmp_path / "missing.wav"
        assert proc.stderr.strip().splitlines() == [f"ser-edge: {missing}: no such audio file"]
        assert not collector.wait_for(lambda c: c.on(f"{BASE}/availability"), timeout=1.0)
        assert broker.log().count("New client connected") == 1  # the collector only
    finally:
        collector.close()


class FailingSource:
    """A source whose device is lost once ``ready()`` (the sink is online) or after 10 s."""

    name, sample_rate, overflows, dropped_samples = "fake device", 22050, 0, 0

    def __init__(self, ready) -> None:
        self.ready, self.closed = ready, False

    def __iter__(self):
        self.ready()
        raise DeviceError("input device 'fake device' stopped delivering audio")
        yield  # pragma: no cover

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.closed = True

    def close(self):
        self.closed = True


def test_a_source_failing_mid_stream_still_closes_the_sink(broker, monkeypatch, capsys):
    from ser_edge.cli import listen
    from ser_edge.cli.main import main

    collector = Collector(broker.port)
    online = f"{BASE}/availability"
    source = FailingSource(lambda: collector.wait_for(lambda c: [m.text for m in c.on(online)] == ["online"]))
    monkeypatch.setattr(listen, "open_source", lambda *args, **kwargs: source)
    try:
        status = main(["listen", "--json", "--mqtt", broker.url(BASE)])
        assert status == 1
        assert collector.wait_for(lambda c: [m.text for m in c.on(online)] == ["online", "offline"])
    finally:
        collector.close()
    assert source.closed
    err = capsys.readouterr().err
    assert "stopped delivering audio" in err and "summary: 0.0 s of audio" in err
