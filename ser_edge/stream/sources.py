"""Where stream audio comes from: a file or raw PCM on a pipe (input devices: :mod:`.mic`).

Every source is iterable and yields ``(offset, block)``: ``offset`` is the stream position in
samples of the block's first sample (it jumps when blocks were lost to a full queue) and
``block`` is mono float32 (n,). Each is a :class:`~ser_edge.stream.protocol.Source`
(``sample_rate`` in Hz, ``name``, ``overflows``, ``dropped_samples``, ``close()``, a context manager).
Live producers (the microphone callback, ``--realtime`` replay) only copy into a
:class:`~ser_edge.stream.blocks.BlockQueue`, which counts what a slow consumer makes it drop.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..audio.filestream import FileBlocks
from ..audio.read import as_mono_float32, decode_pcm, pcm_frame_bytes
from ..errors import AudioError
from .blocks import BlockQueue, Chunk, SourceBase
from .protocol import Source


class FileSource(SourceBase):
    """Replay an audio file as a stream: as fast as possible, or paced like a live device.

    Every iteration replays the file from its first sample, read block by block
    (:class:`~ser_edge.audio.filestream.FileBlocks`: bounded memory for any length; NaN/Inf
    samples are passed on, the engine mutes and counts them). With ``realtime`` a thread feeds a
    :class:`BlockQueue` at the file's rate, so a consumer slower than real time loses (and
    counts) blocks exactly as with a microphone. ``close()`` closes the file (iterating again
    reopens it).
    """

    def __init__(self, path: str | Path, *, block_seconds: float = 0.05, realtime: bool = False,
                 queue_seconds: float = 10.0) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise AudioError(f"{self.path}: is a directory, expected an audio file")
        if not self.path.is_file():
            raise AudioError(f"{self.path}: no such audio file")
        self.name = str(self.path)
        self.realtime, self.block_seconds, self.queue_seconds = realtime, block_seconds, queue_seconds
        self._file = FileBlocks(self.path, block_seconds, finite=False)
        self.sample_rate = self._file.sample_rate
        self._file.block_frames = self._file.frames_per_block(block_seconds, int)
        self._reading: Iterator[np.ndarray] | None = None  # the open file's blocks, while replaying
        if realtime:
            self._queue = self._new_queue()
        self._stop = threading.Event()

    def _new_queue(self) -> BlockQueue:
        return BlockQueue(int(np.ceil(self.queue_seconds / self.block_seconds)))

    def _blocks(self) -> Iterator[np.ndarray]:
        """Mono float32 blocks from the first sample (the last may be shorter)."""
        self._reading = iter(self._file)
        for block in self._reading:
            yield as_mono_float32(block, self.name)

    def __iter__(self) -> Iterator[Chunk]:
        if not self.realtime:
            offset = 0
            for block in self._blocks():
                yield offset, block
                offset += len(block)
            return
        self._queue, self._stop = self._new_queue(), threading.Event()
        thread = threading.Thread(target=self._produce, args=(self._queue, self._stop),
                                  name="ser-edge-replay", daemon=True)
        thread.start()
        yield from self._queue.drain()

    def _produce(self, blocks: BlockQueue, stop: threading.Event) -> None:
        start, offset = time.monotonic(), 0
        try:
            for block in self._blocks():
                offset += len(block)
                wait = start + offset / self.sample_rate - time.monotonic()
                if stop.wait(max(0.0, wait)):
                    break
                blocks.put(offset - len(block), block)
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            blocks.finish(exc)
            return
        blocks.finish()

    def close(self) -> None:
        """Stop a real-time replay and close the file (idempotent)."""
        self._stop.set()
        reading, self._reading = self._reading, None
        if reading is not None and hasattr(reading, "close"):
            try:
                reading.close()  # a generator: closes the file it holds
            except ValueError:  # running in the replay thread, which stops at self._stop
                pass


class PcmSource(SourceBase):
    """Raw interleaved PCM from a binary stream (stdin): ``arecord``/``parec``/``ffmpeg`` pipes.

    An incomplete last frame at the end of the stream cannot be decoded: its bytes are
    counted in ``partial_frame_bytes`` (0 < n < ``frame_bytes``) instead of being dropped silently.
    """

    def __init__(self, stream: BinaryIO, *, sample_rate: int, fmt: str = "s16le", channels: int = 1,
                 block_seconds: float = 0.05, name: str = "<stdin>") -> None:
        if sample_rate <= 0 or channels <= 0:
            raise AudioError(f"{name}: need a positive rate and channel count, got rate={sample_rate}, "
                             f"channels={channels}")
        self.stream, self.sample_rate, self.fmt, self.channels = stream, sample_rate, fmt, channels
        self.name = name
        self.frame_bytes = pcm_frame_bytes(fmt, channels)
        self.block_bytes = max(1, int(block_seconds * sample_rate)) * self.frame_bytes
        self.partial_frame_bytes = 0  # bytes of an incomplete frame left at the end of the stream

    def __iter__(self) -> Iterator[Chunk]:
        offset, carry = 0, b""
        while True:
            data = self.stream.read(self.block_bytes)
            if not data:
                self.partial_frame_bytes = len(carry)
                return
            data = carry + data
            whole = len(data) - len(data) % self.frame_bytes
            carry = data[whole:]
            if whole:
                block = as_mono_float32(decode_pcm(data[:whole], self.fmt, self.channels), self.name)
                yield offset, block
                offset += len(block)


def open_input(path: str | Path | None = None, device: int | str | None = None, *,
               sample_rate: int | None = None, fmt: str = "s16le", channels: int = 1,
               realtime: bool = False, retries: int = 0, block_seconds: float = 0.05,
               queue_seconds: float = 10.0, on_note: Callable[[str], None] | None = None,
               min_rate: int | None = None) -> Source:
    """A replay of the file at ``path``, raw PCM on stdin when ``path`` is ``"-"``, else the
    input ``device`` (None: the default one).

    ``sample_rate`` (Hz): the rate of the PCM on stdin (required there), or the rate to open the
    device at (None: its own). ``fmt``/``channels``: the PCM layout on stdin. ``realtime``: pace
    a file replay like a live device. ``retries``/``on_note``: reopening a lost device and
    hearing about it. ``min_rate``: the device's own rate is used only when at least this (pass
    the model's ``spec.min_fine_rate``; see :func:`~ser_edge.stream.mic.choose_rate`). The
    microphone needs the ``mic`` extra (sounddevice), imported only when asked for.
    """
    if path == "-":
        return PcmSource(sys.stdin.buffer, sample_rate=sample_rate or 0, fmt=fmt, channels=channels,
                         block_seconds=block_seconds)
    if path:
        return FileSource(path, block_seconds=block_seconds, realtime=realtime, queue_seconds=queue_seconds)
    from .mic import MicSource

    return MicSource(device, sample_rate=sample_rate, min_rate=min_rate, block_seconds=block_seconds,
                     queue_seconds=queue_seconds, retries=retries, on_note=on_note)
