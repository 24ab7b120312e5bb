"""An audio file read block by block, so that files of any length fit in bounded memory.

With soundfile (the ``flac`` extra) the file is read a block at a time; without it, or for a
file soundfile cannot open (e.g. a WAV streamed to a pipe, which :func:`.audio.read_audio`
repairs), it is read whole and handed out in blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AudioError
from .read import read_audio, to_mono


def _soundfile_info(path: Path) -> Any:
    """soundfile's header info of the file, or None (no soundfile, or it cannot read the file)."""
    try:
        import soundfile
    except ImportError:
        return None
    try:
        return soundfile.info(str(path))
    except (RuntimeError, soundfile.LibsndfileError):
        return None


class FileBlocks:
    """Mono float32 blocks of ``block_seconds`` from an audio file, each time it is iterated.

    ``sample_rate`` (Hz), ``frames`` (samples per channel, from the header) and ``duration``
    (seconds) are known before reading. Raises AudioError for a file that cannot be read or
    holds NaN/Inf samples (naming the file).
    """

    def __init__(self, path: str | Path, block_seconds: float = 1.0) -> None:
        self.path, self.name = Path(path), str(path)
        self.block_seconds = block_seconds
        self._samples: np.ndarray | None = None
        info = _soundfile_info(self.path) if self.path.is_file() else None
        if info is None or info.frames <= 0:
            self._samples, self.sample_rate = read_audio(self.path)
            self.frames = len(self._samples)
        else:
            self.sample_rate, self.frames = int(info.samplerate), int(info.frames)

    @property
    def duration(self) -> float:
        """The file's length in seconds."""
        return self.frames / float(self.sample_rate)

    def __iter__(self) -> Iterator[np.ndarray]:
        n = max(1, round(self.block_seconds * self.sample_rate))
        if self._samples is not None:
            yield from (self._samples[i:i + n] for i in range(0, len(self._samples), n))
            return
        import soundfile

        try:
            with soundfile.SoundFile(str(self.path)) as handle:
                for data in handle.blocks(n, dtype="float32", always_2d=True):
                    yield self._checked(to_mono(data))
        except (RuntimeError, soundfile.LibsndfileError) as exc:
            raise AudioError(f"{self.name}: cannot read audio ({exc})") from None

    def _checked(self, block: np.ndarray) -> np.ndarray:
        if not np.all(np.isfinite(block)):
            raise AudioError(f"{self.name}: samples are NaN or infinite")
        return block
