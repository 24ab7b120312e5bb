"""Audio input: files, raw PCM and caller buffers to mono float32 in [-1, 1].

WAV goes through :mod:`.wav` (numpy; reads what ``scipy.io.wavfile`` reads: 8-bit unsigned,
16/24/32/64-bit int, 32/64-bit float, any channel count, WAVE_FORMAT_EXTENSIBLE); everything
else (FLAC, OGG, and WAV encodings it lacks such as mu-law or ADPCM) through ``soundfile`` when
it is installed. Integers are scaled exactly as libsndfile (hence ``librosa.load``) does:
``int16 / 2**15``, ``int32 / 2**31`` (24-bit samples come left-justified in int32, so the same
divisor), ``(uint8 - 128) / 128``. Channels are averaged in float32, as librosa's
``to_mono``. Every failure is an :class:`AudioError` naming the file and the problem.

One kind of "broken" WAV is really fine: a WAV streamed to a pipe (``arecord > x.wav``,
``ffmpeg ... -f wav - > x.wav``) cannot seek back to write the sizes, so the header keeps
placeholders: a RIFF size of 0 or about 0xFFFFFFFF, and a final ``data`` chunk that claims more
bytes than the file holds. libsndfile reads such files; scipy's reader refuses them.
:func:`streamed_wav` returns the bytes with the sizes set to what the file holds, so they read
as the recording they are. A file whose sizes are plausible but too big (a copy cut short) is
NOT repaired: that stays a "truncated WAV file" error.
"""

from __future__ import annotations

import io
import logging
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import AudioError, MissingExtraError
from .wav import WavEncodingError, WavError, WavTruncatedError, read_wav

log = logging.getLogger(__name__)

MIN_RATE, MAX_RATE = 8000, 192000

#: Raw PCM formats accepted on stdin: name -> numpy dtype (little-endian).
PCM_FORMATS: dict[str, str] = {"s16le": "<i2", "f32le": "<f4"}

_WAV_MAGIC = (b"RIFF", b"RIFX", b"RF64")
#: Headers of formats that need soundfile (FLAC, OGG, AIFF, CAF, W64-less guesses).
_OTHER_MAGIC = (b"fLaC", b"OggS", b"FORM", b"caff", b".snd", b"ID3")


