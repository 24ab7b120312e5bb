"""The ``data`` part of an MFCC-mean model's training record: source, row counts, fingerprint,
licences; and the names and texts of its evaluation protocols."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from ..core.provenance import LICENCES
from .data import CHANNEL, CORPUS, Dataset

PROTOCOL_TEXT = {
    "speaker-independent": "grouped folds, no speaker in both train and test: RAVDESS actors 1-24 in 6 folds "
    "of 4 consecutive actors, each other speaker (TESS 25, 26) a fold of its own",
    "seed-split": "the original random 67/33 split (train_test_split test_size=0.33, random_state=42); "
    "every speaker is in train and test: for comparison with the original 85.47% only",
    "holdout": "the listed actors are the test set; the model trained on all other rows",
}


def describe_data(data: Dataset, trained_rows: int) -> dict[str, Any]:
    """Source, row counts per corpus/channel, a fingerprint of X and y, and the licences."""
    groups: Counter[str] = Counter()
    if CORPUS in data.meta:
        channels = data.meta.get(CHANNEL, [""] * len(data))
        groups.update(f"{c} {v}".strip() for c, v in zip(data.meta[CORPUS], channels, strict=True))
    digest = hashlib.sha256(data.X.tobytes() + data.y.tobytes()).hexdigest()[:16]
    corpora = sorted(set(data.meta.get(CORPUS, [])))
    return {
        "source": data.source,
        "rows": len(data),
        "features": int(data.X.shape[1]),
        "trained_rows": int(trained_rows),
        "groups": dict(sorted(groups.items())),
        "sha256_X_y_float32_int64": digest,
        "licences": [LICENCES[c] for c in corpora if c in LICENCES],
    }
