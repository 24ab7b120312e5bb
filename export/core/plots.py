"""PNG figures for the model card (matplotlib, Agg backend, imported lazily)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from .files import write_atomic


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_png(matrix: list[list[int]], labels: tuple[str, ...], title: str, out: Path) -> Path:
    """Row-normalised confusion matrix (rows true, columns predicted) with counts, as a PNG."""
    plt = _pyplot()
    counts = np.asarray(matrix, dtype=np.float64)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=100)
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    for (i, j), value in np.ndenumerate(counts):
        if value:
            ax.text(
                j,
                i,
                f"{int(value)}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if rates[i, j] > 0.5 else "black",
            )
    fig.colorbar(image, ax=ax, fraction=0.046, label="recall share of the true class")
    return _save(fig, out)


def curves_png(curves: dict[str, list[float]], final: dict[str, list[float]], title: str, out: Path) -> Path:
    """Loss and accuracy per epoch: fold means (train and held-out speakers) and the final fit."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for source, prefix, name, style in (
            (curves, "", "folds: train", "-"),
            (curves, "val_", "folds: held-out speakers", "-"),
            (final, "", "final fit: all rows", "--"),
        ):
            if source and prefix + metric in source:
                ax.plot(source["epoch"], source[prefix + metric], style, label=name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    return _save(fig, out)


def _save(fig: Any, out: Path) -> Path:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    _pyplot().close(fig)
    return write_atomic(out, buffer.getvalue())
