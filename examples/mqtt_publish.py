#!/usr/bin/env python3
"""Publish emotion events to MQTT from your own script (what ``ser-edge listen --mqtt`` does).

    pip install '.[mqtt]'          # from a checkout; once on PyPI: pip install 'ser-edge[mqtt]'
    python examples/mqtt_publish.py mqtt://127.0.0.1/home/livingroom/ser_edge --ha-discovery
    python examples/mqtt_publish.py mqtt://127.0.0.1/test --input talk.wav

Credentials: ``mqtt://user:pass@host/...`` or, better (kept out of ``ps``), the variables
SER_EDGE_MQTT_USERNAME and SER_EDGE_MQTT_PASSWORD. ``sink.emit()`` never blocks the audio
loop: events wait in a bounded outbox while the broker is away and are counted when dropped.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from ser_edge import EmotionClassifier
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
    sink = MqttSink(args.url, MqttOptions(ha_discovery=args.ha_discovery))
    stats = StreamStats()
    source = open_input(args.input, args.device)  # the mic needs 'ser-edge[mic]'
    try:
        with source:
            for event in listen(source, classifier, stats=stats):
                sink.emit(event)  # returns at once, whatever the network does
                print(f"{event.start:7.1f}s {event.label:<10} {event.confidence:.2f}  "
                      f"published {sink.stats.published}, dropped {sink.stats.dropped}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        sink.close(dataclasses.asdict(stats))  # publishes the summary and "offline"
    return 0


if __name__ == "__main__":
    sys.exit(main())
