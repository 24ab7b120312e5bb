"""``ser-edge listen`` (continuous classification) and ``ser-edge devices`` (input devices).

Ctrl-C and SIGTERM end ``listen`` cleanly: the utterance in progress is still classified, the
summary goes to stderr and the exit status is 0. A device that cannot be opened, or that stops
delivering audio, gives one line and 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import time
from typing import Any

from ..config import STREAM_MODES, StreamSpec
from ..errors import DeviceError
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE

#: Seconds between two "audio lost" warnings.
WARN_EVERY = 5.0


class _StopSignals:
    """SIGINT/SIGTERM raise StopListening, but never inside a block's processing.

    While ``deferred()`` is active (the engine works on a block) a signal is only noted and
    raised when the block is done, so the engine's state stays whole and can be flushed.
    """

    def __init__(self) -> None:
        self.busy, self.pending = False, ""

    def __call__(self, signum: int, _frame: object) -> None:
        from ..stream.engine import StopListening

        name = signal.Signals(signum).name
        if self.busy:
            self.pending = name
            return
        raise StopListening(name)

    def deferred(self) -> _StopSignals:
        return self

    def __enter__(self) -> None:
        self.busy = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        from ..stream.engine import StopListening

        self.busy = False
        if exc_type is None and self.pending:
            raise StopListening(self.pending)


def _note(message: str) -> None:
    print(f"ser-edge: {message}", file=sys.stderr, flush=True)


def add_listen_parser(subparsers: Any) -> argparse.ArgumentParser:
    """The ``listen`` subcommand."""
    d = StreamSpec()
    p = subparsers.add_parser("listen", help="classify a live stream (microphone, file replay, stdin PCM)")
    src = p.add_argument_group("source (default: the default microphone)")
    src.add_argument("--device", metavar="ID|NAME", help="input device index or name substring")
    src.add_argument("--retry", type=int, default=0, metavar="N",
                     help="reopen a lost device up to N times in a row, waiting 0.5, 1, 2 ... s "
                          "(default 0: exit with status 1 and let a supervisor restart listen)")
    src.add_argument("--input", metavar="FILE", help="replay an audio file; '-' reads raw PCM from stdin")
    src.add_argument("--realtime", action="store_true", help="replay --input FILE at real-time pace")
    src.add_argument("--rate", type=int, metavar="HZ", help="stdin PCM rate (required with --input -); "
                     "for a device, the rate to open it at (default: its own, >= 22050 Hz preferred)")
    src.add_argument("--format", choices=("s16le", "f32le"), default="s16le", help="stdin PCM format")
    src.add_argument("--channels", type=int, default=1, metavar="N", help="stdin PCM channels")
    seg = p.add_argument_group("segmentation")
    seg.add_argument("--mode", choices=STREAM_MODES, default=d.mode,
                     help=f"classify whole utterances or fixed windows (default {d.mode})")
    seg.add_argument("--window", type=float, default=d.window, metavar="S", help="window mode: length (s)")
    seg.add_argument("--hop", type=float, default=d.hop, metavar="S",
                     help="window mode: hop (s), rounded to whole STFT hops (1 s -> 0.9985 s)")
    seg.add_argument("--smooth", type=int, default=d.smooth, metavar="N",
                     help="window mode: average scores over the last N windows")
    seg.add_argument("--min-confidence", type=float, default=d.min_confidence, metavar="P",
                     help="print only events at least this confident (0..1)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds of audio")
    p.add_argument("--queue-seconds", type=float, default=d.queue_seconds, metavar="S",
                   help=f"live audio buffered for a busy classifier before blocks are dropped "
                        f"(default {d.queue_seconds:g})")
    p.add_argument("--json", action="store_true", help='one JSON line per event: {"start","end","label",...}')
    p.add_argument("--slow-consumer", type=float, metavar="S", help=argparse.SUPPRESS)  # fault injection
    p.add_argument("--model", metavar="PATH", help="ONNX model file (default: the shipped model)")
    p.add_argument("--threads", type=int, default=1, metavar="N", help="ONNX Runtime threads (default 1)")
    add_mqtt_options(p)
    p.set_defaults(func=cmd_listen)
    return p


def add_devices_parser(subparsers: Any) -> argparse.ArgumentParser:
    """The ``devices`` subcommand."""
    p = subparsers.add_parser("devices", help="list audio input devices")
    p.add_argument("--json", action="store_true", help="one JSON object per device")
    p.set_defaults(func=cmd_devices)
    return p


def url_argument(text: str) -> Any:
    """argparse ``type=`` for ``--mqtt``: a usage error (exit 2) that shows no password."""
    from ..sinks.config import MqttError, MqttUrl

    try:
        return MqttUrl.parse(text)
    except MqttError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_mqtt_options(parser: Any) -> None:
    """Add ``--mqtt URL``, ``--ha-discovery``, ``--mqtt-ca/--mqtt-cert/--mqtt-key``,
    ``--mqtt-client-id`` to an argparse parser (``ser-edge listen``)."""
    g = parser.add_argument_group("MQTT output (pip install 'ser-edge[mqtt]')")
    g.add_argument("--mqtt", metavar="URL", type=url_argument,
                   help="publish events to mqtt[s]://[user[:pass]@]host[:port]/base/topic; the "
                        "SER_EDGE_MQTT_USERNAME/SER_EDGE_MQTT_PASSWORD variables keep credentials "
                        "off the command line")
    g.add_argument("--ha-discovery", action="store_true",
                   help="announce the emotion sensor to Home Assistant (MQTT discovery)")
    g.add_argument("--mqtt-ca", metavar="PEM", help="CA certificate(s) for mqtts:// (default: the system's)")
    g.add_argument("--mqtt-cert", metavar="PEM", help="client certificate for mqtts://")
    g.add_argument("--mqtt-key", metavar="PEM", help="client private key for mqtts://")
    g.add_argument("--mqtt-client-id", metavar="ID", help="MQTT client id (default: ser-edge-<random>)")


def sink_from_args(args: Any) -> Any:
    """The :class:`~ser_edge.sinks.mqtt.MqttSink` the parsed options ask for, or None without ``--mqtt``."""
    from ..sinks.config import MqttError, MqttOptions
    from ..sinks.mqtt import MqttSink

    url = getattr(args, "mqtt", None)
    names = ("ha_discovery", "mqtt_ca", "mqtt_cert", "mqtt_key", "mqtt_client_id")
    extra = {"--" + name.replace("_", "-"): getattr(args, name, None) for name in names}
    if url is None:
        given = [flag for flag, value in extra.items() if value]
        if given:
            raise MqttError(f"{', '.join(given)} need --mqtt URL")
        return None
    options = MqttOptions(client_id=args.mqtt_client_id, ca_file=args.mqtt_ca, cert_file=args.mqtt_cert,
                          key_file=args.mqtt_key, ha_discovery=args.ha_discovery)
    return MqttSink(url, options)


def cmd_devices(args: argparse.Namespace) -> int:
    from ..stream.mic import list_input_devices

    devices = list_input_devices()
    for d in devices:
        if args.json:
            print(json.dumps(d), flush=True)
        else:
            print(f"{d['index']:>3}  {d['name']:<40} {d['channels']:>3} ch  "
                  f"{d['default_samplerate']:>7.0f} Hz  ({d['hostapi']})", flush=True)
    if not devices:
        _note("no audio input device found")
    return EXIT_OK


def _spec(args: argparse.Namespace) -> StreamSpec:
    return StreamSpec(mode=args.mode, window=args.window, hop=args.hop, smooth=args.smooth,
                      min_confidence=args.min_confidence, queue_seconds=args.queue_seconds)


def open_source(args: argparse.Namespace, spec: StreamSpec) -> Any:
    """The source ``args`` ask for: stdin PCM, a file replay or an input device."""
    from ..stream import sources

    if args.input == "-":
        return sources.PcmSource(sys.stdin.buffer, sample_rate=args.rate, fmt=args.format,
                                 channels=args.channels, block_seconds=spec.block_seconds)
    if args.input:
        return sources.FileSource(args.input, block_seconds=spec.block_seconds, realtime=args.realtime,
                                  queue_seconds=spec.queue_seconds)
    from ..stream.mic import MicSource

    return MicSource(args.device, sample_rate=args.rate, block_seconds=spec.block_seconds,
                     queue_seconds=spec.queue_seconds, retries=args.retry, on_note=_note)


class _Watcher:
    """Per-block hook: says when audio flows, warns when audio is lost, injects delays in tests."""

    def __init__(self, source: Any, spec: StreamSpec, delay: float | None) -> None:
        self.source, self.spec, self.delay = source, spec, delay
        self.started, self.overflows, self.warned = False, 0, -WARN_EVERY

    def __call__(self, stats: Any) -> None:
        if not self.started:
            self.started = True
            _note(f"listening to {self.source.name} at {self.source.sample_rate} Hz ({self.spec.mode} mode); "
                  "Ctrl-C stops")
        if stats.overflows > self.overflows and time.monotonic() - self.warned >= WARN_EVERY:
            self.warned = time.monotonic()
            lost = stats.overflows - self.overflows
            seconds = self.source.dropped_samples / self.source.sample_rate
            _note(f"warning: audio lost: {lost} more overflow(s), {seconds:.2f} s in all "
                  "(the classifier is slower than real time, or the system is overloaded)")
            self.overflows = stats.overflows
        if self.delay:
            time.sleep(self.delay)


def _emitter(sink: Any, mqtt: Any) -> Any:
    """One call that writes an event to the output and, with --mqtt, publishes it."""
    def emit(event: Any) -> None:
        sink(event)
        if mqtt is not None:
            mqtt(event)
    return emit


def _rest(events: Any) -> Any:
    """The events ``listen`` still gives once told to stop (the segment in progress)."""
    from ..stream.engine import StopListening

    try:
        first = events.throw(StopListening("stop"))
    except StopIteration:
        return
    yield first
    yield from events


def cmd_listen(args: argparse.Namespace) -> int:
    from ..classifier import EmotionClassifier
    from ..sinks.text import make_sink
    from ..stream.engine import StopListening, listen
    from ..stream.events import StreamStats

    if args.input == "-" and not args.rate:
        _note("listen: --input - needs --rate HZ (and --format, --channels) for the raw PCM on stdin")
        return EXIT_USAGE
    spec = _spec(args)
    classifier = EmotionClassifier.load(args.model, threads=args.threads)
    sink, stats = make_sink(args.json), StreamStats()
    mqtt = sink_from_args(args)  # None without --mqtt; publishing never blocks the stream
    try:
        source = open_source(args, spec)
    except DeviceError as exc:
        _note(str(exc))
        if mqtt is not None:
            mqtt.close(None)
        return EXIT_FAILED
    warning = classifier.model.warn_rate(source.sample_rate, source.name)
    if warning is not None:
        _note(f"warning: {source.name}: {warning}")
    stop = _StopSignals()
    status, previous = EXIT_OK, signal.signal(signal.SIGTERM, stop)
    # Ctrl-C even when started with SIGINT ignored (a background job of a non-interactive shell)
    previous_int = signal.signal(signal.SIGINT, stop)
    try:
        with source:
            watch = _Watcher(source, spec, args.slow_consumer)
            events = listen(source, classifier, spec, stats, args.duration, watch, critical=stop.deferred)
            emit = _emitter(sink, mqtt)
            try:
                for event in events:
                    emit(event)
            except StopListening:  # the signal came while an event was being written
                for event in _rest(events):
                    emit(event)
    except StopListening:
        pass  # a second signal while stopping: stop at once
    except DeviceError as exc:
        _note(str(exc))
        status = EXIT_FAILED
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    _note(f"summary: {stats.summary()}")
    if mqtt is not None:
        mqtt.close(dataclasses.asdict(stats))  # summary, "offline" and the counts; waits <= 5 s
    return status
