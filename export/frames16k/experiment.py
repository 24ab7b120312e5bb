"""Cross-validation of a model recipe and the final training on every speaker.

A recipe is ``n_cnn`` CNN seeds + (optionally) one functionals MLP, averaged. For every fold
the members are trained on all non-test speakers and predict the fold's RAVDESS speakers'
clean clips (and their 8 kHz versions); metrics are computed per member, for the CNN
ensemble, the MLP and the hybrid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from ..core.folds import ravdess_folds
from ..core.metrics import accuracy, uar
from .augment import TEST_VARIANTS
from .dataset import Dataset
from .models import N_CLASSES
from .multicorpus import corpus_targets, repeat_rows
from .train import TrainConfig, predict_cnn, train_cnn, train_mlp

LOGGER = logging.getLogger(__name__)
EVAL_VARIANTS = ("clean", "band8k", *TEST_VARIANTS)
DIMS = "dims"


@dataclass(frozen=True)
class Recipe:
    """What to train: CNN seeds, whether to add the MLP, which functional columns it uses."""

    n_cnn: int = 1
    use_mlp: bool = True
    func_columns: tuple[int, ...] = ()
    seed: int = 0


def _rows(
    data: Dataset, idx: np.ndarray, variants: list[int], cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    x = data.func[idx][:, variants][:, :, cols].reshape(-1, len(cols))
    return x, np.repeat(data.labels[idx], len(variants))


def train_members(data: Dataset, idx: np.ndarray, recipe: Recipe, cfg: TrainConfig) -> tuple[list, list]:
    """Train the recipe's CNNs and MLP on clips ``idx``; returns (cnns, mlps). With
    ``cfg.corpus_masks``/``cfg.balance_corpora``, multi-corpus training (by ``data.corpus``)."""
    allowed = [data.variant(v) for v in cfg.variants]
    clean = data.variant("clean")
    n_mels = data.frames[0][0].shape[1]
    frames = [data.frames[i] for i in idx]
    corpus = corpus_targets(data.labels[idx], data.corpus[idx], cfg.corpus_masks, cfg.balance_corpora)
    cnns = [
        train_cnn(frames, data.labels[idx], allowed, clean, n_mels, cfg, recipe.seed + k, corpus)
        for k in range(recipe.n_cnn)
    ]
    mlps = []
    if recipe.use_mlp:
        x, y = _rows(data, idx, allowed, np.array(recipe.func_columns))
        mlps.append(train_mlp(x, y, cfg, recipe.seed + 100, repeat_rows(corpus, len(allowed))))
    return cnns, mlps


def predict_members(
    cnns: list, mlps: list, data: Dataset, idx: np.ndarray, variant: str, cols: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Per member name: softmax (len(idx), 8) of clips ``idx`` in ``variant``; and the members'
    mean arousal and valence (len(idx), 2) when they have dimension heads, else None."""
    v = data.variant(variant)
    out = {f"cnn{k}": predict_cnn(m, [data.frames[i][v] for i in idx]) for k, m in enumerate(cnns)}
    for k, m in enumerate(mlps):
        out[f"mlp{k}"] = m.predict(data.func[idx, v][:, cols], verbose=0)
    dims = [p[:, N_CLASSES:] for p in out.values() if p.shape[1] > N_CLASSES]
    return {k: p[:, :N_CLASSES] for k, p in out.items()}, (np.mean(dims, axis=0) if dims else None)


def combos(probs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The member averages reported: each member, the CNN ensemble, and everything."""
    out = dict(probs)
    cnn = [p for k, p in probs.items() if k.startswith("cnn")]
    if len(cnn) > 1:
        out["cnn_ens"] = np.mean(cnn, axis=0)
    if cnn and any(k.startswith("mlp") for k in probs):
        out["hybrid"] = np.mean(list(probs.values()), axis=0)
    return out


def run_cv(data: Dataset, recipe: Recipe, cfg: TrainConfig, n_folds: int) -> dict:
    """Speaker-grouped CV; returns per fold/eval-variant/combination probabilities and metrics."""
    folds = ravdess_folds(list(data.speakers), n_folds)
    cols = np.array(recipe.func_columns)
    result: dict = {"folds": [], "probs": {}, "labels": {}, "index": {}}
    for fold in tqdm(folds, desc="cv folds", unit="fold"):
        test = np.flatnonzero(np.isin(data.speakers, fold.test_speakers) & (data.corpus == "ravdess"))
        train = np.flatnonzero(~np.isin(data.speakers, fold.test_speakers))
        cnns, mlps = train_members(data, train, recipe, cfg)
        entry = {"fold": fold.index, "test_speakers": list(fold.test_speakers), "n_test": int(len(test))}
        for variant in EVAL_VARIANTS:
            probs, dims = predict_members(cnns, mlps, data, test, variant, cols)
            if dims is not None:
                result["probs"].setdefault(f"{variant}/{DIMS}", []).append(dims)
            probs = combos(probs)
            for name, p in probs.items():
                pred = p.argmax(axis=1)
                entry[f"{variant}/{name}"] = {
                    "acc": accuracy(data.labels[test], pred),
                    "uar": uar(data.labels[test], pred, N_CLASSES),
                }
                result["probs"].setdefault(f"{variant}/{name}", []).append(p)
        result["labels"].setdefault("y", []).append(data.labels[test])
        result["index"].setdefault("i", []).append(test)
        LOGGER.info(
            "fold %d %s: %s",
            fold.index,
            fold.test_speakers,
            {k: round(v["acc"], 3) for k, v in entry.items() if isinstance(v, dict)},
        )
        result["folds"].append(entry)
    return summarise(result)


def summarise(result: dict) -> dict:
    """Pooled probabilities per combination and mean/std of the per-fold figures."""
    y = np.concatenate(result["labels"]["y"])
    pooled = {k: np.concatenate(v) for k, v in result["probs"].items()}
    summary = {}
    for key in (k for k in pooled if not k.endswith(f"/{DIMS}")):
        accs = [f[key]["acc"] for f in result["folds"]]
        uars = [f[key]["uar"] for f in result["folds"]]
        summary[key] = {
            "acc_mean": float(np.mean(accs)),
            "acc_std": float(np.std(accs)),
            "uar_mean": float(np.mean(uars)),
            "uar_std": float(np.std(uars)),
        }
    return {
        "folds": result["folds"],
        "summary": summary,
        "pooled": pooled,
        "y": y,
        "index": np.concatenate(result["index"]["i"]),
    }
