"""The MFCC-mean pipeline's reports: :func:`export.core.metrics.class_report` for all rows and
for each named subset of the data set (RAVDESS speech, RAVDESS song, TESS)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.metrics import class_report
from .data import Dataset

#: Named row subsets reported besides "all": (name, corpus, vocal_channel).
SUBSETS = (
    ("ravdess_speech", "ravdess", "speech"),
    ("ravdess_song", "ravdess", "song"),
    ("tess", "tess", None),
)


def subset_reports(data: Dataset, y_pred: np.ndarray, rows: np.ndarray | None = None) -> dict[str, Any]:
    """:func:`class_report` for all rows and for each non-empty subset in :data:`SUBSETS`.

    ``rows``: the indices of ``data`` that ``y_pred`` (same length) predicts; None = all rows.
    """
    rows = np.arange(len(data)) if rows is None else rows
    reports = {"all": class_report(data.y[rows], y_pred, data.labels)}
    for name, corpus, channel in SUBSETS:
        keep = data.mask(corpus, channel)[rows]
        if np.any(keep):
            reports[name] = class_report(data.y[rows][keep], y_pred[keep], data.labels)
    return reports


