"""Train one model with a recipe: seed, augmentation, class weights, fit, progress lines."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .augment import augment
from .keras_model import build_model
from .recipe import Recipe


@dataclass
class Trained:
    """A fitted Keras model, its per-epoch history (loss, accuracy, val_*) and fit time in s."""

    model: Any
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0


def fit(
    recipe: Recipe,
    X: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    seed: int,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    label: str = "",
    band_map: Any = None,
) -> Trained:
    """Train a fresh model on ``X`` float32 (n, n_features) and ``y`` int (n,).

    ``validation`` rows are only watched (curves), never used to choose anything.
    Progress goes to stderr about 10 times per run, prefixed by ``label``. ``band_map``: an
    :class:`export.bandmap.BandMap` for ``recipe.aug_bandmap``.
    """
    import keras

    keras.utils.set_random_seed(seed)
    X_fit, y_fit = augment(X, y, recipe, seed, band_map=band_map)
    model = build_model(recipe, X, n_classes)
    weights = class_weights(y, n_classes) if recipe.class_weights else None
    val = None
    if validation is not None:
        val = (validation[0][:, :, None], _targets(validation[1], recipe, n_classes))
    start = time.perf_counter()
    result = model.fit(
        X_fit[:, :, None],
        _targets(y_fit, recipe, n_classes),
        batch_size=recipe.batch_size,
        epochs=recipe.epochs,
        validation_data=val,
        validation_batch_size=1024,
        class_weight=weights,
        shuffle=True,
        verbose=0,
        callbacks=[progress_callback(recipe.epochs, label)],
    )
    history = {k: [round(float(v), 5) for v in values] for k, values in result.history.items()}
    return Trained(model=model, history=history, seconds=round(time.perf_counter() - start, 1))


def class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Inverse-frequency weights n / (k * count_c) over the k classes present in ``y``."""
    counts = np.bincount(y, minlength=n_classes)
    present = counts > 0
    return {c: float(len(y) / (present.sum() * counts[c])) if counts[c] else 0.0 for c in range(n_classes)}


def _targets(y: np.ndarray, recipe: Recipe, n_classes: int) -> np.ndarray:
    """Class ids, or one-hot rows when the loss uses label smoothing."""
    return np.eye(n_classes, dtype=np.float32)[y] if recipe.label_smoothing else y


def progress_callback(epochs: int, label: str) -> Any:
    """A Keras callback printing one line to stderr every ~10% of ``epochs`` (and at the end)."""
    import keras

    class Progress(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            self.start, self.every = time.perf_counter(), max(1, epochs // 10)

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if (epoch + 1) % self.every and epoch + 1 != epochs:
                return
            figures = " ".join(f"{k} {v:.3f}" for k, v in (logs or {}).items())
            elapsed = time.perf_counter() - self.start
            print(
                f"  {label}epoch {epoch + 1}/{epochs}: {figures} ({elapsed:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    return Progress()
