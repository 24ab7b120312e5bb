"""MQTT settings: the broker URL, the sink's options and counters, the paho client factory.

URLs are ``mqtt[s]://[user[:pass]@]host[:port]/base/topic``.
``str()``/``repr()`` of an :class:`MqttUrl` and every error message show ``user:***@``, never
the password. Credentials may also come from ``SER_EDGE_MQTT_USERNAME`` and
``SER_EDGE_MQTT_PASSWORD`` so they stay off the command line (and out of ``ps``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from ..errors import MissingExtraError, SerEdgeError
from . import homeassistant as ha

if TYPE_CHECKING:
    from paho.mqtt.client import Client
    from paho.mqtt.reasoncodes import ReasonCode

SCHEMES = {"mqtt": 1883, "mqtts": 8883}
DEFAULT_BASE = "ser_edge"
ENV_USERNAME, ENV_PASSWORD = "SER_EDGE_MQTT_USERNAME", "SER_EDGE_MQTT_PASSWORD"


class MqttError(SerEdgeError):
    """A bad MQTT URL or option, or an MQTT setup failure (the message never holds a password)."""


def redact(text: str) -> str:
    """``text`` with the password of any ``scheme://user:pass@`` in it replaced by ``***``."""
    return re.sub(r"(//[^/@:\s]*):[^/@\s]*@", r"\1:***@", text)


@dataclass(frozen=True)
class MqttUrl:
    """A parsed broker URL: ``base`` is the topic prefix (no leading/trailing ``/``)."""

    scheme: str
    host: str
    port: int
    base: str = DEFAULT_BASE
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def tls(self) -> bool:
        return self.scheme == "mqtts"

    def redacted(self) -> str:
        """The URL with ``***`` for the password."""
        user = ""
        if self.username is not None:
            user = quote(self.username, safe="") + (":***" if self.password else "") + "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}/{self.base}"

    def __str__(self) -> str:
        return self.redacted()

    def __repr__(self) -> str:
        return f"MqttUrl({self.redacted()!r})"

    @classmethod
    def parse(cls, url: str, env: Mapping[str, str] | None = None) -> MqttUrl:
        """Parse ``url``; missing credentials come from ``env`` (default ``os.environ``).

        Raises :class:`MqttError` naming what was expected and what was given (redacted).
        """
        env = os.environ if env is None else env
        shown = redact(url)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise MqttError(f"MQTT URL {shown!r}: {exc}") from None
        if parts.scheme not in SCHEMES:
            raise MqttError(f"MQTT URL {shown!r}: expected the scheme mqtt:// or mqtts://, "
                            f"got {parts.scheme + '://' if parts.scheme else 'none'}")
        if not parts.hostname:
            raise MqttError(f"MQTT URL {shown!r}: expected a host name, got none")
        if "?" in url or "#" in url:
            raise MqttError(f"MQTT URL {shown!r}: expected no '?' or '#' (use the options; "
                            f"percent-encode them in a password: %3F, %23)")
        base = unquote(parts.path).strip("/") or DEFAULT_BASE
        if any(c in base for c in "+#\0"):
            raise MqttError(f"MQTT URL {shown!r}: the base topic may not contain '+', '#' or NUL, "
                            f"got {base!r}")
        username = unquote(parts.username) if parts.username is not None else env.get(ENV_USERNAME)
        password = unquote(parts.password) if parts.password is not None else env.get(ENV_PASSWORD)
        if password is not None and username is None:
            raise MqttError(f"MQTT URL {shown!r}: a password needs a user name ({ENV_USERNAME})")
        return cls(parts.scheme, parts.hostname, port or SCHEMES[parts.scheme], base, username, password)


