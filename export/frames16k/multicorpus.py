"""Multi-corpus training: each clip constrains only the classes its corpus has, and corpora are
sampled in balance.

A corpus's classes are the labels it holds (EMOVO and TESS have no calm). The training target
of a clip is its one-hot label followed by its corpus's class mask, (N, 2 * 8); the loss
(:func:`masked_crossentropy`) renormalises the softmax over the masked classes, so a TESS or
EMOVO clip says nothing about calm (a partial-label / masked-softmax loss). Corpus-balanced
sampling weighs every clip by 1 / (its corpus's size), so each corpus counts the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models import N_CLASSES

_EPS = 1e-7


@dataclass(frozen=True)
class CorpusTargets:
    """Per training clip: ``masks`` (N, 8) float32, 1 for the classes its corpus has;
    ``weights`` (N,) float64 summing to 1 (the sampling probability of each clip)."""

    masks: np.ndarray
    weights: np.ndarray


def corpus_masks(labels: np.ndarray, corpus: np.ndarray) -> np.ndarray:
    """(N, 8) float32: row i marks the labels that occur in clip i's corpus (among these clips)."""
    masks = np.zeros((len(labels), N_CLASSES), dtype=np.float32)
    for name in np.unique(corpus):
        rows = corpus == name
        masks[np.ix_(rows, np.unique(labels[rows]))] = 1.0
    return masks


def balanced_weights(corpus: np.ndarray) -> np.ndarray:
    """(N,) sampling probabilities: every corpus gets the same total (1 / number of corpora)."""
    names, inverse, counts = np.unique(corpus, return_inverse=True, return_counts=True)
    return 1.0 / (counts[inverse] * len(names))


def corpus_targets(
    labels: np.ndarray, corpus: np.ndarray, masked: bool, balanced: bool
) -> CorpusTargets | None:
    """The masks (all ones unless ``masked``) and weights (uniform unless ``balanced``) of the
    training clips; None when neither is asked for (plain one-hot cross-entropy, as v2)."""
    if not (masked or balanced):
        return None
    masks = corpus_masks(labels, corpus) if masked else np.ones((len(labels), N_CLASSES), np.float32)
    weights = balanced_weights(corpus) if balanced else np.full(len(labels), 1.0 / len(labels))
    return CorpusTargets(masks, weights)


def repeat_rows(corpus: CorpusTargets | None, times: int) -> CorpusTargets | None:
    """Each clip's mask and weight repeated ``times`` (its rows of augmentation variants, clip-major),
    the weights renormalised to sum to 1."""
    if corpus is None:
        return None
    return CorpusTargets(np.repeat(corpus.masks, times, axis=0), np.repeat(corpus.weights, times) / times)


def targets(labels: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
    """One-hot (N, 8), or one-hot followed by the class masks (N, 16) for the masked loss."""
    onehot = np.eye(N_CLASSES, dtype=np.float32)[labels]
    return onehot if masks is None else np.concatenate([onehot, masks], axis=1)


def masked_crossentropy(y_true, y_pred):  # noqa: ANN001, ANN201 (tensors)
    """Cross-entropy of ``y_true[:, :8]`` against the softmax ``y_pred`` (B, 8) renormalised over
    the classes where ``y_true[:, 8:] > 0`` (after mixup: the union of the pair's classes)."""
    import tensorflow as tf  # build time only

    target, mask = y_true[:, :N_CLASSES], tf.cast(y_true[:, N_CLASSES:] > 0, y_pred.dtype)
    allowed = y_pred * mask
    allowed = allowed / (tf.reduce_sum(allowed, axis=1, keepdims=True) + _EPS)
    return -tf.reduce_sum(target * tf.math.log(allowed + _EPS), axis=1)
