#!/usr/bin/env python3
"""Do something when an emotion persists: call a webhook and/or switch a GPIO pin.

    python examples/react_to_emotion.py --label angry --persist 3 --webhook http://127.0.0.1:8123/api/webhook/x
    python examples/react_to_emotion.py --gpio 17          # Raspberry Pi + gpiozero: LED/relay on pin 17
    python examples/react_to_emotion.py --input talk.wav   # replay a file instead of the microphone

"Persists" means ``--persist`` events in a row with that label and at least ``--min-confidence``;
the action fires once, and is re-armed by an event with another label (the GPIO pin then goes
off again). ``--gpio`` without a usable GPIO prints what it would do (dry run); without
``--gpio`` nothing about GPIO is printed. No microphone, or a file that cannot be read: one
line and exit status 1; no ``mic`` extra: one line naming it and 2 (as ``ser-edge listen``).
``--label`` must be one of the model's labels (``ser-edge info`` lists them); another value
is refused with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Callable
from typing import Any

from ser_edge import EmotionClassifier
from ser_edge.errors import MissingExtraError, SerEdgeError
from ser_edge.stream import listen
from ser_edge.stream.sources import open_input


class Persistence:
    """Counts events in a row with ``label``; ``update()`` is True once when the count reaches ``n``."""

    def __init__(self, label: str, n: int, min_confidence: float = 0.0) -> None:
        self.label, self.n, self.min_confidence = label, n, min_confidence
        self.count, self.fired = 0, False

    def update(self, label: str, confidence: float) -> bool:
        if label != self.label or confidence < self.min_confidence:
            self.count, self.fired = 0, False
            return False
        self.count += 1
        if self.count >= self.n and not self.fired:
            self.fired = True
            return True
        return False


def post_json(url: str, payload: dict[str, Any], timeout: float = 5.0) -> None:
    """POST ``payload`` as JSON; failures are printed, never raised (the listener goes on)."""
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            print(f"webhook: HTTP {reply.status}", flush=True)
    except OSError as exc:
        print(f"webhook failed: {exc}", file=sys.stderr, flush=True)


def gpio_switch(pin: int | None) -> Callable[[bool], None]:
    """A function that sets ``pin`` on/off with gpiozero, prints what it would do when GPIO was
    asked for (``--gpio``) but is not usable here, and does nothing without ``--gpio``."""
    if pin is None:
        return lambda on: None
    try:
        from gpiozero import LED  # on a Raspberry Pi: pip install gpiozero

        led = LED(pin)
        return lambda on: led.on() if on else led.off()
    except Exception as exc:  # noqa: BLE001 - no gpiozero, no GPIO chip, no permission: fall back
        print(f"GPIO {pin} unavailable ({type(exc).__name__}: {exc}); dry run", file=sys.stderr)
    return lambda on: print(f"[dry run] GPIO {pin} -> {'on' if on else 'off'}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--label", default="angry", help="the emotion to react to (default angry)")
    p.add_argument("--persist", type=int, default=3, metavar="N", help="events in a row (default 3)")
    p.add_argument("--min-confidence", type=float, default=0.0, metavar="P")
    p.add_argument("--webhook", metavar="URL", help="POST the triggering event as JSON here")
    p.add_argument("--gpio", type=int, metavar="PIN", help="BCM pin to switch on while the emotion persists")
    p.add_argument("--input", metavar="FILE", help="replay a file instead of the microphone")
    p.add_argument("--device", help="microphone index or name substring")
    p.add_argument("--model", help="ONNX file or shipped model name, as in ser-edge --model")
    args = p.parse_args()

    classifier = EmotionClassifier.load(args.model)
    if args.label not in classifier.labels:
        print(f"--label: '{args.label}' is not one of the model's labels: {', '.join(classifier.labels)}",
              file=sys.stderr)
        return 2
    tracker = Persistence(args.label, args.persist, args.min_confidence)
    switch = gpio_switch(args.gpio)
    try:
        react(args, classifier, tracker, switch)
    except MissingExtraError as exc:  # the microphone needs 'ser-edge[mic]'
        print(f"react_to_emotion.py: {exc}", file=sys.stderr)
        return 2
    except SerEdgeError as exc:  # no microphone, a device that failed, a file that cannot be read
        print(f"react_to_emotion.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def react(args: argparse.Namespace, classifier: EmotionClassifier, tracker: Persistence,
          switch: Callable[[bool], None]) -> None:
    """Listen to the source the options name; fire the webhook and the switch when the label persists."""
    source = open_input(args.input, args.device)  # the mic needs 'ser-edge[mic]'
    on = False
    with source:
        for event in listen(source, classifier):
            print(f"{event.start:7.1f}s {event.label:<10} {event.confidence:.2f}", flush=True)
            if tracker.update(event.label, event.confidence):
                print(f"TRIGGER: {args.label} for {args.persist} events", flush=True)
                switch(on := True)
                if args.webhook:
                    payload = {"trigger": args.label, "count": args.persist, **event.to_dict()}
                    post_json(args.webhook, payload)
            elif on and tracker.count == 0:
                switch(on := False)


if __name__ == "__main__":
    sys.exit(main())
