"""``ser-edge devices``: the audio input devices, their indices and default rates (the ``mic`` extra)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from .common import EXIT_FAILED, EXIT_OK, error_line, need_extra

if TYPE_CHECKING:
    from .common import Subparsers


def add_devices_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """The ``devices`` subcommand."""
    p = subparsers.add_parser("devices", help="list audio input devices")
    p.add_argument("--json", action="store_true", help="one JSON array of the devices ([] when none)")
    p.set_defaults(func=cmd_devices)
    return p


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
