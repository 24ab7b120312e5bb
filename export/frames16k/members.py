"""The final fit: the recipe's members trained on every clip, kept in (and reused from) a
``--members`` folder (``<member>.h5`` weights + ``recipe.json``, the recipe options that made them)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from .dataset import Dataset
from .experiment import Recipe, train_members
from .train import TrainConfig

LOGGER = logging.getLogger(__name__)
STAMP = "recipe.json"


def load_members(folder: Path, data: Dataset, recipe: Recipe, cfg: TrainConfig) -> tuple[list, list]:
    """The members saved in ``folder`` by :func:`save_members`, rebuilt and loaded: (cnns, mlps)."""
    from .models import build_cnn, build_mlp

    n_func, n_mels = len(recipe.func_columns), data.frames[0][0].shape[1]
    heads = cfg.dimension_heads
    cnns = [build_cnn(n_mels, cfg.cnn, name=f"cnn_{recipe.seed + k}", heads=heads)
            for k in range(recipe.n_cnn)]
    mlps = (
        [build_mlp(np.zeros(n_func), np.ones(n_func), cfg.mlp, name=f"mlp_{recipe.seed + 100}", heads=heads)]
        if recipe.use_mlp
        else []
    )
    for m in cnns + mlps:
        m.load_weights(str(folder / f"{m.name}.h5"))
    LOGGER.info("loaded the final members from %s", folder)
    return cnns, mlps


def save_members(folder: Path, members: list, stamp: dict[str, Any]) -> None:
    """Each member's weights and the recipe ``stamp`` into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    for m in members:
        m.save_weights(str(folder / f"{m.name}.h5"))
    (folder / STAMP).write_text(json.dumps(stamp))


def final_members(
    data: Dataset, recipe: Recipe, cfg: TrainConfig, folder: Path | None, stamp: dict[str, Any]
) -> tuple[list, list]:
    """Train the members on every clip, or load them from ``folder`` if saved with the same
    ``stamp`` (the recipe options); save them there when trained. Returns (cnns, mlps)."""
    if folder and (folder / STAMP).exists() and json.loads((folder / STAMP).read_text()) == stamp:
        return load_members(folder, data, recipe, cfg)
    cnns, mlps = train_members(data, np.arange(len(data.labels)), recipe, cfg)
    if folder:
        save_members(folder, cnns + mlps, stamp)
    return cnns, mlps
