"""``listen``'s options: the source and segmentation options, and every check of them before
the model loads (a usage error, exit 2, naming the option).

Options that apply only to one source or mode default to None, so :func:`not_applying` can
tell which were given.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..config import STREAM_MODES, StreamSpec
from ..errors import ConfigError
from .calibration import check_calibration
from .common import UsageError, flags_verb, model_frontend, need_extra, positive_int
from .mqtt import mqtt_options

if TYPE_CHECKING:
    from ..frontend import FrontendSpec

#: Options that only apply to one source or mode: flag -> argparse attribute.
PCM_ONLY = {"--format": "format", "--channels": "channels"}
WINDOW_ONLY = {"--window": "window", "--hop": "hop", "--smooth": "smooth"}


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """Where the audio comes from: ``--device``, ``--retry``, ``--input``, ``--realtime``,
    ``--rate``, ``--format``, ``--channels``."""
    src = parser.add_argument_group("source (default: the default microphone)")
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


def add_segmentation_options(parser: argparse.ArgumentParser) -> None:
    """How the stream is cut: ``--mode``, ``--window``, ``--hop``, ``--smooth``, ``--min-confidence``."""
    d = StreamSpec()
    seg = parser.add_argument_group("segmentation")
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


def not_applying(args: argparse.Namespace) -> str:
    """Why a given option does not apply to the chosen source and mode ("" when all do)."""
    pcm = args.input == "-"
    given = {flag for flag, name in PCM_ONLY.items() if getattr(args, name) is not None}
    if given and not pcm:
        return (f"{flags_verb(given)} only to raw PCM on stdin (--input -)"
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
        return f"{flags_verb(given)} only to --mode window"
    return ""


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
    except ConfigError as exc:
        raise UsageError(f"listen: {exc}") from None


def check_listen(args: argparse.Namespace) -> None:
    """Every option of ``listen``, before the model loads: UsageError (exit 2) naming the option."""
    if args.input == "-" and not args.rate:
        raise UsageError("listen: --input - needs --rate HZ (and --format, --channels) for the raw PCM "
                         "on stdin")
    why = not_applying(args)
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
