"""Training the members: CNN on crops of speech frames (SpecAugment, mixup, augmentation
variants), MLP on functionals; prediction on whole utterances (variable length)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import tf_keras as keras

from ser_edge.model.dimensions import dimension_targets

from .corpus import LABELS
from .models import N_CLASSES, N_DIMS, CnnConfig, MlpConfig, build_cnn, build_mlp
from .multicorpus import CorpusTargets, masked_crossentropy, targets

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation and augmentation settings of both members; ``corpus_masks``/``balance_corpora``:
    multi-corpus training (:mod:`export.frames16k.multicorpus`); ``dimension_heads``: arousal and
    valence heads trained on the label -> dimension mapping, their binary cross-entropy weighted
    by ``dimension_weight`` beside the class loss."""

    crop_frames: int = 128
    cnn_epochs: int = 30
    mlp_epochs: int = 40
    batch: int = 64
    lr: float = 2e-3
    mixup_alpha: float = 0.2
    freq_masks: int = 2
    freq_mask_max: int = 8
    time_masks: int = 2
    time_mask_max: int = 16
    clean_prob: float = 0.3
    variants: tuple[str, ...] = ("clean", "band8k", "noise", "telephone", "speed", "reverb")
    specaugment: bool = True
    corpus_masks: bool = False
    balance_corpora: bool = False
    dimension_heads: bool = False
    dimension_weight: float = 1.0
    cnn: CnnConfig = field(default_factory=CnnConfig)
    mlp: MlpConfig = field(default_factory=MlpConfig)


def member_targets(labels: np.ndarray, masks: np.ndarray | None, cfg: TrainConfig) -> np.ndarray:
    """A member's training targets: one-hot (N, 8) [+ class masks (N, 8)] [+ the labels'
    arousal and valence (N, 2) with ``cfg.dimension_heads``]."""
    y = targets(labels, masks)
    if not cfg.dimension_heads:
        return y
    return np.concatenate([y, dimension_targets(LABELS)[labels]], axis=1)


def member_loss(masked: bool, cfg: TrainConfig) -> str | Callable:
    """The members' loss: (masked) cross-entropy of the classes, plus with dimension heads
    ``cfg.dimension_weight`` x the binary cross-entropy of the two dimensions."""
    if not cfg.dimension_heads:
        return masked_crossentropy if masked else "categorical_crossentropy"
    classes = masked_crossentropy if masked else keras.losses.categorical_crossentropy
    weight = cfg.dimension_weight

    def loss(y_true, y_pred):  # noqa: ANN001, ANN202 (tensors)
        dims = keras.losses.binary_crossentropy(y_true[:, -N_DIMS:], y_pred[:, N_CLASSES:])
        return classes(y_true[:, :-N_DIMS], y_pred[:, :N_CLASSES]) + weight * dims

    return loss