@dataclass(frozen=True)
class MqttOptions:
    """How the sink connects and publishes. Times in seconds; ``outbox`` in events."""

    client_id: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    ha_discovery: bool = False
    ha_prefix: str = ha.DEFAULT_PREFIX
    node_id: str | None = None
    outbox: int = 1000
    max_inflight: int = 20
    keepalive: int = 30
    reconnect_min: float = 0.5
    reconnect_max: float = 30.0
    close_timeout: float = 5.0

    def __post_init__(self) -> None:
        if self.outbox < 1 or self.max_inflight < 1:
            raise MqttError(f"mqtt: need outbox >= 1 and max_inflight >= 1, got {self.outbox}, "
                            f"{self.max_inflight}")
        if not 0 < self.reconnect_min <= self.reconnect_max:
            raise MqttError(f"mqtt: need 0 < reconnect_min <= reconnect_max, got {self.reconnect_min}, "
                            f"{self.reconnect_max}")
        for name in ("ca_file", "cert_file", "key_file"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise MqttError(f"mqtt {name}: expected an existing PEM file, got {path!r}")


@dataclass(frozen=True)
class MqttStats:
    """Counts so far: events ``published`` (acknowledged by the broker), ``dropped`` (outbox
    full, or still unsent at close), ``reconnects`` after the first connection, ``queued`` in
    the outbox, connection ``failures``, whether the sink is ``connected`` now and whether it
    ever ``reached`` the broker."""

    published: int
    dropped: int
    reconnects: int
    queued: int
    failures: int
    connected: bool
    reached: bool = False

    def to_dict(self) -> dict[str, int | bool]:
        return asdict(self)

    @property
    def delivered(self) -> bool:
        """True when the broker was reached and no event was lost (what ``listen``'s exit status says)."""
        return self.reached and self.dropped == 0

    def describe(self, url: MqttUrl) -> str:
        """One line: ``3 events published to mqtt://host:1883/base, 0 dropped, 0 reconnects``."""
        one = "event" if self.published == 1 else "events"
        where = "" if self.reached else " (the broker was never reached)"
        return (f"{self.published} {one} published to {url}, {self.dropped} dropped, "
                f"{self.reconnects} reconnects{where}")


def failure_reason(exc: BaseException | None, url: MqttUrl) -> str:
    """Why connecting to ``url`` failed, in words, from the exception paho raised (None: unknown)."""
    import socket  # socket, ssl, secrets: here, not at import (ssl alone is ~1.2 MB RSS per command)
    import ssl

    if isinstance(exc, socket.gaierror):
        return f"the host name {url.host!r} cannot be resolved ({exc.strerror})"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {url.host} port {url.port} (is a broker listening there?)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed ({exc.verify_message}); check --mqtt-ca"
    if isinstance(exc, (ssl.SSLError, ConnectionResetError)) and url.tls:
        why = getattr(exc, "reason", None) or exc.strerror or exc
        return f"TLS handshake failed ({why}); is port {url.port} a TLS port (mqtts://), or should the URL be mqtt://?"
    if isinstance(exc, TimeoutError):
        return "timed out (a firewall, or the wrong host or port?)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return "no reason given"


def refusal_reason(reason: ReasonCode) -> str:
    """The broker's CONNACK refusal (paho's reason code) in words, with a hint for credentials."""
    text = str(reason)
    if any(word in text.lower() for word in ("authori", "user name or password", "credentials")):
        return (f"{text} (check the user name and password: in the URL or "
                f"{ENV_USERNAME}/{ENV_PASSWORD})")
    return text


def load_paho() -> ModuleType:
    """The ``paho.mqtt.client`` module (>= 2), or :class:`MissingExtraError` naming the extra."""
    try:
        from paho.mqtt import client
    except ImportError:
        raise MissingExtraError("paho-mqtt", "mqtt") from None
    if not hasattr(client, "CallbackAPIVersion"):
        raise MqttError("paho-mqtt >= 2 is needed, an older one is installed: pip install 'ser-edge[mqtt]'")
    return client


def paho_client(url: MqttUrl, options: MqttOptions) -> Client:
    """A paho client with credentials and TLS set from ``url``/``options`` (not connected)."""
    import secrets

    mqtt = load_paho()
    client_id = options.client_id or f"ser-edge-{secrets.token_hex(4)}"
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    if url.username is not None:
        client.username_pw_set(url.username, url.password)
    if url.tls:
        try:
            client.tls_set(ca_certs=options.ca_file, certfile=options.cert_file, keyfile=options.key_file)
        except (OSError, ValueError) as exc:
            raise MqttError(f"mqtt TLS setup failed ({type(exc).__name__}: {exc}); check --mqtt-ca, "
                            f"--mqtt-cert and --mqtt-key") from None
    return client
