"""Where events go: one :class:`Sink` protocol (``sink(event)``, ``sink.close(stats)``) and its
implementations.

- :mod:`.protocol`: the :class:`Sink` protocol;
- :mod:`.text`: readable lines or JSON lines on a text stream (:func:`make_sink`);
- :mod:`.tee`: :class:`TeeSink`, one sink that feeds several;
- :mod:`.mqtt`: :class:`MqttSink`, events to an MQTT broker without blocking the stream, with
  :mod:`.config` (broker URL, options, counters, the paho client), :mod:`.payload` (JSON
  payloads) and :mod:`.homeassistant` (Home Assistant MQTT discovery).

Imports :mod:`ser_edge.stream.events` and :mod:`ser_edge.errors`; paho-mqtt only when an
MQTT sink is made (the ``mqtt`` extra).
"""

from __future__ import annotations

from .config import MqttError, MqttOptions, MqttStats, MqttUrl
from .mqtt import MqttSink
from .protocol import Sink
from .tee import TeeSink
from .text import JsonSink, TextSink, make_sink

__all__ = [
    "JsonSink", "MqttError", "MqttOptions", "MqttSink", "MqttStats", "MqttUrl", "Sink", "TeeSink",
    "TextSink", "make_sink",
]
