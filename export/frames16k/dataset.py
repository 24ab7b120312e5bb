"""The training arrays of a corpus: per clip and augmentation variant, the CNN input (speech
log-mel frames, band means removed) and the functionals, plus labels and speakers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ser_edge.frontend.frames16k.pooling import band_functionals, functional_names
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from .corpus import Clip
from .extract import ClipFeatures

PITCH_PREFIXES = ("f0_", "voiced_", "periodicity_")
MFCC_MEAN_PREFIX = "mfcc"
MFCC_MEAN_SUFFIX = "_mean"


@dataclass
class Dataset:
    """``frames[i][v]``: (T, n_mels) float32 of clip i, variant ``variants[v]``;
    ``func``: (N, V, F) float32; ``labels``/``speakers``/``corpus``: (N,) arrays."""

    frames: list[list[np.ndarray]]
    func: np.ndarray
    labels: np.ndarray
    speakers: np.ndarray
    corpus: np.ndarray
    variants: tuple[str, ...]
    func_names: list[str]

    def variant(self, name: str) -> int:
        """Index of a variant name."""
        return self.variants.index(name)


def _speech_frames(logmel: np.ndarray, mask: np.ndarray, remove_mean: bool) -> np.ndarray:
    mel = logmel.astype(np.float32)[mask if mask.sum() else slice(None)]
    return mel - mel.mean(axis=0, keepdims=True) if remove_mean else mel


def build_dataset(
    clips: list[Clip], feats: list[ClipFeatures], spec: Frames16kSpec, pooling: str = "speech"
) -> Dataset:
    """Assemble arrays; ``pooling='all'`` uses every frame (ablation: frame functionals over all
    frames exist for the clean variant only and are copied to every variant).

    The functionals are the cached frame functionals followed by the band functionals of the
    cached (float16) log-mel frames: the runtime's ``functionals`` to ~1e-3.
    """
    variants = tuple(feats[0].logmel)
    frames, func = [], []
    for f in feats:
        masks = {v: (f.mask[v] if pooling == "speech" else np.ones(len(f.mask[v]), bool)) for v in variants}
        frames.append([_speech_frames(f.logmel[v], masks[v], spec.band_mean_removal) for v in variants])
        func.append(
            [
                np.concatenate(
                    [
                        f.func[v] if pooling == "speech" else f.all_frames,
                        band_functionals(f.logmel[v], masks[v], spec),
                    ]
                )
                for v in variants
            ]
        )
    return Dataset(
        frames,
        np.asarray(func, dtype=np.float32),
        np.array([c.label for c in clips]),
        np.array([c.speaker for c in clips]),
        np.array([c.corpus for c in clips]),
        variants,
        functional_names(spec),
    )


def column_subset(names: list[str], drop_pitch: bool = False, mfcc_means_only: bool = False) -> np.ndarray:
    """Indices of the functionals kept by an ablation."""
    keep = []
    for i, n in enumerate(names):
        if drop_pitch and n.startswith(PITCH_PREFIXES):
            continue
        if mfcc_means_only and not (n.startswith(MFCC_MEAN_PREFIX) and n.endswith(MFCC_MEAN_SUFFIX)):
            continue
        keep.append(i)
    return np.array(keep)
