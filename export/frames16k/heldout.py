"""Scoring a corpus the model never trained on: leave-one-corpus-out (LOCO), or speaker folds
within that corpus (``python -m export loco``).

Protocols (the report's ``protocol`` states which one ran):

- **LOCO** (``speaker_folds=0``): the recipe trains once on every clip of the other corpora
  (all their speakers) and scores every clip of the held-out corpus. Nothing of the held-out
  corpus (audio, labels, statistics) is seen: a cross-corpus, cross-language figure.
- **speaker folds** (``speaker_folds=N``): the held-out corpus's speakers (sorted by name) in N
  interleaved groups (``speakers[k::N]``: EMOVO f1+m1, f2+m2, f3+m3 for N=3); each fold trains
  on everything else, the corpus's other speakers included, and scores its group. Speaker-
  independent, but not cross-corpus: for recipes that train on that corpus.

Scoring follows the lead's runtime measurement of the shipped model: the model's top label
among the classes the held-out corpus has (EMOVO: 7, no calm), UAR over those classes,
accuracy, per-class recall, the confusion matrix, UAR/accuracy per speaker, and the binary UAR
of arousal and valence (the label probabilities' expected dimensions against the true label's
side); for the clean clips, the same clips through an 8 kHz sample rate, and the held-out noise
and room conditions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ser_edge.model.dimensions import expected_dimensions

from ..core.errors import ExportError
from ..core.metrics import accuracy, confusion, recalls, uar_of
from .corpus import LABELS
from .crossval import binary_dimension_scores, temper
from .dataset import Dataset
from .experiment import DIMS, EVAL_VARIANTS, Recipe, combos, predict_members, train_members
from .models import N_CLASSES
from .testnorm import GROUPS, group_standardised, training_statistics
from .train import TrainConfig

LOGGER = logging.getLogger(__name__)
TEMPERED = "hybrid_tempered"
PROTOCOLS = {
    "loco": (
        "leave-one-corpus-out: trained on every clip of {train} (no {corpus} in any form), scored on all "
        "{n} {corpus} clips ({n_speakers} speakers); top label among {corpus}'s {n_classes} classes"
    ),
    "speakers": (
        "{corpus} speaker folds ({folds} folds of interleaved speakers): each fold trained on {train} "
        "and the other {corpus} speakers, scored on its held-out {corpus} speakers' clips; top label "
        "among {corpus}'s {n_classes} classes (speaker-independent, not cross-corpus)"
    ),
}


@dataclass(frozen=True)
class HeldOutFold:
    """One fold: ``test`` (clip indices of the held-out speakers), ``train`` (every other clip
    that may train: all of the other corpora, and the corpus's other speakers in speaker folds)."""

    index: int
    speakers: tuple[str, ...]
    train: np.ndarray
    test: np.ndarray


def heldout_folds(data: Dataset, corpus: str, speaker_folds: int) -> list[HeldOutFold]:
    """The folds of a protocol (see the module docstring); :class:`ExportError` if ``corpus``
    has no clips, is the only corpus, or has fewer speakers than ``speaker_folds``."""
    inside = data.corpus == corpus
    names = sorted(set(data.speakers[inside].tolist()))
    if not names or inside.all():
        raise ExportError(f"loco: expected clips of {corpus!r} and of another corpus, got corpora "
                          f"{sorted(set(data.corpus.tolist()))}")
    if speaker_folds > len(names):
        raise ExportError(f"loco: --speaker-folds {speaker_folds} > the {len(names)} {corpus} speakers")
    groups = [tuple(names)] if speaker_folds == 0 else [tuple(names[k::speaker_folds])
                                                          for k in range(speaker_folds)]
    folds = []
    for k, group in enumerate(groups):
        test = np.isin(data.speakers, group) & inside
        train = ~inside if speaker_folds == 0 else ~test
        folds.append(HeldOutFold(k, group, np.flatnonzero(train), np.flatnonzero(test)))
    return folds


def restricted_argmax(probs: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """(N,) the top label of ``probs`` (N, 8) among ``classes`` (label indices)."""
    return classes[np.argmax(probs[:, classes], axis=1)]


def corpus_scores(probs: np.ndarray, y: np.ndarray, speakers: np.ndarray, classes: np.ndarray) -> dict:
    """UAR (over ``classes``), accuracy, per-class recall, confusion (8 x 8, rows true) and per
    speaker UAR/accuracy of ``probs`` (N, 8) against labels ``y`` (N,), the top label among
    ``classes``."""
    pred = restricted_argmax(probs, classes)
    rec = recalls(y, pred, len(LABELS))
    per_speaker = {
        s: {
            "uar": round(uar_of(recalls(y[speakers == s], pred[speakers == s], len(LABELS))), 4),
            "acc": round(accuracy(y[speakers == s], pred[speakers == s]), 4),
            "n": int((speakers == s).sum()),
        }
        for s in sorted(set(speakers.tolist()))
    }
    return {
        "uar": round(uar_of(rec), 4),
        "acc": round(accuracy(y, pred), 4),
        "recall": {LABELS[c]: round(float(rec[c]), 4) for c in classes},
        "per_speaker": per_speaker,
        "confusion": confusion(y, pred, len(LABELS)).tolist(),
        **binary_dimension_scores(expected_dimensions(probs, LABELS), y),
    }


def tempered(probs: dict[str, np.ndarray], member_t: list[float]) -> np.ndarray:
    """Mean of the members (cnn0.., mlp0.., in that order) each tempered by its temperature,
    as the shipped ensemble graph combines them; (N, 8)."""
    names = sorted(k for k in probs if k[:3] in ("cnn", "mlp") and k[3:].isdigit())
    if len(names) != len(member_t):
        raise ExportError(f"loco: --member-temperatures: expected {len(names)} values (members {names}), "
                          f"got {len(member_t)}")
    return np.mean([temper(probs[k], t) for k, t in zip(names, member_t, strict=True)], axis=0)


def _normalised_mlps(mlps: list, data: Dataset, fold: HeldOutFold, variant: str, cols: np.ndarray,
                     group: str) -> dict[str, np.ndarray]:
    """Per MLP name: softmax (len(test), 8) of the test functionals standardised per ``group``."""
    names = data.speakers[fold.test] if group == "speaker" else data.corpus[fold.test]
    func = data.func[fold.test, data.variant(variant)][:, cols]
    normed = [m.predict(group_standardised(func, names, *training_statistics(m)), verbose=0) for m in mlps]
    return {f"mlp{k}": p[:, :N_CLASSES] for k, p in enumerate(normed)}


def _predict_fold(cnns: list, mlps: list, data: Dataset, fold: HeldOutFold, recipe: Recipe,
                  member_t: list[float]) -> dict[str, np.ndarray]:
    out, cols = {}, np.array(recipe.func_columns)
    for variant in EVAL_VARIANTS:
        probs, dims = predict_members(cnns, mlps, data, fold.test, variant, cols)
        both = combos(probs)
        if dims is not None:
            both[DIMS] = dims
        if len(probs) > 1:
            both[TEMPERED] = tempered(probs, member_t)
        for group in GROUPS if mlps else ():
            normed = {**{k: p for k, p in probs.items() if k.startswith("cnn")},
                      **_normalised_mlps(mlps, data, fold, variant, cols, group)}
            both[f"{group}norm/mlp0"] = normed["mlp0"]
            if len(normed) > 1:
                both[f"{group}norm/{TEMPERED}"] = tempered(normed, member_t)
        out.update({f"{variant}/{k}": p for k, p in both.items()})
    return out


def run_heldout(data: Dataset, recipe: Recipe, cfg: TrainConfig, folds: list[HeldOutFold],
                member_t: list[float]) -> dict:
    """Train and predict every fold; pooled ``probs`` per variant/combination (N_test, 8), with
    ``y``, ``speakers``, ``index`` (clip indices) in the same order and per-fold sizes."""
    pooled: dict[str, list[np.ndarray]] = {}
    for fold in folds:
        LOGGER.info("held-out fold %d: %s (%d train, %d test clips)", fold.index, fold.speakers,
                    len(fold.train), len(fold.test))
        cnns, mlps = train_members(data, fold.train, recipe, cfg)
        for key, p in _predict_fold(cnns, mlps, data, fold, recipe, member_t).items():
            pooled.setdefault(key, []).append(p)
    index = np.concatenate([f.test for f in folds])
    return {
        "probs": {k: np.concatenate(v) for k, v in pooled.items()},
        "y": data.labels[index],
        "speakers": data.speakers[index],
        "index": index,
        "folds": [{"fold": f.index, "test_speakers": list(f.speakers), "n_train": int(len(f.train)),
                   "n_test": int(len(f.test))} for f in folds],
    }


def heldout_report(result: dict, data: Dataset, corpus: str, speaker_folds: int) -> dict:
    """The JSON report: protocol text, classes, folds, and :func:`corpus_scores` per
    variant/combination of the pooled predictions."""
    classes = np.unique(result["y"])
    train = sorted(set(data.corpus.tolist()) - {corpus})
    protocol = PROTOCOLS["loco" if speaker_folds == 0 else "speakers"].format(
        train=" + ".join(train), corpus=corpus, n=len(result["y"]), n_classes=len(classes),
        n_speakers=len(set(result["speakers"].tolist())), folds=speaker_folds,
    )
    return {
        "protocol": protocol,
        "held_out": corpus,
        "speaker_folds": speaker_folds,
        "classes": [LABELS[c] for c in classes],
        "folds": result["folds"],
        "scores": {k: (binary_dimension_scores(p, result["y"]) if k.endswith(f"/{DIMS}")
                       else corpus_scores(p, result["y"], result["speakers"], classes))
                   for k, p in result["probs"].items()},
    }
