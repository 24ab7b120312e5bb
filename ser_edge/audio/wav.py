"""A WAV reader in numpy: RIFF/RIFX/RF64 files -> sample rate in Hz and samples as stored, in blocks.

It reads what ``scipy.io.wavfile.read`` reads, with the same results (tested format by format
against it) and the same leniency, without importing ``scipy.io`` (whose package init pulls
scipy.io.matlab and scipy.sparse: ~0.1 s and tens of MB at start). Samples come back as scipy
returns them: PCM of 1..8 bits as uint8, 9..64 bits signed and left-justified in the smallest
int type (24-bit in int32), IEEE float 32/64 as float32/float64, (frames,) for one channel else
(frames, channels); WAVE_FORMAT_EXTENSIBLE with a PCM or float subformat likewise.

Chunks are walked as scipy walks them: odd sizes padded, unknown chunks skipped, the last
``data`` chunk wins, a ``data`` chunk longer than the file is read as far as it goes. Only the
headers are read to find the samples (:func:`wav_layout`); :meth:`WavLayout.read` then reads any
run of frames with one seek, so a file of any length is read block by block in bounded memory.
A WAV written to a pipe keeps placeholder sizes; :func:`streamed_sizes` says which header fields
to correct so that it reads as the recording it is. Failures: :class:`WavEncodingError` (a valid
header of another encoding, e.g. mu-law: let soundfile try), :class:`WavTruncatedError` (the RIFF
size says the file goes on after the data), and :class:`WavError` for everything else malformed.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

PCM, IEEE_FLOAT, EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
#: The KSDATAFORMAT_SUBTYPE GUID after its first four bytes (the format tag), per byte order.
_GUID_TAIL = {"<": b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71",
              ">": b"\x00\x00\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71"}
#: Byte order of each file magic.
_BYTE_ORDER = {b"RIFF": "<", b"RIFX": ">", b"RF64": "<"}


class WavError(Exception):
    """A malformed WAV file (the message says what is wrong)."""


class WavEncodingError(WavError):
    """A well-formed WAV header naming an encoding this reader does not decode."""


class WavTruncatedError(WavError):
    """The file ends before the size its RIFF header gives (after a data chunk was read)."""


class _Cursor:
    """Read position over a seekable file of ``size`` bytes; reads stop at the end, skips may pass
    it. ``patches`` (byte offset -> uint32 value) replace 4-byte header fields as they are read."""

    def __init__(self, fh: BinaryIO, size: int, order: str, patches: dict[int, int] | None = None) -> None:
        self.fh, self.size, self.pos, self.order = fh, size, 0, order
        self.patches = patches or {}

    def read(self, n: int) -> bytes:
        if self.pos >= self.size or n <= 0:
            return b""
        self.fh.seek(self.pos)
        out = self.fh.read(min(n, self.size - self.pos))
        for at, value in self.patches.items():
            if self.pos <= at and at + 4 <= self.pos + len(out):
                i = at - self.pos
                out = out[:i] + struct.pack("<I", value) + out[i + 4:]
        self.pos += len(out)
        return out

    def advance(self, n: int) -> None:
        """Move ``n`` bytes on, stopping at the end of the file (as reading them would)."""
        self.pos += max(0, min(n, self.size - self.pos))

    def unpack(self, fmt: str) -> tuple:
        """struct-unpack the next bytes; WavError when the file ends first."""
        size = struct.calcsize(self.order + fmt)
        data = self.read(size)
        if len(data) < size:
            raise WavError(f"header ends early: expected {size} bytes, got {len(data)}")
        return struct.unpack(self.order + fmt, data)

    def skip(self, n: int) -> None:
        """Move ``n`` bytes on, plus the pad byte of an odd-sized chunk."""
        self.pos += n + (n & 1)


def _riff_header(cur: _Cursor) -> tuple[int, int | None]:
    """Parse RIFF/RIFX/RF64 + WAVE (+ ds64): (file size from the header, RF64 data size or None)."""
    magic = cur.read(4)
    if magic not in _BYTE_ORDER:
        raise WavError(f"expected 'RIFF', 'RIFX' or 'RF64', got {magic!r}")
    cur.order = _BYTE_ORDER[magic]
    if magic != b"RF64":
        (size,) = cur.unpack("I")
        form = cur.read(4)
        rf64_data = None
    else:
        cur.read(4)
        form = cur.read(4)
        if cur.read(4) != b"ds64":
            raise WavError("invalid RF64 file: ds64 chunk not found")
        ds64_size, size, rf64_data = cur.unpack("IQQ")
        cur.pos += ds64_size - 16
    if form != b"WAVE":
        raise WavError(f"not a WAV file: RIFF form type is {form!r}")
    return size + 8, rf64_data


def _fmt_chunk(cur: _Cursor) -> tuple[int, int, int, int, int]:
    """Parse a ``fmt `` chunk after its id: (format tag, channels, rate Hz, block align, bits)."""
    (size,) = cur.unpack("I")
    if size < 16:
        raise WavError(f"fmt chunk of {size} bytes, expected at least 16")
    tag, channels, rate, byte_rate, block_align, bits = cur.unpack("HHIIHH")
    done = 16
    if tag == EXTENSIBLE and size >= 18:
        (ext_size,) = cur.unpack("H")
        done += 2
        if ext_size < 22:
            raise WavError(f"WAVE_FORMAT_EXTENSIBLE extension of {ext_size} bytes, expected 22")
        guid = cur.read(22)[6:22]
        done += 22
        if len(guid) == 16 and guid.endswith(_GUID_TAIL[cur.order]):
            tag = struct.unpack(cur.order + "I", guid[:4])[0]
    if tag not in (PCM, IEEE_FLOAT):
        raise WavEncodingError(f"unsupported WAV encoding: format tag {tag:#06x}")
    cur.advance(size - done)
    cur.pos += size & 1
    if tag == PCM and byte_rate != rate * block_align:
        raise WavError(f"byte rate {byte_rate} is not rate {rate} x block align {block_align}")
    return tag, channels, rate, block_align, bits


def _sample_dtype(tag: int, width: int, bits: int, order: str) -> str:
    """numpy dtype of one stored sample of ``width`` bytes ('V1': raw bytes, widened later)."""
    if tag == IEEE_FLOAT:
        if bits not in (32, 64) or width not in (4, 8):
            raise WavError(f"unsupported float WAV: {bits} bits in {width}-byte samples (expected 32 or 64)")
        return f"{order}f{width}"
    if 1 <= bits <= 8:
        return "u1"  # WAV PCM of 8 bits or less is unsigned
    if width in (3, 5, 6, 7):
        return "V1"
    if bits > 64 or width > 8:
        raise WavError(f"unsupported PCM WAV: {bits} bits in {width}-byte samples (expected up to 64)")
    return f"{order}i{width}"


def _widen(raw: np.ndarray, width: int, order: str) -> np.ndarray:
    """Samples of 3/5/6/7 bytes -> int32/int64, left-justified (as scipy returns 24-bit)."""
    if raw.size % width:
        raise WavError(f"data of {raw.size} bytes is not a whole number of {width}-byte samples")
    wide = np.zeros((raw.size // width, 4 if width == 3 else 8), dtype="V1")
    if order == ">":
        wide[:, :width] = raw.reshape(-1, width)
    else:
        wide[:, -width:] = raw.reshape(-1, width)
    return wide.view(f"{order}i{wide.shape[1]}").reshape(-1)


@dataclass(frozen=True)
class WavLayout:
    """Where a WAV file's samples are and how they are stored.

    ``rate`` Hz; ``channels``; ``dtype``: numpy dtype of one stored item (``V1``: raw bytes of a
    3/5/6/7-byte sample, widened to int32/int64 when read); ``width``: bytes per sample;
    ``offset``: byte offset of the first sample; ``frames``: whole frames the file holds (a data
    chunk longer than the file counts only what is there).
    """

    rate: int
    channels: int
    dtype: np.dtype
    width: int
    offset: int
    frames: int
    order: str

    @property
    def frame_bytes(self) -> int:
        """Bytes of one frame in the file (scipy reads the samples back to back)."""
        return self.channels * (self.width if self.dtype.char == "V" else self.dtype.itemsize)

    def read(self, fh: BinaryIO, start: int, count: int) -> np.ndarray:
        """Frames ``start .. start + count`` (clipped to the file) as stored: (n,) for one
        channel, else (n, channels)."""
        count = max(0, min(count, self.frames - start))
        fh.seek(self.offset + start * self.frame_bytes)
        raw = fh.read(count * self.frame_bytes)
        if len(raw) < count * self.frame_bytes:
            raise WavTruncatedError(f"file ended at frame {start + len(raw) // self.frame_bytes} of "
                                    f"{self.frames} (was it cut short while being read?)")
        data = np.frombuffer(raw, dtype=self.dtype)
        if self.dtype.char == "V":
            data = _widen(data, self.width, self.order)
        return data.reshape(-1, self.channels) if self.channels > 1 else data


def _data_chunk(cur: _Cursor, fmt: tuple[int, int, int, int, int], size: int) -> WavLayout:
    """The layout of a ``data`` chunk of ``size`` bytes starting at the cursor (cursor moved past
    what the file holds of it)."""
    tag, channels, rate, block_align, bits = fmt
    if channels == 0 or block_align < channels:
        raise WavError(f"{channels} channels in a block of {block_align} bytes")
    width = block_align // channels
    dtype = np.dtype(_sample_dtype(tag, width, bits, cur.order))
    count = size if dtype.char == "V" else size // width
    items = min(count, max(0, cur.size - cur.pos) // dtype.itemsize)
    offset = min(cur.pos, cur.size)
    cur.pos += items * dtype.itemsize
    cur.pos += size & 1
    samples = items
    if dtype.char == "V":
        if items % width:
            raise WavError(f"data of {items} bytes is not a whole number of {width}-byte samples")
        samples = items // width
    if channels > 1 and samples % channels:
        raise WavError(f"{samples} samples is not a whole number of {channels}-channel frames")
    return WavLayout(rate, channels, dtype, width, offset, samples // channels, cur.order)


def wav_layout(fh: BinaryIO, size: int, patches: dict[int, int] | None = None) -> WavLayout:
    """Walk a WAV file's chunks (``fh`` seekable, ``size`` bytes; ``patches``: header fields to
    correct, see :func:`streamed_sizes`) and return where its samples are. Reads headers only."""
    cur = _Cursor(fh, size, "<", patches)
    file_size, rf64_data = _riff_header(cur)
    fmt, data = None, None
    while cur.pos < file_size:
        chunk = cur.read(4)
        if not chunk:
            if data is None:
                raise WavError("unexpected end of file before a data chunk")
            raise WavTruncatedError(f"reached EOF prematurely; finished at {cur.pos} bytes, expected "
                                    f"{file_size} bytes from header")
        if len(chunk) < 4 and (fmt is None or data is None):
            raise WavError(f"incomplete chunk ID {chunk!r}")
        if chunk == b"fmt ":
            fmt = _fmt_chunk(cur)
        elif chunk == b"data":
            if fmt is None:
                raise WavError("no fmt chunk before data")
            (chunk_size,) = cur.unpack("I")
            data = _data_chunk(cur, fmt, chunk_size if rf64_data is None else rf64_data)
        else:
            chunk_size = cur.read(4)
            if 0 < len(chunk_size) < 4:
                raise WavError(f"incomplete size of chunk {chunk!r}")
            if chunk_size:
                cur.skip(struct.unpack(cur.order + "I", chunk_size)[0])
    if fmt is None or data is None:
        raise WavError("no fmt and data chunk within the size the RIFF header gives")
    return data


def read_wav(raw: bytes) -> tuple[int, np.ndarray]:
    """Decode a whole WAV file's bytes: (sample rate in Hz, samples as stored, see the module doc)."""
    fh = io.BytesIO(raw)
    layout = wav_layout(fh, len(raw))
    return layout.rate, layout.read(fh, 0, layout.frames)


