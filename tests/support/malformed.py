"""Malformed audio inputs made at test time (nothing binary is committed).

:func:`wav_bytes` builds a WAV file field by field so that any header field can lie;
:func:`corpus` writes the whole collection of bad inputs into a folder and says, for each,
whether the runtime must refuse it (``"error"``), must read it and give the same result as the
clean file it was made from (``"same"``: e.g. the placeholder sizes ``arecord`` writes when it
streams a WAV to a pipe), or may give any well-formed answer (``"result"``: nonsense header
values that still decode to some audio).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PCM, FLOAT, MPEG3 = 1, 3, 0x55


@dataclass(frozen=True)
class Wav:
    """Header fields of a canonical RIFF/WAVE file; None means "the value that is right"."""

    data: bytes
    channels: int = 1
    rate: int = 16000
    bits: int = 16
    fmt_tag: int = PCM
    riff_size: int | None = None
    data_size: int | None = None
    block_align: int | None = None
    byte_rate: int | None = None
    fmt_size: int = 16
    extra_chunk: bytes = b""


def wav_bytes(w: Wav) -> bytes:
    """The bytes of ``w``: RIFF header, ``fmt `` chunk, optional extra chunks, ``data`` chunk."""
    align = w.block_align if w.block_align is not None else max(1, w.channels * w.bits // 8) & 0xFFFF
    byte_rate = w.byte_rate if w.byte_rate is not None else (w.rate * align) & 0xFFFFFFFF
    fmt = struct.pack("<HHIIHH", w.fmt_tag & 0xFFFF, w.channels & 0xFFFF, w.rate & 0xFFFFFFFF, byte_rate,
                      align & 0xFFFF, w.bits & 0xFFFF)
    fmt = fmt[:w.fmt_size] + bytes(max(0, w.fmt_size - len(fmt)))
    body = (b"WAVE" + b"fmt " + struct.pack("<I", w.fmt_size) + fmt + w.extra_chunk + b"data"
            + struct.pack("<I", len(w.data) if w.data_size is None else w.data_size & 0xFFFFFFFF) + w.data)
    riff = len(body) if w.riff_size is None else w.riff_size & 0xFFFFFFFF
    return b"RIFF" + struct.pack("<I", riff) + body


def speechlike(rate: int = 16000, seconds: float = 1.5) -> np.ndarray:
    """A vowel-like float32 signal with pauses (enough to be 'speech' for the classifier)."""
    t = np.arange(int(rate * seconds)) / rate
    x = sum(np.sin(2 * np.pi * k * 150 * t) / k for k in range(1, 20))
    env = np.clip(np.sin(2 * np.pi * 2 * t), 0, None)
    return (0.1 * x * env).astype(np.float32)


def _pcm16(x: np.ndarray) -> bytes:
    return np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes()


def corpus(folder: Path) -> tuple[dict[str, Path], dict[str, str], Path]:
    """Write every malformed input into ``folder``.

    Returns (name -> path, name -> "error" | "same" | "result", the clean file the others derive from).
    """
    folder.mkdir(parents=True, exist_ok=True)
    x = speechlike()
    pcm = _pcm16(x)
    f32 = x.astype("<f4")
    made: dict[str, bytes] = {
        # errors: nothing usable in the file
        "empty": b"",
        "one-byte": b"R",
        "riff-header-only": b"RIFF" + struct.pack("<I", 4) + b"WAVE",
        "fmt-but-no-data": wav_bytes(Wav(pcm))[:36],
        "data-chunk-empty": wav_bytes(Wav(b"")),
        "channels-0": wav_bytes(Wav(pcm, channels=0, block_align=2)),
        "channels-65535": wav_bytes(Wav(pcm, channels=65535)),
        "rate-0": wav_bytes(Wav(pcm, rate=0)),
        "rate-1e9": wav_bytes(Wav(pcm, rate=1_000_000_000)),
        "rate-1": wav_bytes(Wav(pcm, rate=1)),
        "block-align-0": wav_bytes(Wav(pcm, block_align=0)),
        "fmt-size-huge": wav_bytes(Wav(pcm))[:16] + struct.pack("<I", 0x7FFFFFF0) + wav_bytes(Wav(pcm))[20:],
        "float-nan": wav_bytes(Wav(np.where(np.arange(len(f32)) % 100 == 0, np.nan, f32).astype("<f4")
                                   .tobytes(), bits=32, fmt_tag=FLOAT)),
        "float-inf": wav_bytes(Wav(np.r_[f32[:-1], np.float32(np.inf)].astype("<f4").tobytes(), bits=32,
                                   fmt_tag=FLOAT)),
        "float-bits-16": wav_bytes(Wav(pcm, bits=16, fmt_tag=FLOAT)),
        "mp3-in-wav-junk": wav_bytes(Wav(os.urandom(2000), fmt_tag=MPEG3)),
        "mp3-id3-junk": b"ID3\x04\x00\x00\x00\x00\x00\x0f" + os.urandom(3000),
        "mp3-frame-junk": b"\xff\xfb\x90\x64" + os.urandom(3000),
        "ogg-header-junk": b"OggS\x00\x02" + bytes(20) + os.urandom(3000),
        "flac-header-junk": b"fLaC\x00\x00\x00\x22" + os.urandom(3000),
        "text-named-wav": b"This is a text file, not audio.\n" * 40,
        "riff-avi": b"RIFF" + struct.pack("<I", 1000) + b"AVI LIST" + os.urandom(992),
        "ten-ms": wav_bytes(Wav(pcm[:320])),
        # "same": sizes that lie the way streaming writers lie, chunks to skip, 12 bits in 16
        "ffmpeg-pipe-sizes": wav_bytes(Wav(pcm, riff_size=0xFFFFFFFF, data_size=0xFFFFFFFF)),
        "arecord-pipe-sizes": wav_bytes(Wav(pcm, riff_size=0x7FFFFFFF + 36, data_size=0x7FFFFFFF)),
        "riff-size-0": wav_bytes(Wav(pcm, riff_size=0)),
        "data-longer-than-file": wav_bytes(Wav(pcm, data_size=len(pcm) * 4)),
        "odd-data-length": wav_bytes(Wav(pcm + b"\x00")),
        "bits-12-in-16": wav_bytes(Wav(pcm, bits=12, block_align=2)),
        # "result": nonsense that still decodes to some audio (any well-formed answer will do)
        "bits-0": wav_bytes(Wav(pcm, bits=0, block_align=2)),
        "bits-7": wav_bytes(Wav(pcm, bits=7, block_align=1)),
        "list-chunk-before-data": wav_bytes(Wav(pcm, extra_chunk=b"LIST" + struct.pack("<I", 5)
                                                + b"INFO\x00\x00")),
        "trailing-junk-chunk": wav_bytes(Wav(pcm)) + b"junk" + struct.pack("<I", 8) + bytes(8),
    }
    expect = {name: "error" for name in made}
    for name in ("ffmpeg-pipe-sizes", "arecord-pipe-sizes", "riff-size-0", "data-longer-than-file",
                 "odd-data-length", "bits-12-in-16", "list-chunk-before-data", "trailing-junk-chunk"):
        expect[name] = "same"
    for name in ("bits-0", "bits-7"):
        expect[name] = "result"
    paths = {}
    for name, content in made.items():
        paths[name] = folder / f"{name}.wav"
        paths[name].write_bytes(content)
    paths.update(_special_files(folder, pcm, expect))
    clean = folder / "clean.wav"
    clean.write_bytes(wav_bytes(Wav(pcm)))
    return paths, expect, clean


def _special_files(folder: Path, pcm: bytes, expect: dict[str, str]) -> dict[str, Path]:
    """A missing file, a directory, a FIFO, /dev/zero, a symlink loop, an unreadable file."""
    out = {"missing": folder / "does-not-exist.wav", "directory": folder / "a-folder.wav",
           "fifo": folder / "a-fifo.wav", "dev-zero": Path("/dev/zero"), "symlink-loop": folder / "loop.wav"}
    out["directory"].mkdir(exist_ok=True)
    if not out["fifo"].exists():
        os.mkfifo(out["fifo"])  # no writer: opening it for reading would block for ever
    if not out["symlink-loop"].is_symlink():
        out["symlink-loop"].symlink_to(folder / "loop.wav")
    if os.geteuid() != 0:  # root reads anything: the case cannot be made
        out["unreadable"] = folder / "unreadable.wav"
        out["unreadable"].write_bytes(wav_bytes(Wav(pcm)))
        out["unreadable"].chmod(0)
    for name in out:
        expect[name] = "error"
    return out
