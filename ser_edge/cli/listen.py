"""``ser-edge listen`` (continuous classification), ``ser-edge devices`` (input devices) and
the stop signals.

Ctrl-C and SIGTERM end ``listen`` cleanly: the utterance in progress is still classified, the
summary goes to stderr and the exit status is 0. A device that cannot be opened, or that stops
delivering audio, gives one line and 1. With ``--mqtt``, the status is also 1 when the broker
was never reached or an event could not be delivered (docs/iot.md).
"""

from __future__ import annotations

import argparse
import json
import signal
import time
from typing import Any

from ..config import STREAM_MODES, StreamSpec
from ..errors import AudioError, ContractError, DeviceError
from ..frontend import FrontendSpec
from .calibration import add_calibration_options, check_calibration, start_calibration
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_model_options,
    details,
    error_line,
    load_classifier,
    log,
    model_frontend,
    need_extra,
    positive_int,
    resampling,
)

#: Seconds between two "audio lost" warnings.
WARN_EVERY = 5.0
#: Options that only apply to one source or mode: flag -> (attribute, where it applies).
PCM_ONLY = {"--format": "format", "--channels": "channels"}
WINDOW_ONLY = {"--window": "window", "--hop": "hop", "--smooth": "smooth"}


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


def add_listen_parser(subparsers: Any) -> argparse.ArgumentParser:
    """The ``listen`` subcommand. Options that apply only to one source or mode default to
    None, so :func:`check_listen` can tell which were given."""
    d = StreamSpec()
    p = subparsers.add_parser("listen", help="classify a live stream (microphone, file replay, stdin PCM)")
    src = p.add_argument_group("source (default: the default microphone)")
    src.add_argument("--device", metavar="ID|NAME", help="input device index or name substring")
    src.add_argument("--retry", type=int, metavar="N",
                     help="reopen a lost device up to N times in a row, waiting 0.5, 1, 2 ... s "
                          "(default 0: exit with status 1 and let a supervisor restart listen)")
    src.add_argument("--input", metavar="FILE", help="replay an audio file; '-' reads raw PCM from stdin")
    src.add_argument("--realtime", action="store_true", help="replay --input FILE at real-time pace")
    src.add_argument("--rate", type=positive_int, metavar="HZ", help="stdin PCM rate (required with "
                     "--input -); for a device, the rate to open it at (default: its own, or a common rate "
                     "when its own is below the lowest rate measured as fine for the model)")
    src.add_argument("--format", choices=("s16le", "f32le"), help="stdin PCM format (default s16le)")
    src.add_argument("--channels", type=positive_int, metavar="N", help="stdin PCM channels (default 1)")
    seg = p.add_argument_group("segmentation")
    seg.add_argument("--mode", choices=STREAM_MODES, default=d.mode,
                     help=f"classify whole utterances or fixed windows (default {d.mode})")
    seg.add_argument("--window", type=float, metavar="S",
                     help=f"window mode: length (s, default {d.window:g})")
    seg.add_argument("--hop", type=float, metavar="S", help=f"window mode: hop (s, default {d.hop:g}), "
                     "rounded to whole feature frames (10 ms; seed model: STFT hops, 1 s -> 0.9985 s)")
    seg.add_argument("--smooth", type=positive_int, metavar="N",
                     help="window mode: average scores over the last N windows (default 1)")
    seg.add_argument("--min-confidence", type=float, default=d.min_confidence, metavar="P",
                     help="print only events at least this confident (0..1)")
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


def add_devices_parser(subparsers: Any) -> argparse.ArgumentParser:
    """The ``devices`` subcommand."""
    p = subparsers.add_parser("devices", help="list audio input devices")
    p.add_argument("--json", action="store_true", help="one JSON array of the devices ([] when none)")
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


def mqtt_options(args: Any) -> Any:
    """The :class:`~ser_edge.sinks.config.MqttOptions` of the parsed options, None without
    ``--mqtt``; :class:`UsageError` for an MQTT option without ``--mqtt``, a missing PEM file,
    TLS files with an ``mqtt://`` URL."""
    from ..sinks.config import MqttError, MqttOptions

    names = ("ha_discovery", "mqtt_ca", "mqtt_cert", "mqtt_key", "mqtt_client_id")
    extra = {"--" + name.replace("_", "-"): getattr(args, name, None) for name in names}
    if args.mqtt is None:
        given = [flag for flag, value in extra.items() if value]
        if given:
            raise UsageError(f"listen: {_flags(set(given), 'need')} --mqtt URL")
        return None
    try:
        options = MqttOptions(client_id=args.mqtt_client_id, ca_file=args.mqtt_ca, cert_file=args.mqtt_cert,
                              key_file=args.mqtt_key, ha_discovery=args.ha_discovery)
    except MqttError as exc:
        raise UsageError(f"listen: {exc}") from None
    if (args.mqtt_ca or args.mqtt_cert or args.mqtt_key) and not args.mqtt.tls:
        raise UsageError(f"listen: --mqtt-ca/--mqtt-cert/--mqtt-key need an mqtts:// URL, got {args.mqtt}")
    return options