#: RIFF/data sizes at or above this (or a RIFF size of 0) are placeholders of a streamed WAV.
STREAMED_SIZE = 0x7FFFF000


def streamed_sizes(fh: BinaryIO, size: int) -> dict[int, int] | None:
    """A WAV written to a pipe (``arecord > x.wav``, ``ffmpeg ... -f wav -``) keeps placeholder
    sizes (RIFF 0 or ~0xFFFFFFFF, a final data chunk running past the end): the header fields to
    correct (byte offset -> size that the file holds), or None when the file is not such a WAV.
    A file whose sizes are plausible but too big (a copy cut short) is not one: None."""
    fh.seek(0)
    head = fh.read(12)
    if head[:4] != b"RIFF" or len(head) < 12:
        return None
    riff = struct.unpack_from("<I", head, 4)[0]
    placeholder, pos, patches = riff == 0 or riff >= STREAMED_SIZE, 12, {}
    while pos + 8 <= size:
        fh.seek(pos)
        chunk = fh.read(8)
        chunk_size = struct.unpack_from("<I", chunk, 4)[0]
        if chunk[:4] == b"data":
            if pos + 8 + chunk_size > size and (placeholder or chunk_size >= STREAMED_SIZE):
                patches[pos + 4] = size - pos - 8
                placeholder = True
            break
        pos += 8 + chunk_size + (chunk_size & 1)
    if not placeholder:
        return None
    patches[4] = size - 8
    return patches
