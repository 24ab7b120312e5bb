"""Samples as a file stores them -> mono float32 in [-1, 1], scaled exactly as libsndfile does.

Integers are scaled as libsndfile (hence ``librosa.load``) scales them: ``int16 / 2**15``,
``int32 / 2**31`` (24-bit samples come left-justified in int32, so the same divisor),
``(uint8 - 128) / 128``; channels are averaged in float32, as librosa's ``to_mono``. Element by
element, so a file converted block by block equals the file converted whole, bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..errors import AudioError


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
