"""Frame levels of audio in dBFS: what the energy gate, the "was anything said?" check and the
speech detector's pre-gate measure."""

from __future__ import annotations

import numpy as np

#: dBFS returned for a frame of digital silence (instead of -inf).
SILENCE_DB = -200.0


def frame_rms_db(samples: np.ndarray, sample_rate: int, frame_seconds: float = 0.02) -> np.ndarray:
    """RMS level of consecutive non-overlapping frames, in dBFS.

    samples: mono float array (n,), full scale 1.0. Returns (n // frame_len,) float64, where
    frame_len = round(frame_seconds * sample_rate); silent frames give ``SILENCE_DB``.
    A trailing partial frame is ignored.
    """
    frame_len = max(1, int(round(frame_seconds * sample_rate)))
    n_frames = len(samples) // frame_len
    if n_frames == 0:
        return np.zeros(0)
    frames = np.asarray(samples[: n_frames * frame_len], dtype=np.float64).reshape(n_frames, frame_len)
    power = np.mean(frames * frames, axis=1)
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(power)
    return np.maximum(db, SILENCE_DB)
