"""A real Mosquitto broker on 127.0.0.1 for the MQTT tests, and a subscriber that records messages.

``Mosquitto(workdir).start()`` runs Debian's ``mosquitto`` on a free loopback port with
persistence on (sessions and retained messages survive ``restart()``). ``Collector`` is a
separate paho client with a persistent session (QoS 1), so it also receives what was published
while it was reconnecting. Tests skip with a reason when mosquitto or paho-mqtt is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"


def need_mosquitto() -> str:
    """The mosquitto binary, or skip the test naming the Debian package."""
    found = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)), None)
    if found is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto mosquitto-clients; "
                    "listed in .ci/apt-packages.txt)")
    return found


def need_paho() -> Any:
    """``paho.mqtt.client`` or skip naming the extra."""
    return pytest.importorskip("paho.mqtt.client",
                               reason="paho-mqtt is not installed: pip install 'ser-edge[mqtt]'")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) == 0


class Mosquitto:
    """One mosquitto process on ``127.0.0.1:port``; ``extra`` lines go into its config."""

    def __init__(self, workdir: Path, port: int | None = None, extra: str = "") -> None:
        self.binary = need_mosquitto()
        self.workdir, self.port, self.extra = Path(workdir), port or free_port(), extra
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    def url(self, base: str = "ser_edge/test", scheme: str = "mqtt", userinfo: str = "") -> str:
        return f"{scheme}://{userinfo}{HOST}:{self.port}/{base}"

    def _write_config(self) -> Path:
        lines = [f"listener {self.port} {HOST}", "persistence true",
                 f"persistence_location {self.workdir}/", f"log_dest file {self.workdir / 'mosquitto.log'}"]
        if os.geteuid() == 0:
            lines.append("user root")  # otherwise it switches to user 'mosquitto' and cannot write here
        if "allow_anonymous" not in self.extra:
            lines.append("allow_anonymous true")
        conf = self.workdir / "mosquitto.conf"
        conf.write_text("\n".join(lines) + "\n" + self.extra + "\n")
        return conf

    def start(self, timeout: float = 10.0) -> Mosquitto:
        conf = self._write_config()
        self.proc = subprocess.Popen([self.binary, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
                self.stop()
                raise RuntimeError(f"mosquitto did not start on port {self.port}: {err}{self.log()[-2000:]}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """SIGTERM (mosquitto saves its persistence file), then wait for the port to close."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.workdir / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    retain: bool

    @property
    def text(self) -> str:
        return self.payload.decode()

    def json(self) -> Any:
        return json.loads(self.payload)


class Collector:
    """A paho subscriber on ``topics`` that records every message it receives.

    ``persistent``: clean_session False with a fixed client id, so a broker restart (with
    persistence) keeps its subscription and queues QoS 1 messages for it meanwhile.
    """

    def __init__(self, port: int, topics: tuple[str, ...] = ("#",), persistent: bool = False,
                 username: str | None = None, password: str | None = None, **tls: Any) -> None:
        mqtt = need_paho()
        self.messages: list[Message] = []
        self._cond = threading.Condition()
        client_id = f"collector-{port}-{os.getpid()}" if persistent else ""
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  clean_session=not persistent, protocol=mqtt.MQTTv311)
        if username:
            self.client.username_pw_set(username, password)
        if tls:
            self.client.tls_set(**tls)
        self.client.reconnect_delay_set(0.05, 0.3)
        self._subscribed = threading.Event()
        self.client.on_connect = lambda c, *_: c.subscribe([(t, 1) for t in topics])
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(HOST, port, keepalive=10)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            self.close()
            raise RuntimeError(f"collector could not subscribe on port {port}")

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        with self._cond:
            self.messages.append(Message(msg.topic, bytes(msg.payload), bool(msg.retain)))
            self._cond.notify_all()

    def on(self, topic: str) -> list[Message]:
        with self._cond:
            return [m for m in self.messages if m.topic == topic]

    def wait_for(self, check: Callable[[Collector], bool], timeout: float = 10.0) -> bool:
        """Wait until ``check(self)`` is true; False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: check(self), timeout)

    def wait_count(self, topic: str, n: int, timeout: float = 10.0) -> list[Message]:
        """The messages on ``topic`` once there are at least ``n`` (fewer after ``timeout``)."""
        self.wait_for(lambda c: len(c.on(topic)) >= n, timeout)
        return self.on(topic)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def wait_until(check: Callable[[], bool], timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll ``check()`` until true; False after ``timeout`` seconds (for state in other threads)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True
