"""What every stream source shares: the chunk type, the bounded block queue, the base class.

A source is iterable and yields chunks ``(offset, block)``: ``offset`` is the stream position in
samples of the block's first sample (it jumps when blocks were lost to a full queue) and
``block`` is mono float32 (n,). Live producers (the microphone callback, ``--realtime``
replay) only copy into a :class:`BlockQueue`, which counts what a slow consumer makes it drop.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from typing_extensions import Self

Chunk = tuple[int, np.ndarray]


class BlockQueue:
    """A bounded queue of chunks; ``put`` never blocks (it drops and counts when full)."""

    def __init__(self, max_blocks: int) -> None:
        self._queue: queue.Queue[Chunk] = queue.Queue(maxsize=max(1, max_blocks))
        self.overflows = 0        # blocks dropped because the queue was full
        self.device_overflows = 0  # blocks the device itself flagged as overflowed
        self.dropped_samples = 0
        self.done = threading.Event()
        self.error: BaseException | None = None

    def put(self, offset: int, block: np.ndarray) -> bool:
        """Queue a chunk from a producer; False (and counted) when the queue was full."""
        try:
            self._queue.put_nowait((offset, block))
            return True
        except queue.Full:
            self.overflows += 1
            self.dropped_samples += len(block)
            return False

    def finish(self, error: BaseException | None = None) -> None:
        """The producer has ended (with ``error`` when it failed)."""
        self.error = error
        self.done.set()

    def get(self, timeout: float) -> Chunk | None:
        """The next chunk, or None after ``timeout`` seconds without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    @property
    def exhausted(self) -> bool:
        """The producer has ended and every chunk was taken."""
        return self.done.is_set() and self._queue.empty()

    def drain(self, poll: float = 0.1) -> Iterator[Chunk]:
        """Yield chunks until the producer ends; re-raise its error."""
        while not self.exhausted:
            chunk = self.get(poll)
            if chunk is not None:
                yield chunk
        if self.error is not None:
            raise self.error


class SourceBase:
    """The counters and context management of a :class:`~.protocol.Source`: a source that feeds a
    :class:`BlockQueue` sets ``_queue`` and gets its losses counted; the rest stay 0 unless
    a subclass sets them."""

    name = "<source>"
    sample_rate = 0
    reconnects = 0
    partial_frame_bytes = 0
    _queue: BlockQueue | None = None

    @property
    def overflows(self) -> int:
        q = self._queue
        return 0 if q is None else q.overflows + q.device_overflows

    @property
    def dropped_samples(self) -> int:
        return 0 if self._queue is None else self._queue.dropped_samples

    def __iter__(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds (idempotent)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
