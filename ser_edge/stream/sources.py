"""Where stream audio comes from: a file or raw PCM on a pipe (input devices: :mod:`.mic`).

Every source is iterable and yields ``(offset, block)``: ``offset`` is the stream position in
samples of the block's first sample (it jumps when blocks were lost to a full queue) and
``block`` is mono float32 (n,). Each has ``sample_rate`` (Hz), ``name``, ``overflows`` (events
where audio was lost), ``dropped_samples`` and ``close()``; all are context managers.
Live producers (the microphone callback, ``--realtime`` replay) only copy into a
:class:`~ser_edge.stream.blocks.BlockQueue`, which counts what a slow consumer makes it drop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..errors import AudioError
from .blocks import BlockQueue, Chunk, Source


def _file_blocks(path: Path, block_seconds: float) -> tuple[int, Iterator[np.ndarray]]:
    """(rate, iterator over mono float32 blocks): read lazily with soundfile, else whole."""
    try:
        import soundfile
    except ImportError:
        from ..frontend.audio import read_audio

        samples, rate = read_audio(path)
        n = max(1, int(rate * block_seconds))
        return rate, (samples[i:i + n] for i in range(0, len(samples), n))
    try:
        handle = soundfile.SoundFile(str(path))
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioError(f"{path}: cannot read audio ({exc})") from None
    return handle.samplerate, _soundfile_blocks(handle, max(1, int(handle.samplerate * block_seconds)))


def _soundfile_blocks(handle: Any, n: int) -> Iterator[np.ndarray]:
    """Mono float32 blocks of ``n`` frames (the last may be shorter); closes ``handle``."""
    with handle:
        while True:
            data = handle.read(n, dtype="float32", always_2d=True)
            if len(data) == 0:
                return
            yield data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0].copy()


class FileSource(Source):
    """Replay an audio file as a stream: as fast as possible, or paced like a live device.

    With ``realtime`` a thread feeds a :class:`BlockQueue` at the file's rate, so a consumer
    slower than real time loses (and counts) blocks exactly as with a microphone.
    """

    def __init__(self, path: str | Path, *, block_seconds: float = 0.05, realtime: bool = False,
                 queue_seconds: float = 10.0) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise AudioError(f"{self.path}: no such audio file")
        self.name = str(self.path)
        self.sample_rate, self._blocks = _file_blocks(self.path, block_seconds)
        self.realtime = realtime
        if realtime:
            self._queue = BlockQueue(int(np.ceil(queue_seconds / block_seconds)))
        self._stop = threading.Event()

    def __iter__(self) -> Iterator[Chunk]:
        if not self.realtime:
            offset = 0
            for block in self._blocks:
                yield offset, block
                offset += len(block)
            return
        thread = threading.Thread(target=self._produce, name="ser-edge-replay", daemon=True)
        thread.start()
        yield from self._queue.drain()

    def _produce(self) -> None:
        start, offset = time.monotonic(), 0
        try:
            for block in self._blocks:
                offset += len(block)
                wait = start + offset / self.sample_rate - time.monotonic()
                if self._stop.wait(max(0.0, wait)):
                    break
                self._queue.put(offset - len(block), block)
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            self._queue.finish(exc)
            return
        self._queue.finish()

    def close(self) -> None:
        self._stop.set()


class PcmSource(Source):
    """Raw interleaved PCM from a binary stream (stdin): ``arecord``/``parec``/``ffmpeg`` pipes.

    An incomplete last frame at the end of the stream cannot be decoded: its bytes are
    counted in ``partial_frame_bytes`` (0 < n < ``frame_bytes``) instead of being dropped silently.
    """

    def __init__(self, stream: BinaryIO, *, sample_rate: int, fmt: str = "s16le", channels: int = 1,
                 block_seconds: float = 0.05, name: str = "<stdin>") -> None:
        from ..frontend.audio import pcm_frame_bytes

        if sample_rate <= 0 or channels <= 0:
            raise AudioError(f"{name}: need a positive rate and channel count, got rate={sample_rate}, "
                             f"channels={channels}")
        self.stream, self.sample_rate, self.fmt, self.channels = stream, sample_rate, fmt, channels
        self.name = name
        self.frame_bytes = pcm_frame_bytes(fmt, channels)
        self.block_bytes = max(1, int(block_seconds * sample_rate)) * self.frame_bytes
        self.partial_frame_bytes = 0  # bytes of an incomplete frame left at the end of the stream

    def __iter__(self) -> Iterator[Chunk]:
        from ..frontend.audio import decode_pcm

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
                block = decode_pcm(data[:whole], self.fmt, self.channels)
                yield offset, block
                offset += len(block)


def open_input(path: str | Path | None = None, device: int | str | None = None) -> Any:
    """A replay of the file at ``path``, else the input ``device`` (None: the default one).

    The microphone needs the ``mic`` extra (sounddevice), imported only when asked for.
    """
    if path:
        return FileSource(path)
    from .mic import MicSource

    return MicSource(device)
