"""JSON payloads of the MQTT sink: events made JSON-safe, timestamps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Protocol


class HasDict(Protocol):
    """An event the sink can publish: :class:`~ser_edge.stream.events.Event` or anything with
    a JSON-ready ``to_dict()``."""

    def to_dict(self) -> Mapping[str, object]: ...


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def plain(value: object) -> object:
    """JSON fallback: numpy scalars and arrays become numbers and lists, anything else a string."""
    for method in ("tolist", "item"):  # tolist() of a numpy scalar is the Python number too
        if callable(getattr(value, method, None)):
            return getattr(value, method)()
    return str(value)


def event_dict(event: HasDict | Mapping[str, object]) -> dict[str, object]:
    """A JSON-safe copy of an event (a dict or an object with ``to_dict()``)."""
    if not isinstance(event, dict):
        if not callable(getattr(event, "to_dict", None)):
            raise TypeError(f"MqttSink.emit: expected a dict or an object with to_dict(), "
                            f"got {type(event).__name__}")
        event = event.to_dict()
    return json.loads(json.dumps(event, default=plain))
