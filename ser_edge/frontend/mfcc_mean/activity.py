"""Frame energy and a file-level "was anything said?" check.

The classifier must not invent an emotion for silence, so before a buffer goes to the model
it is checked for speech-like activity: enough frames that stand clearly above both an
absolute floor and the buffer's own quiet level. The streaming voice-activity gate
(:mod:`ser_edge.segment.gate`) builds on the same frame levels
(:func:`~ser_edge.audio.levels.frame_rms_db`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...audio.levels import frame_rms_db


@dataclass(frozen=True)
class ActivitySpec:
    """Thresholds of :func:`has_speech`.

    ``floor_db``: frames quieter than this (dBFS) never count as speech.
    ``above_quiet_db``: a frame counts only if it is this many dB above the buffer's
    ``quiet_percentile`` frame level (speech has dynamics; steady noise does not).
    ``min_active_seconds``: how much active audio makes "speech".
    """

    frame_seconds: float = 0.02
    floor_db: float = -60.0
    above_quiet_db: float = 10.0
    quiet_percentile: float = 10.0
    min_active_seconds: float = 0.1


def active_seconds(samples: np.ndarray, sample_rate: int, spec: ActivitySpec | None = None) -> float:
    """Seconds of frames that stand above the floor and the buffer's quiet level."""
    spec = spec or ActivitySpec()
    db = frame_rms_db(samples, sample_rate, spec.frame_seconds)
    if db.size == 0:
        return 0.0
    threshold = max(spec.floor_db, float(np.percentile(db, spec.quiet_percentile)) + spec.above_quiet_db)
    return float(np.count_nonzero(db > threshold)) * spec.frame_seconds


def has_speech(samples: np.ndarray, sample_rate: int, spec: ActivitySpec | None = None) -> bool:
    """True when the buffer holds at least ``spec.min_active_seconds`` of active audio."""
    spec = spec or ActivitySpec()
    return active_seconds(samples, sample_rate, spec) >= spec.min_active_seconds