def sink_from_args(args: Any) -> Any:
    """The :class:`~ser_edge.sinks.mqtt.MqttSink` the parsed options ask for, or None without ``--mqtt``."""
    from ..sinks.mqtt import MqttSink

    options = mqtt_options(args)
    return None if options is None else MqttSink(args.mqtt, options)


def cmd_devices(args: argparse.Namespace) -> int:
    """The input devices: a table, or with ``--json`` one JSON array (``[]`` when there is none).
    No input device: one line on stderr and exit status 1, as ``listen`` on the microphone."""
    from ..stream.mic import list_input_devices

    need_extra("sounddevice", "sounddevice", "mic", "devices")
    devices = list_input_devices()
    if args.json:
        print(json.dumps(devices), flush=True)
    for d in devices if not args.json else []:
        print(f"{d['index']:>3}  {d['name']:<40} {d['channels']:>3} ch  "
              f"{d['default_samplerate']:>7.0f} Hz  ({d['hostapi']})", flush=True)
    if not devices:
        error_line("no audio input device found")
        return EXIT_FAILED
    return EXIT_OK


def _not_applying(args: argparse.Namespace) -> str:
    """Why a given option does not apply to the chosen source and mode ("" when all do)."""
    pcm = args.input == "-"
    given = {flag for flag, name in PCM_ONLY.items() if getattr(args, name) is not None}
    if given and not pcm:
        return (f"{_flags(given)} only to raw PCM on stdin (--input -)"
                + ("; a file has its own" if args.input else ""))
    if args.input and args.device is not None:
        return "--device applies to a microphone, not to --input"
    if args.input and not pcm and args.rate is not None:
        return "--rate applies to raw PCM on stdin (--input -) or a device, not to a file (it has its own)"
    if args.realtime and (pcm or not args.input):
        return "--realtime applies only to --input FILE (live sources are real time already)"
    if args.retry is not None and args.input:
        return "--retry applies only to a device"
    given = {flag for flag, name in WINDOW_ONLY.items() if getattr(args, name) is not None}
    if given and args.mode != "window":
        return f"{_flags(given)} only to --mode window"
    return ""


def _flags(given: set[str], verb: str = "apply") -> str:
    """``"--format applies"``, ``"--channels/--format apply"``."""
    singular = {"apply": "applies", "need": "needs"}[verb]
    return f"{'/'.join(sorted(given))} {singular if len(given) == 1 else verb}"


def min_window(spec: StreamSpec, frontend: FrontendSpec | None, whose: str) -> tuple[float, str]:
    """The shortest window (s) that can hold speech, and why: one STFT frame of ``frontend``
    (``analysis_samples / sample_rate``; None: not known yet), and ``min_speech`` seconds of whole
    gate frames."""
    speech = spec.min_speech + spec.frame_seconds  # whole frames: one more than min_speech holds
    held = (f"a window with speech holds {spec.min_speech:g} s of voiced "
            f"{spec.frame_seconds * 1000:g} ms frames")
    if frontend is None:
        return speech, held
    stft = frontend.analysis_samples / frontend.sample_rate
    if stft >= speech:
        return stft, (f"one STFT frame of {whose}: {frontend.analysis_samples} samples at "
                      f"{frontend.sample_rate} Hz")
    return speech, f"{held}; one STFT frame of {whose} is {stft:.3f} s"


def check_window(spec: StreamSpec, frontend: FrontendSpec | None, whose: str) -> None:
    """UsageError for a window too short to hold speech (:func:`min_window`), or a hop outside (0, window]."""
    if spec.mode != "window":
        return
    shortest, why = min_window(spec, frontend, whose)
    if spec.window < shortest - 1e-9:
        raise UsageError(f"listen: --window {spec.window:g} is too short: expected --window >= "
                         f"{shortest:.2f} ({why})")
    if spec.hop > spec.window:
        raise UsageError(f"listen: --hop {spec.hop:g} is longer than --window {spec.window:g}: expected "
                         f"0 < --hop <= --window (a longer hop skips audio)")


def stream_spec(args: argparse.Namespace) -> StreamSpec:
    """The StreamSpec of the options (defaults for those not given); UsageError for bad values."""
    d = StreamSpec()
    given = {name: getattr(args, name) for name in WINDOW_ONLY.values() if getattr(args, name) is not None}
    for name, value in given.items():
        if name != "smooth" and not value > 0:
            raise UsageError(f"listen: --{name}: expected a number of seconds > 0, got {value:g}")
    try:
        return StreamSpec(**{**{"window": d.window, "hop": d.hop, "smooth": d.smooth}, **given},
                          mode=args.mode, min_confidence=args.min_confidence,
                          queue_seconds=args.queue_seconds)
    except ContractError as exc:
        raise UsageError(f"listen: {exc}") from None


