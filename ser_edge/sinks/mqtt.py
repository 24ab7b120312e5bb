"""MQTT sink: emotion events to ``<base>/event``, ``<base>/state`` and Home Assistant.

``emit()`` only appends to a bounded outbox and returns: a publisher thread hands the
messages to paho-mqtt (QoS 1), whose own network thread reconnects with exponential backoff.
When the outbox is full the oldest events are dropped and counted. Credentials never appear
in a message, a log line or a repr. Status goes to the ``ser_edge.sinks.mqtt`` logger: a failed
connection is a warning naming its reason once per outage (see :func:`.config.failure_reason`).
Topics (see docs/iot.md):

- ``<base>/event``: one JSON object per event, not retained;
- ``<base>/state``: the latest ``{"label", "confidence", "scores", "arousal", "valence", "time"}``,
  retained;
- ``<base>/availability``: ``online``/``offline``, retained, last will ``offline``;
- ``<base>/summary``: the stream summary at ``close()``, not retained;
- ``homeassistant/sensor/<node_id>/{emotion,arousal,valence}/config`` with ``ha_discovery``,
  retained (three sensors of one device).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING

from ..stream.events import StreamStats
from ..version import __version__
from . import homeassistant as ha
from .config import MqttError, MqttOptions, MqttStats, MqttUrl, failure_reason, paho_client, refusal_reason
from .payload import HasDict, event_dict, now_iso

if TYPE_CHECKING:
    from paho.mqtt.client import Client, ConnectFlags, DisconnectFlags, MQTTMessage
    from paho.mqtt.properties import Properties
    from paho.mqtt.reasoncodes import ReasonCode

QOS = 1
_ERR_SUCCESS, _ERR_NO_CONN = 0, 4  # paho's MQTTErrorCode values
log = logging.getLogger(__name__)


class MqttSink:
    """Publish events to an MQTT broker without ever blocking the caller.

    ``url``: ``mqtt[s]://[user[:pass]@]host[:port]/base/topic`` or an :class:`MqttUrl`.
    ``client_factory(url, options)`` makes the paho-compatible client (tests inject fakes).
    """

    def __init__(self, url: str | MqttUrl, options: MqttOptions | None = None, *,
                 client_factory: Callable[[MqttUrl, MqttOptions], Client] | None = None) -> None:
        self.url = url if isinstance(url, MqttUrl) else MqttUrl.parse(url)
        self.options = options or MqttOptions()
        if (self.options.ca_file or self.options.cert_file or self.options.key_file) and not self.url.tls:
            raise MqttError(f"TLS files need an mqtts:// URL, got {self.url}")
        self.topics = ha.topics(self.url.base)
        self.node_id = self.options.node_id or ha.node_id_for(self.url.base)
        self._cond = threading.Condition()
        self._outbox: deque[tuple[str, dict[str, object]]] = deque()
        self._pending: dict[int, str] = {}   # mid -> kind, handed to paho, not yet acknowledged
        self._acked_early: set[int] = set()  # acknowledged before publish() returned its mid
        self._counts = {"published": 0, "dropped": 0, "reconnects": 0, "failures": 0}
        self._connected = self._ever_connected = self._trouble = self._dropping = False
        self._closed = self._stop = False
        self._client = (client_factory or paho_client)(self.url, self.options)
        self._setup_client()
        self._thread = threading.Thread(target=self._run, name="ser-edge-mqtt", daemon=True)
        self._thread.start()

    def _setup_client(self) -> None:
        c, o = self._client, self.options
        c.will_set(self.topics["availability"], ha.OFFLINE, qos=QOS, retain=True)
        c.reconnect_delay_set(min_delay=o.reconnect_min, max_delay=o.reconnect_max)
        c.on_connect, c.on_disconnect = self._on_connect, self._on_disconnect
        c.on_publish, c.on_message = self._on_publish, self._on_message
        c.on_connect_fail = self._on_connect_fail
        c.connect_async(self.url.host, self.url.port, keepalive=o.keepalive)
        c.loop_start()

    # --- the public API -------------------------------------------------------------------

    def emit(self, event: HasDict | Mapping[str, object]) -> None:
        """Queue one event (a dict or an object with ``to_dict()``); returns at once."""
        data = {**event_dict(event), "time": now_iso()}
        with self._cond:
            if self._closed:
                self._counts["dropped"] += 1
                return
            if len(self._outbox) >= self.options.outbox:
                self._outbox.popleft()
                self._counts["dropped"] += 1
                if not self._dropping:
                    self._dropping = True
                    log.warning("MQTT outbox full (%d events): dropping the oldest", self.options.outbox)
            self._outbox.append(("event", data))
            self._cond.notify_all()

    __call__ = emit  # the sink protocol (ser_edge.sinks.protocol.Sink): sink(event)

    @property
    def stats(self) -> MqttStats:
        with self._cond:
            return MqttStats(queued=len(self._outbox), connected=self._connected,
                             reached=self._ever_connected, **self._counts)

    @property
    def connected(self) -> bool:
        return self._connected

    def wait_connected(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds until connected (for scripts and tests, not the audio path)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._connected, timeout)

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s until every queued message is acknowledged; True when all were."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._outbox and not self._pending, timeout)

    def close(self, summary: StreamStats | Mapping[str, object] | None = None) -> None:
        """Publish ``summary`` (the stream's stats) and ``offline``, wait up to ``close_timeout``
        s (first for a connection still under way, then for the acknowledgements), disconnect.
        Events still unsent then are counted as dropped; the counts are logged
        (debug level: :attr:`stats` has them)."""
        if is_dataclass(summary):
            summary = asdict(summary)
        with self._cond:
            if self._closed:
                return
            self._closed = True
            if summary is not None:
                self._outbox.append(("summary", dict(summary)))
                self._cond.notify_all()
        with self._cond:  # a connection still under way (no failure yet) gets the time to deliver
            self._cond.wait_for(lambda: self._connected or self._trouble, self.options.close_timeout)
        if self._connected:  # a clean disconnect cancels the last will: say offline first
            self.flush(self.options.close_timeout)
            self._send(self.topics["availability"], ha.OFFLINE, True, "availability")
            self.flush(self.options.close_timeout)
        with self._cond:
            self._stop = True
            unsent = [k for k, _ in self._outbox] + list(self._pending.values())
            self._counts["dropped"] += unsent.count("event")
            self._outbox.clear()
            self._cond.notify_all()
        self._thread.join(self.options.close_timeout)
        self._client.disconnect()
        self._client.loop_stop()
        s = self.stats
        log.debug("%s", s.describe(self.url))

    def __enter__(self) -> MqttSink:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MqttSink({str(self.url)!r}, {self.stats})"

    # --- the publisher thread -------------------------------------------------------------

    def _ready(self) -> bool:
        return bool(self._outbox) and self._connected and len(self._pending) < self.options.max_inflight

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or self._ready())
                if self._stop:
                    return
                kind, data = self._outbox.popleft()
                latest = not self._outbox or self._outbox[0][0] != "event"  # a summary comes last
            try:
                self._publish_item(kind, data, latest)
            except (OSError, ValueError, TypeError) as exc:  # this thread must outlive one bad message
                with self._cond:
                    self._counts["dropped"] += kind == "event"
                log.warning("could not publish a %s message to %s: %s: %s", kind, self.url,
                            type(exc).__name__, exc)

    def _publish_item(self, kind: str, data: dict[str, object], latest: bool) -> None:
        if kind == "summary":
            self._send(self.topics["summary"], json.dumps(data, default=str), False, "summary")
            return
        self._send(self.topics["event"], json.dumps(data), False, "event")
        if latest:  # state is retained: only the newest of a backlog matters
            state = {k: data.get(k) for k in ha.STATE_KEYS}
            self._send(self.topics["state"], json.dumps(state), True, "state")

    def _send(self, topic: str, payload: str, retain: bool, kind: str) -> None:
        """Hand one message to paho (QoS 1, so paho resends it after a reconnect)."""
        info = self._client.publish(topic, payload, qos=QOS, retain=retain)
        with self._cond:
            if int(info.rc) not in (_ERR_SUCCESS, _ERR_NO_CONN):
                self._counts["dropped"] += kind == "event"
            elif info.mid in self._acked_early:
                self._acked_early.discard(info.mid)
                self._counts["published"] += kind == "event"
            else:
                self._pending[info.mid] = kind
            self._cond.notify_all()

    # --- paho callbacks (paho's network thread) -------------------------------------------

    def _on_connect(self, client: Client, userdata: object, flags: ConnectFlags, reason: ReasonCode,
                    props: Properties | None = None) -> None:
        if getattr(reason, "is_failure", False):
            self._problem(f"the broker at {self.url} refused the connection: {refusal_reason(reason)}")
            return
        self._send(self.topics["availability"], ha.ONLINE, True, "availability")
        if self.options.ha_discovery:
            client.subscribe(f"{self.options.ha_prefix}/status", qos=QOS)
            self._publish_discovery()
        with self._cond:
            again, self._ever_connected = self._ever_connected, True
            self._counts["reconnects"] += again
            self._connected, self._trouble, self._dropping = True, False, False
            self._cond.notify_all()
        if again:  # the user saw the connection go: say it is back
            log.warning("reconnected to %s", self.url)
        else:
            log.info("connected to %s", self.url)

    def _publish_discovery(self) -> None:
        configs = ha.discovery_configs(self.url.base, self.node_id, __version__, self.options.ha_prefix)
        for topic, config in configs.items():
            self._send(topic, json.dumps(config), True, "discovery")

    def _on_disconnect(self, client: Client, userdata: object, flags: DisconnectFlags, reason: ReasonCode,
                       props: Properties | None = None) -> None:
        with self._cond:
            was, self._connected = self._connected, False
            self._cond.notify_all()
        if was and not self._closed:
            detail = "" if str(reason) in ("Unspecified error", "Success") else f" ({reason})"
            self._problem(f"lost the connection to {self.url}{detail}")

    def _on_connect_fail(self, client: Client, userdata: object) -> None:
        # paho calls this inside its `except OSError:`, so the exception is the one being handled
        self._problem(f"cannot connect to {self.url}: {failure_reason(sys.exc_info()[1], self.url)}")

    def _problem(self, message: str) -> None:
        """Count a failure; log only the first of an outage (the backoff goes on quietly)."""
        with self._cond:
            self._counts["failures"] += 1
            first, self._trouble = not self._trouble, True
        if first:
            log.warning(f"{message}; retrying with backoff ({self.options.reconnect_min:g} s doubling to "
                      f"{self.options.reconnect_max:g} s), keeping up to {self.options.outbox} events")

    def _on_publish(self, client: Client, userdata: object, mid: int, *_: object) -> None:
        with self._cond:
            kind = self._pending.pop(mid, None)
            if kind is None:
                self._acked_early.add(mid)
            else:
                self._counts["published"] += kind == "event"
            self._cond.notify_all()

    def _on_message(self, client: Client, userdata: object, message: MQTTMessage) -> None:
        """Home Assistant restarted (``<prefix>/status`` is ``online``): send the config again."""
        if self.options.ha_discovery and message.payload == ha.ONLINE.encode():
            self._publish_discovery()
