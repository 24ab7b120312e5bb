"""Repair of the one kind of "broken" WAV that is really fine: a WAV streamed to a pipe.

``arecord > x.wav`` and ``ffmpeg ... -f wav - > x.wav`` cannot seek back to write the sizes,
so the header keeps placeholders: a RIFF size of 0 or about 0xFFFFFFFF, and a final ``data``
chunk that claims more bytes than the file holds. libsndfile reads such files; scipy's reader
refuses them. :func:`streamed_wav` returns the bytes with the sizes set to what the file
holds, so they read as the recording they are. A file whose sizes are plausible but too big
(a copy cut short) is NOT repaired: that stays a "truncated WAV file" error.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import BinaryIO

#: RIFF/data sizes at or above this (or a RIFF size of 0) are placeholders of a streamed WAV.
_STREAMED_SIZE = 0x7FFFF000


def streamed_wav(path: Path) -> BinaryIO | None:
    """A WAV written to a pipe (``arecord > x.wav``, ``ffmpeg ... -f wav -``) keeps placeholder
    sizes (RIFF 0 or ~0xFFFFFFFF, a final data chunk running past the end): its bytes with the
    sizes set to what the file holds, or None when the file is not such a WAV."""
    try:
        raw = bytearray(path.read_bytes())
    except OSError:  # gone or unreadable since the first attempt: the caller's error stands
        return None
    riff = struct.unpack_from("<I", raw, 4)[0] if raw[:4] == b"RIFF" and len(raw) >= 12 else None
    placeholder, pos = riff is not None and (riff == 0 or riff >= _STREAMED_SIZE), 12
    while riff is not None and pos + 8 <= len(raw):
        size = struct.unpack_from("<I", raw, pos + 4)[0]
        if raw[pos:pos + 4] == b"data":
            if pos + 8 + size > len(raw) and (placeholder or size >= _STREAMED_SIZE):
                struct.pack_into("<I", raw, pos + 4, len(raw) - pos - 8)
                placeholder = True
            break
        pos += 8 + size + (size & 1)
    if not placeholder:
        return None
    struct.pack_into("<I", raw, 4, len(raw) - 8)
    return io.BytesIO(bytes(raw))
