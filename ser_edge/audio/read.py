"""Audio input: files, raw PCM and caller buffers to mono float32 in [-1, 1].

Files are read block by block by :class:`.filestream.FileBlocks` (WAV in PCM/float by the numpy
reader of :mod:`.wav`, every other format by soundfile); :func:`read_audio` fills one mono array
from those blocks. Samples are scaled as libsndfile scales them (:mod:`.samples`). Caller
buffers and raw PCM go through :func:`as_mono_float32` / :func:`decode_pcm`. Every failure is
an :class:`AudioError` naming the file, buffer or stream and the problem.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..errors import AudioError
from .filestream import FileBlocks
from .samples import int_to_float, to_mono

log = logging.getLogger(__name__)

MIN_RATE, MAX_RATE = 8000, 192000

#: Raw PCM formats accepted on stdin: name -> numpy dtype (little-endian).
PCM_FORMATS: dict[str, str] = {"s16le": "<i2", "f32le": "<f4"}

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
    # max(max, -min) needs no |x| copy; NaN/Inf propagate, then the peak is taken over finite ones
    peak = max(float(mono.max(initial=0.0)), -float(mono.min(initial=0.0)))
    if not np.isfinite(peak):
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


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an audio file as mono float32 samples (n,) and its sample rate in Hz, block by block
    into one array (no whole-file copy of the stored samples).

    Raises AudioError (missing, directory, empty, not audio, corrupt/truncated, no samples,
    NaN/Inf samples, invalid rate).
    """
    blocks = FileBlocks(path)
    return _finite(blocks.read_all(), str(path)), blocks.sample_rate


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