def check_listen(args: argparse.Namespace) -> None:
    """Every option of ``listen``, before the model loads: UsageError (exit 2) naming the option."""
    if args.input == "-" and not args.rate:
        raise UsageError("listen: --input - needs --rate HZ (and --format, --channels) for the raw PCM "
                         "on stdin")
    why = _not_applying(args)
    if why:
        raise UsageError(f"listen: {why}")
    if args.duration is not None and not args.duration > 0:
        raise UsageError(f"listen: --duration: expected seconds > 0, got {args.duration:g}")
    if args.retry is not None and args.retry < 0:
        raise UsageError(f"listen: --retry: expected a count >= 0, got {args.retry}")
    # before the model loads, with its frontend read from the file (cmd_listen checks again after)
    check_window(stream_spec(args), model_frontend(args.model), "the model's frontend")
    check_calibration(args, "listen")
    mqtt_options(args)
    if not args.input:
        need_extra("sounddevice", "sounddevice", "mic", "listen: the microphone")
    if args.mqtt is not None:
        need_extra("paho.mqtt", "paho-mqtt", "mqtt", "listen: --mqtt")


def open_source(args: argparse.Namespace, spec: StreamSpec, min_rate: int | None = None) -> Any:
    """The source the options ask for (:func:`~ser_edge.stream.sources.open_input`); a device opens
    at its own rate only when that is at least ``min_rate`` (the model's lowest fine rate)."""
    from ..stream.sources import open_input

    return open_input(args.input, args.device, sample_rate=args.rate, fmt=args.format or "s16le",
                      channels=args.channels or 1, realtime=args.realtime, retries=args.retry or 0,
                      block_seconds=spec.block_seconds, queue_seconds=spec.queue_seconds,
                      on_note=log.warning, min_rate=min_rate)


class _Watcher:
    """Per-block hook: says when audio flows, warns when audio is lost, injects delays in tests."""

    def __init__(self, source: Any, spec: StreamSpec, delay: float | None) -> None:
        self.source, self.spec, self.delay = source, spec, delay
        self.started, self.overflows, self.warned = False, 0, -WARN_EVERY

    def __call__(self, stats: Any) -> None:
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


def _rest(events: Any) -> Any:
    """The events ``listen`` still gives once told to stop (the segment in progress)."""
    from ..stream.engine import StopListening

    try:
        first = events.throw(StopListening("stop"))
    except StopIteration:
        return
    yield first
    yield from events


def _stream(source: Any, classifier: Any, sink: Any, spec: StreamSpec, stats: Any,
            args: argparse.Namespace) -> int:
    """Run the stream into ``sink`` until it ends or a signal stops it; the exit status."""
    from ..stream.engine import StopListening, listen

    stop = _StopSignals()
    status, previous = EXIT_OK, signal.signal(signal.SIGTERM, stop)
    # Ctrl-C even when started with SIGINT ignored (a background job of a non-interactive shell)
    previous_int = signal.signal(signal.SIGINT, stop)
    try:
        watch = _Watcher(source, spec, args.slow_consumer)
        events = listen(source, classifier, spec, stats, args.duration, watch, critical=stop.deferred)
        try:
            for event in events:
                sink(event)
        except StopListening:  # the signal came while an event was being written
            for event in _rest(events):
                sink(event)
    except StopListening:
        pass  # a second signal while stopping: stop at once
    except DeviceError as exc:
        error_line(str(exc))
        status = EXIT_FAILED
    except AudioError as exc:
        if args.input != "-":
            raise
        error_line(f"{exc} (is the PCM on stdin really {args.format or 's16le'}, {args.channels or 1} "
                   f"channel(s) at {args.rate} Hz? check --format, --channels and --rate)")
        status = EXIT_FAILED
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    return status


class _EventDetails:
    """A sink for ``-vv``: when each event was decided (stream seconds) and how long after its end."""

    def __call__(self, event: Any) -> None:
        details.debug("event %.2f-%.2f s: %s %.2f, decided at %.2f s (%.2f s after its end)", event.start,
                      event.end, event.label, event.confidence, event.decided_at,
                      event.decided_at - event.end)

    def close(self, _stats: Any = None) -> None:
        """Nothing to release."""


def _delivered(mqtt: Any) -> bool:
    """Report what the MQTT sink delivered (after close); False when the broker was never
    reached or an event was lost."""
    stats = mqtt.stats
    (log.info if stats.delivered else log.warning)("mqtt: %s", stats.describe(mqtt.url))
    return stats.delivered


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
        sinks = [s for s in (make_sink(args.json), mqtt, keeper, _EventDetails()) if s is not None]
        sink, stats = TeeSink(*sinks), StreamStats()
        cpu = time.process_time()
        try:
            status = _stream(source, classifier, sink, spec, stats, args)
            log.info("summary: %s", stats.summary())
            used = time.process_time() - cpu
            details.info("CPU: %.2f s for %.1f s of audio (%.1f%% of real time)", used, stats.duration,
                         100.0 * used / stats.duration if stats.duration else 0.0)
        finally:
            sink.close(stats)  # MQTT: summary, "offline" and the counts; waits <= 5 s
    if mqtt is not None and not _delivered(mqtt):
        return EXIT_FAILED
    return status
