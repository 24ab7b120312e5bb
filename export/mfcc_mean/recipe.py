"""The training recipe: architecture, optimiser and augmentation settings in one dataclass.

A recipe is chosen by name (:data:`PRESETS`) or read from a JSON file, so a new recipe
can be tried without touching code: ``python -m export train --recipe my.json``. Every
model written records its recipe in ``ser_edge.training``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ser_edge.errors import ContractError
from ser_edge.settings import known_settings

from ..core.errors import ExportError

OPTIMIZERS = ("rmsprop", "adam")
ARCHITECTURES = ("conv", "mlp")


@dataclass(frozen=True)
class Recipe:
    """How to build and train the model (see :mod:`export.keras_model`, :mod:`export.train`).

    Architecture ``arch="conv"``: ``len(filters)`` Conv1D blocks (kernel ``kernel_size``, 'same', ReLU,
    dropout ``dropout``), max-pool ``pool_size`` between blocks, flatten, optional dense
    layer of ``dense_units``, softmax. ``arch="mlp"``: flatten, then one Dense layer per
    entry of ``hidden`` (each followed by BatchNormalization when ``batchnorm``, ReLU and
    dropout ``dropout``), softmax. ``normalize`` puts a per-coefficient standardisation
    (training-set mean and variance) inside the model, so the runtime feeds raw features.
    Training: ``optimizer`` with ``learning_rate``, ``batch_size``, ``epochs``; ``l2`` weight
    decay on kernels; ``class_weights`` balances classes by inverse frequency.
    Augmentation (feature domain, :mod:`export.augment`): ``aug_copies`` extra copies of the
    training rows, each with a random gain of up to ±``aug_gain_db`` dB, a spectral tilt
    of up to ±``aug_tilt_db`` dB across the band, and, with probability ``aug_bandlimit``,
    the loss of everything above 8 kHz (approximated from the DCT), and with probability
    ``aug_bandmap`` the 16 kHz effect learned from real audio (:mod:`export.bandmap`; needs
    ``train --band-audio DIR``).
    """

    name: str = "original"
    arch: str = "conv"
    hidden: tuple[int, ...] = (512, 256)
    batchnorm: bool = False
    filters: tuple[int, ...] = (64, 128, 256)
    kernel_size: int = 5
    pool_size: int = 4
    dropout: float = 0.1
    dense_units: int = 0
    normalize: bool = False
    l2: float = 0.0
    optimizer: str = "rmsprop"
    learning_rate: float = 5e-5
    batch_size: int = 16
    epochs: int = 500
    class_weights: bool = False
    label_smoothing: float = 0.0
    aug_copies: int = 0
    aug_gain_db: float = 0.0
    aug_tilt_db: float = 0.0
    aug_bandlimit: float = 0.0
    aug_bandmap: float = 0.0

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ExportError(f"recipe optimizer: expected one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.arch not in ARCHITECTURES:
            raise ExportError(f"recipe arch: expected one of {ARCHITECTURES}, got {self.arch!r}")
        if not self.hidden or min(self.hidden) < 1:
            raise ExportError(f"recipe hidden: expected positive layer widths, got {self.hidden}")
        if not self.filters or min(self.filters) < 1:
            raise ExportError(f"recipe filters: expected positive channel counts, got {self.filters}")
        for name in ("epochs", "batch_size", "kernel_size", "pool_size"):
            if getattr(self, name) < 1:
                raise ExportError(f"recipe {name}: expected >= 1, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1 or not 0 <= self.aug_bandlimit <= 1 or not 0 <= self.aug_bandmap <= 1:
            raise ExportError(
                f"recipe: dropout must be in [0, 1), aug_bandlimit and aug_bandmap in [0, 1], got "
                f"{self.dropout}, {self.aug_bandlimit}, {self.aug_bandmap}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recipe:
        """Build from a JSON object; unknown keys are an error (a typo must not be ignored)."""
        try:
            values = known_settings(cls, data, "recipe")
        except ContractError as exc:  # the runtime's check, reported as an export error
            raise ExportError(str(exc)) from None
        for key in ("filters", "hidden"):
            if key in values:
                values[key] = tuple(values[key])
        try:
            return cls(**values)
        except TypeError as exc:
            raise ExportError(f"recipe: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every setting."""
        values = dataclasses.asdict(self)
        values["filters"] = list(self.filters)
        values["hidden"] = list(self.hidden)
        return values

    def replace(self, **changes: Any) -> Recipe:
        """A copy with ``changes`` applied (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The original project's recipe (RMSprop 5e-5, batch 16, no normalisation) and ours.
PRESETS: dict[str, Recipe] = {
    "original": Recipe(),
    "shipped": Recipe(
        name="shipped",
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        batch_size=64,
        epochs=100,
        dropout=0.3,
        class_weights=True,
    ),
}
#: The shipped recipe's training with an MLP (512-256, BatchNorm) instead of the convolutions.
PRESETS["mlp"] = PRESETS["shipped"].replace(
    name="mlp", arch="mlp", hidden=(512, 256), batchnorm=True, dropout=0.5, label_smoothing=0.1)
#: The MLP plus one band-limited (8 kHz, feature-domain) copy of every training row.
PRESETS["mlp_band"] = PRESETS["mlp"].replace(name="mlp_band", aug_copies=1, aug_bandlimit=1.0)
#: The MLP plus one copy of every row through the band map learned from audio (--band-audio).
PRESETS["mlp_bandmap"] = PRESETS["mlp"].replace(name="mlp_bandmap", aug_copies=1, aug_bandmap=1.0)


def load_recipe(spec: str) -> Recipe:
    """A preset name from :data:`PRESETS`, or the path of a JSON file with :class:`Recipe` fields."""
    if spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec)
    if not path.is_file():
        raise ExportError(f"--recipe: expected one of {sorted(PRESETS)} or a JSON file, got {spec!r}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"--recipe: cannot read '{path}' as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ExportError(f"--recipe: '{path}' must hold a JSON object, got {type(data).__name__}")
    return Recipe.from_dict({"name": path.stem, **data})
