"""An audio file read block by block, so that files of any length fit in bounded memory.

Every file is read this way, the short ones too (:meth:`FileBlocks.read_all` fills one mono
array block by block; :func:`.read.read_audio` is that). Two readers, each a run of frames at a
time: WAV in PCM or IEEE float (what :mod:`.wav` decodes, scipy-exact; most WAV files) by the
numpy reader, which needs no import beyond numpy; every other format (FLAC, OGG/Vorbis, Opus,
MP3, AIFF, ... and WAV encodings the numpy reader lacks, e.g. mu-law or ADPCM) by soundfile
(libsndfile, a runtime dependency), imported on the first such file. Both scale samples as
libsndfile does (:mod:`.samples`), so a file gives the same samples whichever reads it.

A WAV written to a pipe keeps placeholder sizes in its header (``arecord > x.wav``, ``ffmpeg
... -f wav -``): its sizes are read as what the file holds (:func:`.wav.streamed_sizes`). A file
whose sizes are plausible but too big (a copy cut short) is NOT repaired: that stays a
"truncated WAV file" error. Every failure is an :class:`AudioError` naming the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AudioError
from .samples import int_to_float, to_mono
from .wav import WavEncodingError, WavError, WavLayout, WavTruncatedError, streamed_sizes, wav_layout

WAV_MAGIC = (b"RIFF", b"RIFX", b"RF64")
#: Headers of formats only soundfile reads (FLAC, OGG, AIFF, CAF, AU, MP3 with an ID3 tag).
OTHER_MAGIC = (b"fLaC", b"OggS", b"FORM", b"caff", b".snd", b"ID3")
#: Most samples (frames x channels) one block holds, whatever a header claims (4 MiB of float32):
#: a header's rate or channel count sets the block size, and a corrupt one must not set 19 GB.
MAX_BLOCK_SAMPLES = 1 << 20
#: Most frames :meth:`FileBlocks.read_all` allocates up front (a header may claim any length).
MAX_PREALLOCATED = 1 << 24


def file_head(path: Path) -> bytes:
    """The first 12 bytes of an existing, readable, non-empty regular file; AudioError otherwise."""
    if not path.exists():
        loop = path.is_symlink()
        raise AudioError(f"{path}: {'broken symbolic link or symlink loop' if loop else 'no such file'}")
    if path.is_dir():
        raise AudioError(f"{path}: is a directory, expected an audio file")
    if not path.is_file():  # opening a FIFO would wait for a writer; /dev/zero never ends
        raise AudioError(f"{path}: not a regular file (a FIFO, device or socket), expected an audio file")
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise AudioError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if not head:
        raise AudioError(f"{path}: empty file (0 bytes)")
    return head


class _WavReader:
    """A PCM/float WAV file read by :mod:`.wav`: ``rate``, ``frames``, ``blocks(n)``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.layout = self._layout()
        self.rate, self.frames, self.channels = self.layout.rate, self.layout.frames, self.layout.channels

    def _layout(self) -> WavLayout:
        """The file's layout, its streamed-WAV sizes corrected when the first walk fails
        (WavEncodingError passed on: soundfile may read that encoding)."""
        size = self.path.stat().st_size
        with self.path.open("rb") as fh:
            try:
                return wav_layout(fh, size)
            except WavEncodingError:
                raise
            except WavError as exc:
                first = exc
            patches = streamed_sizes(fh, size)
            if patches is None:
                raise _wav_error(self.path, first)
            try:
                return wav_layout(fh, size, patches)
            except WavEncodingError:
                raise
            except WavError as exc:
                raise _wav_error(self.path, exc) from None

    def blocks(self, n: int) -> Iterator[np.ndarray]:
        """Mono float32 blocks of ``n`` frames (the last may be shorter)."""
        try:
            with self.path.open("rb") as fh:
                for start in range(0, self.frames, n):
                    yield to_mono(int_to_float(self.layout.read(fh, start, n), str(self.path)))
        except WavError as exc:
            raise _wav_error(self.path, exc) from None
        except OSError as exc:
            raise AudioError(f"{self.path}: cannot read file ({exc.strerror or exc})") from None


def _wav_error(path: Path, exc: WavError) -> AudioError:
    if isinstance(exc, WavTruncatedError):
        return AudioError(f"{path}: truncated WAV file ({exc})")
    return AudioError(f"{path}: corrupt or truncated WAV file ({exc})")


def _soundfile(path: Path, what: str) -> Any:
    """The soundfile module; AudioError naming the file when it cannot be imported."""
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: libsndfile itself missing
        raise AudioError(f"{path}: {what}; reading it needs the soundfile package, which cannot be "
                         f"imported ({exc}): pip install soundfile") from None
    return soundfile


