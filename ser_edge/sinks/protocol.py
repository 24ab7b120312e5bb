"""The one interface every sink offers: ``sink(event)`` writes or sends one event, and
``sink.close(stats)`` ends the stream (flushes, says goodbye, releases what it holds).

A sink is called once per :class:`~ser_edge.stream.events.Event`, in stream order, from the
thread that runs the stream; it must not block for long (the MQTT sink only queues).
``close`` is called once at the end with the stream's :class:`~ser_edge.stream.events.StreamStats`
(None when the stream never started); a second call does nothing.
"""

from __future__ import annotations

from typing import Protocol

from ..stream.events import Event, StreamStats


class Sink(Protocol):
    """Where events go: text or JSON lines (:mod:`.text`), an MQTT broker (:mod:`.mqtt`),
    several at once (:mod:`.tee`)."""

    def __call__(self, event: Event) -> None: ...

    def close(self, stats: StreamStats | None = None) -> None: ...
