"""The recent audio of a stream, addressable by absolute sample index (amortised appends)."""

from __future__ import annotations

import numpy as np


class AudioBuffer:
    """The recent audio of the stream, addressable by absolute sample index.

    Held in one array with spare room at the end: appending copies only the new block
    (the array is compacted or grown when the room runs out), so a long-held context does
    not make every block cost a copy of all of it.
    """

    def __init__(self) -> None:
        self.reset(0)

    def reset(self, position: int) -> None:
        self.begin = position
        self._store = np.zeros(0, dtype=np.float32)
        self._lo = self._hi = 0  # the held samples are self._store[_lo:_hi]

    @property
    def end(self) -> int:
        return self.begin + self._hi - self._lo

    def append(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._hi + len(block) > len(self._store):
            held = self._store[self._lo:self._hi]
            room = max(2 * (len(held) + len(block)), 4096)
            store = np.empty(room, dtype=np.float32) if room > len(self._store) else self._store
            store[:len(held)] = held  # (overlapping move when compacting in place: numpy copes)
            self._store, self._lo, self._hi = store, 0, len(held)
        self._store[self._hi:self._hi + len(block)] = block
        self._hi += len(block)

    def slice(self, start: int, stop: int) -> np.ndarray:
        """Samples [start, stop) clipped to what is held; a copy."""
        a, b = max(start, self.begin) - self.begin, min(stop, self.end) - self.begin
        return self._store[self._lo + a:self._lo + max(a, b)].copy()

    def trim(self, keep_from: int) -> None:
        """Forget the samples before ``keep_from``."""
        cut = min(max(0, keep_from - self.begin), self._hi - self._lo)
        if cut:
            self._lo += cut
            self.begin += cut
