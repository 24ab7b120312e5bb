"""``ser-edge listen``: continuous classification of a microphone, a file replay or raw PCM on
stdin, into text or JSON lines (and MQTT, :mod:`.mqtt`).

Ctrl-C and SIGTERM end ``listen`` cleanly (:mod:`.signals`): the utterance in progress is still
classified, the summary goes to stderr and the exit status is 0. A device that cannot be
opened, or that stops delivering audio, gives one line and 1. With ``--mqtt``, the status is
also 1 when the broker was never reached or an event could not be delivered (docs/iot.md).
Every option is checked before the model loads (:mod:`.listen_options`).
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from ..config import StreamSpec
from ..errors import AudioError, DeviceError
from .calibration import add_calibration_options, start_calibration
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    add_model_options,
    details,
    error_line,
    load_classifier,
    log,
    resampling,
)
from .listen_options import (
    add_segmentation_options,
    add_source_options,
    check_listen,
    check_window,
    stream_spec,
)
from .mqtt import add_mqtt_options, delivered, sink_from_args
from .signals import StopSignals, rest

if TYPE_CHECKING:
    from ..classifier import EmotionClassifier
    from ..sinks.protocol import Sink
    from ..stream.events import Event, StreamStats
    from ..stream.protocol import Source
    from .common import Subparsers

#: Seconds between two "audio lost" warnings.
WARN_EVERY = 5.0


def add_listen_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """The ``listen`` subcommand (its options: :mod:`.listen_options`, :mod:`.mqtt`)."""
    d = StreamSpec()
    p = subparsers.add_parser("listen", help="classify a live stream (microphone, file replay, stdin PCM)")
    add_source_options(p)
    add_segmentation_options(p)
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds of audio")
    p.add_argument("--queue-seconds", type=float, default=d.queue_seconds, metavar="S",
                   help=f"live audio buffered for a busy classifier before blocks are dropped "
                        f"(default {d.queue_seconds:g})")
    p.add_argument("--json", action="store_true", help='one JSON line per event: {"start","end","label",...}')
    p.add_argument("--slow-consumer", type=float, metavar="S", help=argparse.SUPPRESS)  # fault injection
    add_model_options(p)
    add_calibration_options(p, "listen")
    add_mqtt_options(p)
    p.set_defaults(func=cmd_listen, check=check_listen)
    return p


def open_source(args: argparse.Namespace, spec: StreamSpec, min_rate: int | None = None) -> Source:
    """The source the options ask for (:func:`~ser_edge.stream.sources.open_input`); a device opens
    at its own rate only when that is at least ``min_rate`` (the model's lowest fine rate)."""
    from ..stream.sources import open_input

    return open_input(args.input, args.device, sample_rate=args.rate, fmt=args.format or "s16le",
                      channels=args.channels or 1, realtime=args.realtime, retries=args.retry or 0,
                      block_seconds=spec.block_seconds, queue_seconds=spec.queue_seconds,
                      on_note=log.warning, min_rate=min_rate)


class Watcher:
    """Per-block hook: says when audio flows, warns when audio is lost, injects delays in tests."""

    def __init__(self, source: Source, spec: StreamSpec, delay: float | None) -> None:
        self.source, self.spec, self.delay = source, spec, delay
        self.started, self.overflows, self.warned = False, 0, -WARN_EVERY

    def __call__(self, stats: StreamStats) -> None:
        if not self.started:
            self.started = True
            log.info("listening to %s at %s Hz (%s mode); Ctrl-C stops", self.source.name,
                     self.source.sample_rate, self.spec.mode)
        if stats.overflows > self.overflows and time.monotonic() - self.warned >= WARN_EVERY:
            self.warned = time.monotonic()
            lost = stats.overflows - self.overflows
            seconds = self.source.dropped_samples / self.source.sample_rate
            log.warning("audio lost: %d more overflow(s), %.2f s in all (the classifier is slower than "
                        "real time, or the system is overloaded)", lost, seconds)
            self.overflows = stats.overflows
        if self.delay:
            time.sleep(self.delay)


def run_stream(source: Source, classifier: EmotionClassifier, sink: Sink, spec: StreamSpec,
               stats: StreamStats, args: argparse.Namespace) -> int:
    """Run the stream into ``sink`` until it ends or a signal stops it; the exit status."""
    from ..stream.engine import StopListening, listen

    stop = StopSignals()
    with stop.installed():
        try:
            watch = Watcher(source, spec, args.slow_consumer)
            events = listen(source, classifier, spec, stats, args.duration, watch, critical=stop.deferred)
            try:
                for event in events:
                    sink(event)
            except StopListening:  # the signal came while an event was being written
                for event in rest(events):
                    sink(event)
        except StopListening:
            pass  # a second signal while stopping: stop at once
        except DeviceError as exc:
            error_line(str(exc))
            return EXIT_FAILED
        except AudioError as exc:
            if args.input != "-":
                raise
            error_line(f"{exc} (is the PCM on stdin really {args.format or 's16le'}, {args.channels or 1} "
                       f"channel(s) at {args.rate} Hz? check --format, --channels and --rate)")
            return EXIT_FAILED
    return EXIT_OK


class EventDetails:
    """A sink for ``-vv``: when each event was decided (stream seconds) and how long after its end."""

    def __call__(self, event: Event) -> None:
        details.debug("event %.2f-%.2f s: %s %.2f, decided at %.2f s (%.2f s after its end)", event.start,
                      event.end, event.label, event.confidence, event.decided_at,
                      event.decided_at - event.end)

    def close(self, _stats: StreamStats | None = None) -> None:
        """Nothing to release."""


def cmd_listen(args: argparse.Namespace) -> int:
    from ..sinks.tee import TeeSink
    from ..sinks.text import make_sink
    from ..stream.events import StreamStats

    spec = stream_spec(args)
    classifier = load_classifier(args)
    check_window(spec, classifier.spec.frontend, "this model's frontend")
    keeper = start_calibration(classifier, args)  # a sink: saves on every exit of the stream
    # before any sink: a source that cannot open leaves nothing to close
    source = open_source(args, spec, classifier.spec.min_fine_rate)
    with source:
        classifier.model.warn_rate(source.sample_rate, source.name)  # logged once, names the measured effect
        details.info("input %s: %s; %s mode", source.name, resampling(source.sample_rate, classifier),
                     spec.mode)
        mqtt = sink_from_args(args)  # None without --mqtt; publishing never blocks the stream
        sinks = [s for s in (make_sink(args.json), mqtt, keeper, EventDetails()) if s is not None]
        sink, stats = TeeSink(*sinks), StreamStats()
        cpu = time.process_time()
        try:
            status = run_stream(source, classifier, sink, spec, stats, args)
            log.info("summary: %s", stats.summary())
            used = time.process_time() - cpu
            details.info("CPU: %.2f s for %.1f s of audio (%.1f%% of real time)", used, stats.duration,
                         100.0 * used / stats.duration if stats.duration else 0.0)
        finally:
            sink.close(stats)  # MQTT: summary, "offline" and the counts; waits <= 5 s
    if mqtt is not None and not delivered(mqtt):
        return EXIT_FAILED
    return status
