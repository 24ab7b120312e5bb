"""One sink that hands every event to several sinks, in order (``listen --json --mqtt URL``)."""

from __future__ import annotations

from ..stream.events import Event, StreamStats
from .protocol import Sink


class TeeSink:
    """Fan-out: ``tee(event)`` calls each sink in turn; ``close(stats)`` closes every one of
    them, even when an earlier ``close`` raised (the first error is raised afterwards)."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks

    def __call__(self, event: Event) -> None:
        for sink in self.sinks:
            sink(event)

    def close(self, stats: StreamStats | None = None) -> None:
        error: Exception | None = None
        for sink in self.sinks:
            try:
                sink.close(stats)
            except Exception as exc:  # noqa: BLE001 - the other sinks still get closed
                error = error or exc
        if error is not None:
            raise error
