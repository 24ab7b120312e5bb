"""The one interface every sink offers: ``sink(event)`` writes or sends one event.

A sink is called once per :class:`~ser_edge.stream.events.Event`, in stream order, from the
thread that runs the stream; it must not block for long (the MQTT sink only queues). Sinks
that hold resources also have ``close(...)`` (see :class:`~ser_edge.sinks.mqtt.MqttSink`).
"""

from __future__ import annotations

from typing import Protocol

from ..stream.events import Event


class Sink(Protocol):
    """Where events go: text or JSON lines (:mod:`.text`), an MQTT broker (:mod:`.mqtt`)."""

    def __call__(self, event: Event) -> None: ...