def crop(frames: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``length``-frame window; shorter inputs are tiled (cyclically) to ``length``."""
    if len(frames) < length:
        frames = np.tile(frames, (int(np.ceil(length / max(len(frames), 1))), 1))
    start = int(rng.integers(0, len(frames) - length + 1))
    return frames[start : start + length]


def spec_augment(batch: np.ndarray, cfg: TrainConfig, rng: np.random.Generator) -> np.ndarray:
    """Zero (= band mean) random frequency bands and time spans of (B, T, M) in place."""
    b, t, m = batch.shape
    for i in range(b):
        for _ in range(cfg.freq_masks):
            w = int(rng.integers(0, cfg.freq_mask_max + 1))
            f0 = int(rng.integers(0, m - w + 1))
            batch[i, :, f0 : f0 + w] = 0.0
        for _ in range(cfg.time_masks):
            w = int(rng.integers(0, cfg.time_mask_max + 1))
            t0 = int(rng.integers(0, t - w + 1))
            batch[i, t0 : t0 + w, :] = 0.0
    return batch


def mixup(
    x: np.ndarray, y: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Convex combinations of shuffled pairs (lambda ~ Beta(alpha, alpha), one per sample)."""
    if alpha <= 0:
        return x, y
    lam = rng.beta(alpha, alpha, size=len(x)).astype(np.float32)
    perm = rng.permutation(len(x))
    lx = lam.reshape((-1,) + (1,) * (x.ndim - 1))
    return lx * x + (1 - lx) * x[perm], lam[:, None] * y + (1 - lam[:, None]) * y[perm]


def _variant_choice(
    n: int, allowed: list[int], clean: int, cfg: TrainConfig, rng: np.random.Generator
) -> np.ndarray:
    pick = rng.choice(allowed, size=n)
    return np.where(rng.random(n) < cfg.clean_prob, clean, pick)


def cnn_epoch_data(
    frames: list[list[np.ndarray]],
    labels: np.ndarray,
    allowed: list[int],
    clean: int,
    cfg: TrainConfig,
    rng: np.random.Generator,
    corpus: CorpusTargets | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of CNN inputs (N, crop, M) and soft targets (N, 8); with ``corpus``, N clips
    drawn by its weights and targets (N, 16) with their class masks (masked loss)."""
    n = len(frames)
    order = np.arange(n) if corpus is None else rng.choice(n, size=n, p=corpus.weights)
    choice = _variant_choice(n, allowed, clean, cfg, rng)
    x = np.stack([crop(frames[i][v], cfg.crop_frames, rng) for i, v in zip(order, choice, strict=True)])
    x = x.astype(np.float32)
    if cfg.specaugment:
        x = spec_augment(x, cfg, rng)
    y = member_targets(labels[order], None if corpus is None else corpus.masks[order], cfg)
    return mixup(x, y, cfg.mixup_alpha, rng)


def _schedule(epochs: int, lr: float) -> keras.callbacks.LearningRateScheduler:
    return keras.callbacks.LearningRateScheduler(lambda e: lr * 0.5 * (1 + np.cos(np.pi * e / epochs)))


def train_cnn(
    frames: list[list[np.ndarray]],
    labels: np.ndarray,
    allowed: list[int],
    clean: int,
    n_mels: int,
    cfg: TrainConfig,
    seed: int,
    corpus: CorpusTargets | None = None,
) -> keras.Model:
    """Train one CNN member from scratch (fresh data draw every epoch); ``corpus``: multi-corpus
    sampling and class masks (masked loss), None for plain cross-entropy."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = build_cnn(n_mels, cfg.cnn, name=f"cnn_{seed}", heads=cfg.dimension_heads)
    def draw() -> tuple[np.ndarray, np.ndarray]:
        return cnn_epoch_data(frames, labels, allowed, clean, cfg, rng, corpus)

    loss = member_loss(corpus is not None, cfg)
    return fit_fresh_epochs(model, cfg.cnn_epochs, cfg.lr, cfg.batch, draw, loss)


def fit_fresh_epochs(
    model: keras.Model,
    epochs: int,
    lr: float,
    batch: int,
    draw: Callable[[], tuple[np.ndarray, np.ndarray]],
    loss: str | Callable = "categorical_crossentropy",
) -> keras.Model:
    """Compile (Adam, ``loss``) and train ``epochs`` epochs, each on a fresh ``draw()`` of
    (inputs, one-hot or soft targets), the learning rate following a cosine from ``lr`` to 0."""
    model.compile(keras.optimizers.Adam(lr), loss)
    for epoch in range(epochs):
        cosine = lr * 0.5 * (1 + np.cos(np.pi * epoch / epochs))
        keras.backend.set_value(model.optimizer.learning_rate, cosine)
        x, y = draw()
        hist = model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=True)
        LOGGER.debug("%s epoch %d loss %.3f", model.name, epoch, hist.history["loss"][-1])
    return model


def train_mlp(
    func: np.ndarray, labels: np.ndarray, cfg: TrainConfig, seed: int, corpus: CorpusTargets | None = None
) -> keras.Model:
    """Train the functionals MLP on rows (N_rows, F) (all variants of the training clips);
    ``corpus`` (per row): sample weights (mean 1) and class masks (masked loss)."""
    keras.utils.set_random_seed(seed)
    mean, std = func.mean(axis=0), func.std(axis=0) + 1e-6
    model = build_mlp(mean, std, cfg.mlp, name=f"mlp_{seed}", heads=cfg.dimension_heads)
    model.compile(keras.optimizers.Adam(cfg.lr / 2), member_loss(corpus is not None, cfg))
    y = member_targets(labels, None if corpus is None else corpus.masks, cfg)
    model.fit(
        func,
        y,
        sample_weight=None if corpus is None else corpus.weights * len(labels),
        batch_size=cfg.batch * 2,
        epochs=cfg.mlp_epochs,
        verbose=0,
        shuffle=True,
        callbacks=[_schedule(cfg.mlp_epochs, cfg.lr / 2)],
    )
    return model


def predict_cnn(model: keras.Model, frames: list[np.ndarray]) -> np.ndarray:
    """Softmax of whole utterances one at a time (variable length, as at run time), (N, 8)."""
    import tensorflow as tf  # build time only

    step = tf.function(
        lambda x: model(x, training=False),
        input_signature=[tf.TensorSpec((1, None, model.input_shape[-1]), tf.float32)],
    )
    return np.concatenate([step(f[None].astype(np.float32)).numpy() for f in frames])