def to_mono(x: np.ndarray) -> np.ndarray:
    """Average the channels: (frames,) or (frames, channels) -> (frames,) float32."""
    x = np.asarray(x)
    if x.ndim == 1:
        return x.astype(np.float32, copy=False)
    if x.ndim != 2:
        raise AudioError(f"expected audio of shape (frames,) or (frames, channels), got {x.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # near float32's limit: inf, reported later
        return np.mean(x.astype(np.float32, copy=False), axis=1, dtype=np.float32)


def int_to_float(x: np.ndarray, name: str = "audio") -> np.ndarray:
    """Scale PCM samples read from a file to float32 as libsndfile does; float input is only cast.

    uint8 -> (x - 128) / 128; int16 -> x / 2**15; int32 -> x / 2**31; int64 -> x / 2**63 (a
    64-bit WAV file's samples are full scale 2**63). Caller buffers go through
    :func:`as_mono_float32`, which refuses int64.
    """
    if x.dtype == np.uint8:
        return (x.astype(np.float32) - 128.0) / 128.0
    if np.issubdtype(x.dtype, np.signedinteger):
        bits = 8 * x.dtype.itemsize - 1
        return (x.astype(np.float32) / np.float32(2.0**bits)).astype(np.float32)
    if np.issubdtype(x.dtype, np.floating):
        with np.errstate(over="ignore"):  # beyond float32's range: inf, then reported as non-finite
            return x.astype(np.float32, copy=False)
    raise AudioError(f"{name}: unsupported sample type {x.dtype} (expected int, uint8 or float)")


#: Integer sample types a caller's buffer may hold (scaled by their range as PCM).
BUFFER_INT_TYPES = ("uint8", "int8", "int16", "int32")
#: Most channels of a caller's 2-D buffer: its shorter axis, up to this, is the channel axis.
MAX_CHANNELS = 8
#: Float samples beyond this magnitude (18 dB over full scale) are refused as integer-scaled;
#: beyond 1.0, a warning. Hot float audio (clipping, DC, gain) reaches 2-3; int16 values stored
#: as floats exceed 8 unless the audio is below -72 dBFS, i.e. silence.
MAX_FLOAT_PEAK = 8.0
#: Buffer names already warned about for slightly out-of-range floats (one warning per name).
_warned_names: set[str] = set()


def _sample_type(x: np.ndarray, name: str) -> None:
    """Raise AudioError unless ``x`` holds real float samples or one of BUFFER_INT_TYPES."""
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.number) and not np.iscomplexobj(x)):
        raise AudioError(f"{name}: expected real float or int samples, got dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.floating) or x.dtype.name in BUFFER_INT_TYPES:
        return
    why = ""
    if x.dtype.name == "int64":
        why = (" (numpy's default integer: scaled by its range 2**63, 16-bit values would come out"
               " as silence; convert with x.astype(np.int16), or pass float samples x / 32768)")
    raise AudioError(f"{name}: unsupported sample type {x.dtype}{why}; expected int16, int32, "
                     "uint8 or float samples in [-1, 1]")


def _frames_first(x: np.ndarray, name: str) -> np.ndarray:
    """A 1-D or 2-D buffer as (frames,) or (frames, channels); (channels, frames) is transposed.

    The channel axis is the shorter one, at most MAX_CHANNELS long; anything else is refused.
    """
    if x.ndim == 1 or (x.ndim == 2 and x.size == 0):
        return x.reshape(-1)
    expected = f"(frames,), (frames, channels) or (channels, frames) with 1..{MAX_CHANNELS} channels"
    if x.ndim != 2:
        raise AudioError(f"{name}: expected shape {expected}, got {x.shape}")
    rows, cols = x.shape
    if min(rows, cols) > MAX_CHANNELS or (rows == cols and rows > 1):
        raise AudioError(f"{name}: expected shape {expected}, got {x.shape} (which axis holds the "
                         "channels is ambiguous)")
    return x.T if rows < cols else x


def _float_range(mono: np.ndarray, name: str) -> None:
    """Refuse integer-scaled floats (peak > MAX_FLOAT_PEAK); log once per name when just over 1."""
    with np.errstate(invalid="ignore"):
        peak = float(np.max(np.abs(mono), where=np.isfinite(mono), initial=0.0))
    if peak > MAX_FLOAT_PEAK:
        hint = ""
        if peak <= 32768 * 1.001:
            hint = ": looks like int16 samples in a float array; divide by 32768"
        elif peak <= 2.0**31 * 1.001:
            hint = ": looks like int32 samples in a float array; divide by 2**31"
        raise AudioError(f"{name}: float samples reach {peak:.6g}, expected [-1, 1]{hint}")
    if peak > 1.0 and name not in _warned_names and len(_warned_names) < 10_000:
        _warned_names.add(name)
        log.warning("%s: float samples reach %.4g, beyond full scale 1.0 (clipped audio?)", name, peak)


def as_mono_float32(samples: np.ndarray, name: str) -> np.ndarray:
    """The one input check for audio buffers: any accepted layout and dtype -> mono float32 (n,).

    ``samples``: (n,), (n, channels) or (channels, n) when unambiguous (the shorter axis, at most
    MAX_CHANNELS, holds the channels; channels are averaged). Integer types are scaled by their
    range as PCM: uint8 (x - 128) / 128, int8 / 2**7, int16 / 2**15, int32 / 2**31; int64 and
    unsigned types wider than 8 bits are refused (AudioError). Float samples should lie in
    [-1, 1]: beyond 1.0 a warning is logged once per ``name``; beyond MAX_FLOAT_PEAK (8.0) an
    AudioError says they look integer-scaled (the peak ignores NaN/Inf). Empty input gives an
    empty array; NaN/Inf samples are passed on: :func:`check_audio` refuses them, the stream
    engine mutes and counts them. ``name`` (a file, device or "<buffer>") starts every message.
    """
    x = np.asarray(samples)
    _sample_type(x, name)
    mono = to_mono(int_to_float(_frames_first(x, name), name))
    if np.issubdtype(x.dtype, np.floating):
        _float_range(mono, name)
    return mono


def _finite(samples: np.ndarray, name: str) -> np.ndarray:
    """Raise AudioError naming ``name`` when samples are empty or not all finite."""
    if samples.size == 0:
        raise AudioError(f"{name}: no audio samples (0 frames)")
    bad = samples.size - int(np.count_nonzero(np.isfinite(samples)))
    if bad:
        raise AudioError(f"{name}: {bad} of {samples.size} samples are NaN or infinite")
    return samples


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


def _read_wav(path: Path, source: BinaryIO | None = None) -> tuple[np.ndarray, int] | None:
    """Read a WAV file (or ``source``, its repaired bytes) with :mod:`.wav`; None when its
    encoding is one that reader does not decode (soundfile may)."""
    try:
        raw = path.read_bytes() if source is None else source.getvalue()
    except OSError as exc:
        raise AudioError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    try:
        rate, data = read_wav(raw)
    except WavEncodingError:
        return None
    except WavTruncatedError as exc:
        raise AudioError(f"{path}: truncated WAV file ({exc})") from None
    except WavError as exc:
        raise AudioError(f"{path}: corrupt or truncated WAV file ({exc})") from None
    return data, int(rate)


def _read_soundfile(path: Path, what: str) -> tuple[np.ndarray, int]:
    """Read any libsndfile format as float32 (frames, channels)."""
    try:
        import soundfile
    except ImportError:
        raise MissingExtraError("soundfile", "flac") from None
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except soundfile.SoundFileError as exc:
        raise AudioError(f"{path}: {what} ({exc})") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise AudioError(f"{path}: {what} ({type(exc).__name__}: {exc})") from None
    return data, int(rate)


def _head(path: Path) -> bytes:
    """The first 12 bytes of an existing regular file; AudioError for unusable paths."""
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


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an audio file as mono float32 samples (n,) and its sample rate in Hz.

    Raises AudioError (missing, directory, empty, not audio, corrupt/truncated, no
    samples, NaN/Inf samples) or MissingExtraError when a non-WAV file needs soundfile.
    """
    path = Path(path)
    head = _head(path)
    result = None
    if head[:4] in _WAV_MAGIC and head[8:12] == b"WAVE":
        try:
            result = _read_wav(path)
        except AudioError:
            repaired = streamed_wav(path)
            if repaired is None:
                raise
            result = _read_wav(path, repaired)
        what = "unsupported WAV encoding"
    elif head[:4] in _WAV_MAGIC:
        raise AudioError(f"{path}: RIFF file that is not WAVE audio (type {head[8:12]!r})")
    elif head.startswith(_OTHER_MAGIC):
        what = "unreadable or corrupt audio file"
    else:
        try:
            import soundfile  # noqa: F401
        except ImportError:
            raise AudioError(f"{path}: not a WAV file (starts with {head[:4]!r}); other formats "
                             "need soundfile: pip install 'ser-edge[flac]'") from None
        what = "not an audio file, or a format neither the WAV reader nor soundfile can read"
    if result is None:
        result = _read_soundfile(path, what)
    data, rate = result
    if rate <= 0:
        raise AudioError(f"{path}: invalid sample rate {rate} Hz in the header")
    samples = to_mono(int_to_float(data, str(path)))
    return _finite(samples, str(path)), rate


def pcm_frame_bytes(fmt: str, channels: int) -> int:
    """Bytes in one frame (one sample per channel) of raw PCM ``fmt``."""
    if fmt not in PCM_FORMATS:
        raise AudioError(f"raw PCM format: expected one of {sorted(PCM_FORMATS)}, got {fmt!r}")
    if channels < 1:
        raise AudioError(f"raw PCM channels: expected >= 1, got {channels}")
    return np.dtype(PCM_FORMATS[fmt]).itemsize * channels


def decode_pcm(data: bytes, fmt: str, channels: int) -> np.ndarray:
    """Raw interleaved PCM bytes -> mono float32 (frames,); ``len(data)`` must be whole frames."""
    frame = pcm_frame_bytes(fmt, channels)
    if len(data) % frame:
        raise AudioError(f"raw PCM: {len(data)} bytes is not a whole number of {frame}-byte frames")
    x = np.frombuffer(data, dtype=PCM_FORMATS[fmt]).reshape(-1, channels)
    return to_mono(int_to_float(x))


def check_rate(sample_rate: int, name: str) -> None:
    """Raise AudioError naming ``name`` unless ``sample_rate`` is an integer MIN_RATE..MAX_RATE Hz."""
    if not isinstance(sample_rate, (int, np.integer)) or not MIN_RATE <= sample_rate <= MAX_RATE:
        raise AudioError(f"{name}: sample rate must be an integer {MIN_RATE}..{MAX_RATE} Hz, "
                         f"got {sample_rate!r}")


def check_audio(samples: np.ndarray, sample_rate: int, name: str, min_seconds: float) -> np.ndarray:
    """Validate a caller's buffer and return it as mono float32 (n,).

    ``samples``: as :func:`as_mono_float32` takes them; ``sample_rate`` in Hz, 8000..192000;
    at least ``min_seconds`` long; all finite.
    """
    check_rate(sample_rate, name)
    mono = _finite(as_mono_float32(samples, name), name)
    need = int(np.ceil(min_seconds * sample_rate))
    if len(mono) < need:
        raise AudioError(f"{name}: too short: {len(mono) / sample_rate:.3f} s "
                         f"({len(mono)} samples), need at least {min_seconds:g} s")
    return mono
