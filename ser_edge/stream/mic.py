"""Input devices through sounddevice (PortAudio): listing, choosing, and a live source.

The PortAudio callback only copies each block into a :class:`~ser_edge.stream.blocks.BlockQueue`
(which counts what a slow consumer makes it drop). A device that stops delivering raises
:class:`DeviceError`, unless ``retries`` allows reopening it: then the source waits 0.5, 1,
2, 4 ... s (at most ``MAX_BACKOFF``), reopens the device found by the same index or name,
and goes on; the stream clock jumps over the lost wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DeviceError, MissingExtraError
from .blocks import BlockQueue, Chunk, SourceBase

if TYPE_CHECKING:
    from sounddevice import InputStream

#: Common device rates (Hz), tried in this order when the device's default is below ``min_rate``.
COMMON_RATES = (48000, 44100, 32000, 24000, 22050, 16000, 11025, 8000)
#: Longest wait (s) between two attempts to reopen a lost device.
MAX_BACKOFF = 10.0


def _sounddevice() -> ModuleType:
    """Import sounddevice, or raise the typed error naming the extra / the system library."""
    try:
        import sounddevice
    except ImportError:
        raise MissingExtraError("sounddevice", "mic") from None
    except OSError as exc:  # the PortAudio shared library is missing
        raise DeviceError(f"PortAudio is not usable ({exc}): install libportaudio2") from None
    return sounddevice


def list_input_devices() -> list[dict]:
    """Input devices: ``{"index", "name", "channels", "default_samplerate", "hostapi"}`` each."""
    sd = _sounddevice()
    apis = [api["name"] for api in sd.query_hostapis()]
    return [{"index": i, "name": d["name"], "channels": d["max_input_channels"],
             "default_samplerate": d["default_samplerate"], "hostapi": apis[d["hostapi"]]}
            for i, d in enumerate(sd.query_devices()) if d["max_input_channels"] > 0]


def resolve_device(device: int | str | None) -> int:
    """An input device index from an index, a name substring (case-insensitive) or None (default)."""
    inputs = list_input_devices()
    if not inputs:
        wanted = "" if device is None else f" (looking for {str(device)!r})"
        raise DeviceError(f"no audio input device found{wanted}")
    if device is None:
        default = _sounddevice().default.device[0]
        return default if default is not None and default >= 0 else inputs[0]["index"]
    if isinstance(device, int) or str(device).strip().isdigit():
        if int(device) in {d["index"] for d in inputs}:
            return int(device)
        raise DeviceError(f"input device {device}: no such input device index "
                          f"(have {[d['index'] for d in inputs]})")
    exact = [d for d in inputs if d["name"].lower() == str(device).lower()]
    found = exact or [d for d in inputs if str(device).lower() in d["name"].lower()]
    if len(found) != 1:
        what = "no input device" if not found else "several input devices"
        raise DeviceError(f"{what} named like {device!r}; inputs: {[d['name'] for d in inputs]}")
    return found[0]["index"]


def choose_rate(index: int, requested: int | None = None, min_rate: int | None = None) -> int:
    """A rate (Hz) the device accepts: ``requested``; else its default when that is at least
    ``min_rate`` (the model's lowest rate measured as fine, ``ModelSpec.min_fine_rate``; None:
    any default); else the first of COMMON_RATES it accepts."""
    sd = _sounddevice()
    default = int(sd.query_devices(index)["default_samplerate"])
    good_default = min_rate is None or default >= min_rate
    candidates = [requested] if requested else [default] * good_default + list(COMMON_RATES)
    for rate in candidates:
        try:
            sd.check_input_settings(device=index, channels=1, samplerate=rate, dtype="float32")
            return int(rate)
        except (sd.PortAudioError, ValueError):
            continue
    raise DeviceError(f"input device {index}: accepts none of the rates {candidates} Hz")


def rescan_devices() -> None:
    """Make PortAudio list the input devices again (a USB microphone plugged back in may get a
    new index; a new default device appears).

    PortAudio scans devices once, in ``Pa_Initialize``, and sounddevice has no public call to
    scan again; its maintainer's answer is ``sd._terminate(); sd._initialize()`` (python-sounddevice
    issues #125 and #516). This is the only place that calls those private functions. It stops
    every open PortAudio stream, so :class:`MicSource` calls it only with its stream closed, and
    only after reopening the same device failed; a sounddevice without them is left as it is.
    """
    sd = _sounddevice()
    terminate, initialize = getattr(sd, "_terminate", None), getattr(sd, "_initialize", None)
    if terminate is None or initialize is None:
        return
    terminate()
    initialize()


class MicSource(SourceBase):
    """A sounddevice InputStream feeding a bounded queue; see the module docstring.

    ``retries``: how many times in a row a lost device is reopened (0: raise at once);
    ``on_note(message)`` hears about losses and reconnections; ``stall_seconds``: how long
    without audio means the device is gone; ``sample_rate`` and ``min_rate``: see
    :func:`choose_rate` (pass the model's ``spec.min_fine_rate`` as ``min_rate``).
    """

    def __init__(self, device: int | str | None = None, *, sample_rate: int | None = None,
                 min_rate: int | None = None, block_seconds: float = 0.05, queue_seconds: float = 10.0,
                 stall_seconds: float = 2.0, retries: int = 0,
                 on_note: Callable[[str], None] | None = None) -> None:
        self.device, self.index = device, resolve_device(device)
        self.name = f"{self.index}: {_sounddevice().query_devices(self.index)['name']}"
        self.sample_rate = choose_rate(self.index, sample_rate, min_rate)
        self.block = max(1, int(block_seconds * self.sample_rate))
        self._queue = BlockQueue(int(np.ceil(queue_seconds / block_seconds)))
        self.stall_seconds, self.retries, self.on_note = stall_seconds, retries, on_note
        self.reconnects = 0
        self._offset = 0
        self._last_audio = time.monotonic()
        self._stream: InputStream | None = None

    def _callback(self, indata: np.ndarray, frames: int, _time: object, status: object) -> None:
        if getattr(status, "input_overflow", False):
            self._queue.device_overflows += 1
        self._queue.put(self._offset, indata[:, 0].copy())
        self._offset += frames

    def _open(self) -> None:
        sd = _sounddevice()
        try:
            self._stream = sd.InputStream(device=self.index, channels=1, samplerate=self.sample_rate,
                                          blocksize=self.block, dtype="float32", callback=self._callback)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(f"cannot open input device {self.name!r}: {exc}") from None
        self._last_audio = time.monotonic()

    def _blocks(self) -> Iterator[Chunk]:
        """Chunks from the open stream until it fails (DeviceError)."""
        while True:
            chunk = self._queue.get(0.1)
            if chunk is not None:
                self._last_audio = time.monotonic()
                yield chunk
            elif not self._stream.active:
                raise DeviceError(f"input device {self.name!r} stopped delivering audio")
            elif time.monotonic() - self._last_audio > self.stall_seconds:
                raise DeviceError(f"no audio from input device {self.name!r} for {self.stall_seconds:g} s "
                                  "(unplugged, or the audio server stopped)")

    def __iter__(self) -> Iterator[Chunk]:
        self._open()
        failures = 0
        while True:
            try:
                if self._stream is None:
                    self._reopen()
                for chunk in self._blocks():
                    failures = 0
                    yield chunk
            except DeviceError as exc:
                failures += 1
                if failures > self.retries:
                    raise
                self.close()
                wait = min(MAX_BACKOFF, 0.5 * 2 ** (failures - 1))
                self._say(f"{exc}; reopening in {wait:g} s (attempt {failures} of {self.retries})")
                time.sleep(wait)

    def _reopen(self) -> None:
        """Reopen the device (the same index, else found again by index or name after a device
        rescan); DeviceError if it is not back."""
        gap = int((time.monotonic() - self._last_audio) * self.sample_rate)
        self._queue.dropped_samples += gap
        self._offset += gap
        try:
            self._open()
        except DeviceError:
            rescan_devices()
            self.index = resolve_device(self.device if self.device is not None else self.index)
            self._open()
        self.reconnects += 1
        self._say(f"reopened input device {self.name!r}")

    def _say(self, message: str) -> None:
        if self.on_note is not None:
            self.on_note(message)

    def close(self) -> None:
        """Stop and close the device stream (idempotent; a device already gone is fine)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # noqa: BLE001, S110 - the device may already be gone: nothing to close
                pass
