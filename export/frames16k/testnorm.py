"""Test-time standardisation of the functionals by unlabelled statistics of a group of clips
(the whole held-out corpus, or each of its speakers): a lever of issue 21, scored by ``loco``.

Each clip's functionals are moved from its group's mean/std to the MLP's training statistics,
``(x - mean_group) / std_group * std_train + mean_train``, then the unchanged MLP predicts. With
the whole corpus as the group it is a device that has heard every voice of a corpus; per speaker
it is the speaker calibration's normalisation applied to a model trained without it.
"""

from __future__ import annotations

import numpy as np

STD_FLOOR = 1e-6
#: The groups scored: name -> how a clip's group is named from (speaker, corpus).
GROUPS = ("corpus", "speaker")


def training_statistics(mlp) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001 (a keras model)
    """The (F,) mean and std the MLP's standardisation layer was built with."""
    layer = mlp.get_layer(f"{mlp.name}_standardize")
    return np.asarray(layer.mean.numpy()), 1.0 / np.asarray(layer.scale.numpy())


def group_standardised(func: np.ndarray, groups: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(N, F) float32: each row moved from its group's statistics (``groups``: (N,) names) to
    ``mean``/``std`` (F,)."""
    out = np.empty_like(func, dtype=np.float32)
    for g in np.unique(groups):
        rows = groups == g
        mu, sd = func[rows].mean(axis=0), func[rows].std(axis=0) + STD_FLOOR
        out[rows] = (func[rows] - mu) / sd * std + mean
    return out
