#!/usr/bin/env python3
"""Publish emotion events to MQTT from your own script (what ``ser-edge listen --mqtt`` does).

    pip install '.[mqtt]'          # from a checkout; once on PyPI: pip install 'ser-edge[mqtt]'
    python examples/mqtt_publish.py mqtt://127.0.0.1/home/livingroom/ser_edge --ha-discovery
    python examples/mqtt_publish.py mqtt://127.0.0.1/test --input talk.wav

Credentials: ``mqtt://user:pass@host/...`` or, better (kept out of ``ps``), the variables
SER_EDGE_MQTT_USERNAME and SER_EDGE_MQTT_PASSWORD. ``sink.emit()`` never blocks the audio
loop: events wait in a bounded outbox while the broker is away and are counted when dropped.
At the end it says how many events the broker acknowledged (``sink.stats.published`` after
``close()``) and exits 1 when the broker was never reached or acknowledged none of them (as
``ser-edge listen --mqtt``); without paho-mqtt: one line naming the extra and exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from ser_edge import EmotionClassifier
from ser_edge.errors import MissingExtraError, SerEdgeError
from ser_edge.sinks import MqttOptions, MqttSink
from ser_edge.stream import StreamStats, listen
from ser_edge.stream.sources import open_input


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url", help="mqtt[s]://[user[:pass]@]host[:port]/base/topic")
    p.add_argument("--ha-discovery", action="store_true", help="announce a Home Assistant sensor")
    p.add_argument("--input", metavar="FILE", help="replay a file instead of the microphone")
    p.add_argument("--device", help="microphone index or name substring")
    p.add_argument("--model", help="ONNX file or shipped model name, as in ser-edge --model")
    args = p.parse_args()

    classifier = EmotionClassifier.load(args.model)
    try:
        sink = MqttSink(args.url, MqttOptions(ha_discovery=args.ha_discovery))  # needs 'ser-edge[mqtt]'
        heard = publish(args, classifier, sink)
    except MissingExtraError as exc:  # no paho-mqtt, or no sounddevice for the microphone
        print(f"mqtt_publish.py: {exc}", file=sys.stderr)
        return 2
    except SerEdgeError as exc:  # a bad URL, no microphone, a file that cannot be read
        print(f"mqtt_publish.py: {exc}", file=sys.stderr)
        return 1
    stats = sink.stats  # after close: what the broker acknowledged
    where = "" if stats.reached else " (the broker was never reached)"
    print(f"delivered {stats.published} of {heard} events to {sink.url} (acknowledged by the broker), "
          f"{stats.dropped} dropped{where}", file=sys.stderr)
    return 0 if stats.reached and (stats.published > 0 or heard == 0) else 1


def publish(args: argparse.Namespace, classifier: EmotionClassifier, sink: MqttSink) -> int:
    """Publish every event of the source to ``sink`` until it ends (or Ctrl-C), then close the sink
    (summary, "offline", waits for the broker's acknowledgements); the events heard."""
    stats, heard = StreamStats(), 0
    try:
        source = open_input(args.input, args.device)  # the mic needs 'ser-edge[mic]'
        with source:
            for event in listen(source, classifier, stats=stats):
                sink.emit(event)  # returns at once, whatever the network does: queued, not yet delivered
                heard += 1
                print(f"{event.start:7.1f}s {event.label:<10} {event.confidence:.2f}  queued "
                      f"(acknowledged so far: {sink.stats.published})", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        sink.close(dataclasses.asdict(stats))  # publishes the summary and "offline"
    return heard


if __name__ == "__main__":
    sys.exit(main())