@lru_cache(maxsize=1)
def _front_to_back(soundfile: Any) -> type:
    """``soundfile.SoundFile`` for reading a file once from start to end, with no seek.

    On a seekable file soundfile seeks to the position it has just reached after every read;
    libsndfile 1.2's MP3 and Opus decoders do not land there exactly, so every block after the
    first came out wrong (up to 0.6 off on a sine of amplitude 0.5) unless the block size
    happened to be a multiple of the codec's frame. Reading front to back needs no seek.
    """

    class FrontToBack(soundfile.SoundFile):
        def seekable(self) -> bool:
            return False

    return FrontToBack


class _SoundfileReader:
    """Any format libsndfile reads: ``rate``, ``frames``, ``blocks(n)``."""

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what
        self.soundfile = _soundfile(path, what)
        with self._open() as handle:
            self.rate, self.frames = int(handle.samplerate), int(handle.frames)
            self.channels = max(1, int(handle.channels))

    def _open(self) -> Any:
        """An open ``soundfile.SoundFile``; AudioError naming the file when libsndfile refuses it."""
        try:
            return _front_to_back(self.soundfile)(str(self.path))
        except self.soundfile.SoundFileError as exc:
            raise AudioError(f"{self.path}: {self.what} ({exc})") from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise AudioError(f"{self.path}: {self.what} ({type(exc).__name__}: {exc})") from None

    def blocks(self, n: int) -> Iterator[np.ndarray]:
        """Mono float32 blocks of ``n`` frames (the last may be shorter)."""
        done = 0
        try:
            with self._open() as handle:  # at most the frames the header counts, as soundfile.read
                while done < self.frames and len(data := handle.read(min(n, self.frames - done),
                                                                      dtype="float32", always_2d=True)):
                    done += len(data)
                    yield to_mono(data)
        except (self.soundfile.SoundFileError, RuntimeError) as exc:
            raise AudioError(f"{self.path}: cannot read audio ({exc})") from None


def _reader(path: Path) -> _WavReader | _SoundfileReader:
    """The reader for the file at ``path`` (AudioError for an unusable path or an unknown format)."""
    head = file_head(path)
    if head[:4] in WAV_MAGIC:
        if head[8:12] != b"WAVE":
            raise AudioError(f"{path}: RIFF file that is not WAVE audio (type {head[8:12]!r})")
        try:
            return _WavReader(path)
        except WavEncodingError:
            return _SoundfileReader(path, "unsupported WAV encoding")
    if head.startswith(OTHER_MAGIC):
        return _SoundfileReader(path, "unreadable or corrupt audio file")
    return _SoundfileReader(path, "not an audio file, or a format neither the WAV reader nor "
                                  "soundfile can read")


class FileBlocks:
    """Mono float32 blocks of ``block_seconds`` from an audio file, each time it is iterated.

    ``sample_rate`` (Hz), ``frames`` (samples per channel, from the header), ``channels`` and
    ``duration`` (seconds) are known before reading; ``block_frames`` (frames per block) may be
    set before iterating. Raises AudioError for a file that cannot be read, has
    an invalid rate or, while iterating with ``finite`` (the default), holds NaN/Inf samples
    (naming the file). Memory: one block at a time, whatever the file's length.
    """

    def __init__(self, path: str | Path, block_seconds: float = 1.0, finite: bool = True) -> None:
        self.path, self.name = Path(path), str(path)
        self.block_seconds, self.finite = block_seconds, finite
        self._reader = _reader(self.path)
        self.sample_rate, self.frames = self._reader.rate, self._reader.frames
        self.channels = self._reader.channels
        if self.sample_rate <= 0:
            raise AudioError(f"{self.name}: invalid sample rate {self.sample_rate} Hz in the header")
        self.block_frames = self.frames_per_block(block_seconds)

    def frames_per_block(self, seconds: float, rounding: Any = round) -> int:
        """Frames in a block of ``seconds`` (``rounding``: round or int), at least 1 and at most
        MAX_BLOCK_SAMPLES samples over all channels, whatever rate the header claims."""
        return max(1, min(rounding(seconds * self.sample_rate), MAX_BLOCK_SAMPLES // self.channels))

    @property
    def duration(self) -> float:
        """The file's length in seconds."""
        return self.frames / float(self.sample_rate)

    def __iter__(self) -> Iterator[np.ndarray]:
        blocks = self._reader.blocks(self.block_frames)
        try:
            for block in blocks:
                if self.finite and not np.all(np.isfinite(block)):
                    raise AudioError(f"{self.name}: samples are NaN or infinite")
                yield block
        finally:
            blocks.close()  # closes the file at once when the caller stops early

    def read_all(self) -> np.ndarray:
        """The whole file as mono float32 (n,), filled block by block into one array (NaN/Inf
        passed on: the caller checks)."""
        out = np.empty(min(self.frames, MAX_PREALLOCATED), dtype=np.float32)
        filled, extra = 0, []
        for block in self._reader.blocks(self.block_frames):
            take = min(len(block), len(out) - filled)
            out[filled:filled + take] = block[:take]
            filled += take
            if take < len(block):  # longer than MAX_PREALLOCATED frames: the rest block by block
                extra.append(block[take:])
        return np.concatenate([out[:filled], *extra]) if extra else out[:filled]
