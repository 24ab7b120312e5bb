"""Arousal and valence: the category -> dimension mapping, and the dimensions of a distribution.

Each label has a point on the circumplex, both axes in [0, 1]: arousal 0 = calm / sleepy,
1 = aroused / agitated; valence 0 = negative, 1 = positive. The points follow the usual
placement of these categories (Russell 1980) and the binary split of speech-emotion benchmarks
(Schuller et al. 2009): high arousal = happy, angry, fearful, surprised; positive valence =
neutral, calm, happy, surprised. A model trained with dimension heads learns these targets
(its ``dimensions`` output); for a model without heads the runtime uses
:func:`expected_dimensions`, the mapping's expectation under the label probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: label -> (arousal, valence), both in [0, 1].
DIMENSIONS: dict[str, tuple[float, float]] = {
    "neutral": (0.35, 0.55),
    "calm": (0.2, 0.65),
    "happy": (0.75, 0.9),
    "sad": (0.2, 0.15),
    "angry": (0.9, 0.1),
    "fearful": (0.8, 0.15),
    "disgust": (0.4, 0.1),
    "surprised": (0.85, 0.65),
}
#: The dimensions' names, in the order of a ``dimensions`` output's columns.
DIMENSION_NAMES: tuple[str, str] = ("arousal", "valence")
#: Above this a dimension counts as high (aroused / positive) in binary scores.
BINARY_THRESHOLD = 0.5


def dimension_targets(labels: Sequence[str]) -> np.ndarray:
    """(n_labels, 2) float32: each label's (arousal, valence); ValueError for a label not mapped."""
    missing = [lab for lab in labels if lab not in DIMENSIONS]
    if missing:
        raise ValueError(f"no arousal/valence for label(s) {missing}; known: {sorted(DIMENSIONS)}")
    return np.array([DIMENSIONS[lab] for lab in labels], dtype=np.float32)


def expected_dimensions(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Arousal and valence implied by label probabilities: ``probs @ dimension_targets(labels)``,
    (..., n_labels) -> (..., 2), in [0, 1]."""
    return np.asarray(probs, dtype=np.float32) @ dimension_targets(labels)


def dimensions_json(arousal: float | None, valence: float | None,
                    decimals: int = 4) -> dict[str, float | None]:
    """``{"arousal", "valence"}`` for a JSON result, each to ``decimals`` decimals (None stays
    None: JSON null, the model has none)."""
    return {name: None if value is None else round(value, decimals)
            for name, value in zip(DIMENSION_NAMES, (arousal, valence), strict=True)}
