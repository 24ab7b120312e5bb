"""Speaker calibration at training time: enrolment statistics drawn the way a device gathers
them, the calibrated functionals MLP, and its cross-validation under several enrolments.

A device hears one household through one microphone and learns, without labels, the mean and
spread of the functionals (F values per speech utterance) of what it hears. The calibrated MLP
sees ``(functionals - mean) / std`` with those statistics shrunk towards the training prior
exactly as the runtime does (:class:`ser_edge.calibration.Calibration`)::

    mean = (n*m_s + k*prior_mean) / (n + k),  var = (n*v_s + k*prior_var) / (n + k)

During training every speaker (and augmentation variant: a microphone) is normalised by the
statistics of a random enrolment drawn fresh every epoch: 1 to all of its utterances, either
at random, neutral/calm only (a household's usual day) or one emotion only, so the model
tolerates few, noisy and unbalanced statistics.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import tf_keras as keras

from ser_edge.calibration import shrunk_statistics

from ..core.folds import ravdess_folds
from ..core.metrics import accuracy, uar
from .crossval import fit_temperature, temper
from .dataset import Dataset
from .models import N_CLASSES, MlpConfig
from .train import fit_fresh_epochs

LOGGER = logging.getLogger(__name__)
ALL = 10_000  # an enrolment size meaning "every utterance of the speaker"
NEUTRAL_CALM = (0, 1)  # label indices of neutral and calm (corpus.LABELS)
SESSION_START = 10  # sessions are scored over their first 10 utterances and the rest
_VAR_FLOOR = 1e-12


@dataclass(frozen=True)
class CalibrationConfig:
    """Enrolment sampling, the prior's weight and the calibrated MLP's training.

    ``mode_probs``: probabilities of a random, a neutral/calm-only and a one-emotion enrolment;
    ``sizes``: enrolment sizes drawn uniformly (``ALL``: every utterance); ``prior_utterances``:
    k in the shrinkage; ``eval_sizes``/``draws``: the CV's enrolments of n random utterances.
    """

    prior_utterances: float = 10.0
    sizes: tuple[int, ...] = (1, 2, 3, 5, 8, 12, 20, 30, ALL)
    mode_probs: tuple[float, float, float] = (0.5, 0.25, 0.25)
    epochs: int = 50
    lr: float = 1e-3
    batch: int = 128
    eval_sizes: tuple[int, ...] = (1, 5, 10, 20)
    draws: int = 5
    mlp: MlpConfig = MlpConfig()


@dataclass(frozen=True)
class Prior:
    """Training prior: mean of the (speaker, variant) means and of their variances, (F,) each."""

    mean: np.ndarray
    var: np.ndarray

    @property
    def std(self) -> np.ndarray:
        return np.sqrt(self.var)


def prior(func: np.ndarray, speakers: np.ndarray, idx: np.ndarray, variants: list[int]) -> Prior:
    """The prior of clips ``idx``: ``func`` (N, V, F); one group per (speaker, variant)."""
    means, variances = [], []
    for s in sorted(set(speakers[idx])):
        rows = idx[speakers[idx] == s]
        for v in variants:
            x = func[rows, v].astype(np.float64)
            means.append(x.mean(axis=0))
            variances.append(x.var(axis=0))
    return Prior(np.mean(means, axis=0), np.mean(variances, axis=0) + _VAR_FLOOR)


def shrunk(x: np.ndarray, p: Prior, k: float) -> tuple[np.ndarray, np.ndarray]:
    """(mean, std) (F,) of enrolment rows ``x`` (n, F) blended with the prior (n = 0: the prior),
    by the runtime's :func:`ser_edge.calibration.shrunk_statistics`."""
    if len(x) == 0:
        return p.mean, p.std
    x = x.astype(np.float64)
    return shrunk_statistics(len(x), x.mean(axis=0), x.var(axis=0), p.mean, p.var, k)


def normalised(x: np.ndarray, stats: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``(x - mean) / std``, float32: what the calibrated MLP sees."""
    return ((x - stats[0]) / stats[1]).astype(np.float32)


def causal_inputs(x: np.ndarray, p: Prior, k: float) -> np.ndarray:
    """A session as ``listen --calibrate`` runs it: rows (n, F) in the order heard, each
    normalised by the shrunk statistics of the rows before it (the first by the prior); (n, F)."""
    x = x.astype(np.float64)
    n = np.arange(len(x), dtype=np.float64)[:, None]  # utterances before each row
    before = np.zeros((1, x.shape[1]))
    total = np.vstack([before, np.cumsum(x, axis=0)[:-1]])
    squares = np.vstack([before, np.cumsum(x * x, axis=0)[:-1]])
    m = np.divide(total, n, out=np.zeros_like(total), where=n > 0)
    v = np.maximum(np.divide(squares, n, out=np.zeros_like(squares), where=n > 0) - m * m, 0.0)
    mean, std = shrunk_statistics(n, m, v, p.mean, p.var, k)
    return ((x - mean) / std).astype(np.float32)


def enrolment(
    rows: np.ndarray, labels: np.ndarray, cfg: CalibrationConfig, rng: np.random.Generator
) -> np.ndarray:
    """A random enrolment among one speaker's clips ``rows`` (labels ``labels``)."""
    mode = rng.choice(3, p=np.asarray(cfg.mode_probs))
    if mode == 1:
        pool = rows[np.isin(labels, NEUTRAL_CALM)]
    elif mode == 2:
        pool = rows[labels == rng.choice(np.unique(labels))]
    else:
        pool = rows
    return rng.choice(pool, min(len(pool), int(rng.choice(cfg.sizes))), replace=False)


def epoch_rows(
    data: Dataset,
    idx: np.ndarray,
    variants: list[int],
    p: Prior,
    cfg: CalibrationConfig,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch: every clip of ``idx`` in every variant, normalised by a fresh enrolment of its
    speaker in that variant; (rows, F) float32 and one-hot targets (rows, 8)."""
    xs, ys = [], []
    for s in sorted(set(data.speakers[idx])):
        rows = idx[data.speakers[idx] == s]
        for v in variants:
            sub = enrolment(rows, data.labels[rows], cfg, rng)
            xs.append(normalised(data.func[rows, v], shrunk(data.func[sub, v], p, cfg.prior_utterances)))
            ys.append(data.labels[rows])
    return np.concatenate(xs), np.eye(N_CLASSES, dtype=np.float32)[np.concatenate(ys)]


def build_calibrated_mlp(n_func: int, config: MlpConfig, name: str = "mlp_cal") -> keras.Model:
    """(batch, F) speaker-normalised functionals -> (batch, 8) softmax (Dense/ReLU/Dropout)."""
    inp = keras.Input((n_func,), name=f"{name}_input")
    x, reg = inp, keras.regularizers.l2(config.l2)
    for width in config.hidden:
        x = keras.layers.Dense(width, activation="relu", kernel_regularizer=reg)(x)
        x = keras.layers.Dropout(config.dropout)(x)
    out = keras.layers.Dense(N_CLASSES, activation="softmax", kernel_regularizer=reg)(x)
    return keras.Model(inp, out, name=name)


def train_calibrated_mlp(
    data: Dataset, idx: np.ndarray, variants: list[int], cfg: CalibrationConfig, seed: int
) -> tuple[keras.Model, Prior]:
    """Train on clips ``idx`` (fresh enrolments every epoch); returns the model and its prior."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    p = prior(data.func, data.speakers, idx, variants)
    model = build_calibrated_mlp(data.func.shape[2], cfg.mlp)

    def draw() -> tuple[np.ndarray, np.ndarray]:  # every epoch: a fresh enrolment per speaker
        return epoch_rows(data, idx, variants, p, cfg, rng)

    return fit_fresh_epochs(model, cfg.epochs, cfg.lr, cfg.batch, draw), p


def enrolments(
    rows: np.ndarray, labels: np.ndarray, cfg: CalibrationConfig, seed: int
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """The CV's enrolments of one test speaker: (condition, enrolled clips, scored clips).

    ``none`` (n = 0, the prior), ``randN`` (``draws`` draws of N random clips, the others
    scored), ``all`` (every clip enrolled and scored), ``neutral_calm`` and ``one_emotion``
    (each emotion's clips in turn; the rest scored).
    """
    rng = np.random.default_rng(seed)
    yield "none", rows[:0], rows
    for n in (n for n in cfg.eval_sizes if n < len(rows)):
        for _ in range(cfg.draws):
            sub = rng.choice(rows, n, replace=False)
            yield f"rand{n}", sub, np.setdiff1d(rows, sub)
    yield "all", rows, rows
    calm = rows[np.isin(labels, NEUTRAL_CALM)]
    yield "neutral_calm", calm, np.setdiff1d(rows, calm)
    for e in np.unique(labels):
        yield "one_emotion", rows[labels == e], rows[labels != e]


class CvRows:
    """The rows a CV scores: per row its condition, fold, clip (dataset index), the calibrated
    MLP's probabilities (8,) and the CNN's (8,)."""

    def __init__(self) -> None:
        self.parts: dict[str, list] = {"condition": [], "fold": [], "clip": [], "mlp": [], "cnn": []}

    def add(
        self, conditions: list[str], fold: int, clips: np.ndarray, mlp: np.ndarray, cnn: np.ndarray
    ) -> None:
        """Rows of one scoring: ``mlp``/``cnn`` (len(clips), 8)."""
        self.parts["condition"] += list(conditions)
        self.parts["fold"] += [fold] * len(clips)
        self.parts["clip"] += list(clips)
        self.parts["mlp"].append(mlp)
        self.parts["cnn"].append(cnn)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every row: ``condition``/``fold``/``clip`` (rows,), ``mlp``/``cnn`` (rows, 8)."""
        return {k: np.concatenate(v) if k in ("mlp", "cnn") else np.array(v) for k, v in self.parts.items()}


def run_calibration_cv(
    data: Dataset, cnn: dict[str, np.ndarray], variants: list[int], cfg: CalibrationConfig, n_folds: int
) -> dict:
    """Speaker-grouped CV of the calibrated MLP; ``cnn``: per evaluation variant ("clean",
    "band8k") the CNN's out-of-fold probabilities of every clip (N, 8) (unused rows: any).

    Returns the rows scored: condition, fold, clip, MLP probabilities. Besides
    :func:`enrolments`: per fold the held-out speakers' pooled ``mixed`` enrolment (all of them
    together, as one household), and sessions as ``listen --calibrate`` runs them
    (:func:`causal_inputs`): each held-out voice alone (``session_*``) and the fold's voices
    interleaved (``session_mixed_*``), in random orders, scored over the first
    SESSION_START utterances and after.
    """
    out = CvRows()

    def score(model, p, cond, fold, v, vname, sub, scored):
        z = normalised(data.func[scored, v], shrunk(data.func[sub, v], p, cfg.prior_utterances))
        probs = model.predict(z, verbose=0, batch_size=512)
        out.add([f"{vname}/{cond}"] * len(scored), fold, scored, probs, cnn[vname][scored])

    def sessions(model, p, fold, rows):
        """Each held-out voice alone, then all of them interleaved, in a random order (causal)."""
        rng, clean = np.random.default_rng(2000 + fold), data.variant("clean")
        voices = [
            ("session", rng.permutation(rows[data.speakers[rows] == s]))
            for s in np.unique(data.speakers[rows])
        ]
        for cond, order in [*voices, ("session_mixed", rng.permutation(rows))]:
            probs = model.predict(causal_inputs(data.func[order, clean], p, cfg.prior_utterances), verbose=0)
            first = np.arange(len(order)) < SESSION_START
            names = np.where(
                first, f"clean/{cond}_first{SESSION_START}", f"clean/{cond}_after{SESSION_START}"
            )
            out.add(list(names), fold, order, probs, cnn["clean"][order])

    for fold in ravdess_folds(list(data.speakers), n_folds):
        test_mask = np.isin(data.speakers, fold.test_speakers)
        model, p = train_calibrated_mlp(data, np.flatnonzero(~test_mask), variants, cfg, seed=fold.index)
        for s in fold.test_speakers:
            rows = np.flatnonzero(data.speakers == s)
            for cond, sub, scored in enrolments(
                rows, data.labels[rows], cfg, seed=1000 + int(s.split("_")[-1])
            ):
                score(model, p, cond, fold.index, data.variant("clean"), "clean", sub, scored)
                if cond in ("none", "all"):
                    score(model, p, cond, fold.index, data.variant("band8k"), "band8k", sub, scored)
        rows = np.flatnonzero(test_mask & (data.corpus == "ravdess"))
        score(model, p, "mixed", fold.index, data.variant("clean"), "clean", rows, rows)
        sessions(model, p, fold.index, rows)
        LOGGER.info("calibration fold %d %s done", fold.index, fold.test_speakers)
    return out.arrays()


@dataclass(frozen=True)
class Temperatures:
    """The CNN's and the calibrated MLP's member temperatures, and the final temperatures of the
    uncalibrated (prior statistics) and the calibrated hybrid."""

    cnn: float
    mlp: float
    uncalibrated: float
    calibrated: float


CALIBRATED_FIT = ("clean/rand5", "clean/rand20", "clean/all")


def hybrid(cnn: np.ndarray, mlp: np.ndarray, t: Temperatures, final: float) -> np.ndarray:
    """The graph's ensemble: members tempered, averaged, tempered again, (n, 8)."""
    return temper((temper(cnn, t.cnn) + temper(mlp, t.mlp)) / 2, final)


def fit_temperatures(rows: dict, y: np.ndarray, select: np.ndarray | None = None) -> Temperatures:
    """Temperatures fitted on the CV rows ``select`` (default all): members on ``all``, the
    uncalibrated hybrid on ``none``, the calibrated one on CALIBRATED_FIT pooled."""
    sel = np.ones(len(rows["clip"]), bool) if select is None else select
    cond, yy = rows["condition"], y[rows["clip"]]
    ref = sel & (cond == "clean/all")
    t = Temperatures(
        fit_temperature(rows["cnn"][ref], yy[ref]), fit_temperature(rows["mlp"][ref], yy[ref]), 1.0, 1.0
    )
    none = sel & (cond == "clean/none")
    cal = sel & np.isin(cond, CALIBRATED_FIT)
    return Temperatures(
        t.cnn,
        t.mlp,
        fit_temperature(hybrid(rows["cnn"][none], rows["mlp"][none], t, 1.0), yy[none]),
        fit_temperature(hybrid(rows["cnn"][cal], rows["mlp"][cal], t, 1.0), yy[cal]),
    )


def nested_outputs(rows: dict, y: np.ndarray) -> np.ndarray:
    """What the model outputs for every CV row, (rows, 8): ``probs`` for condition ``none``,
    ``probs_calibrated`` otherwise, each fold's temperatures fitted on the other folds."""
    nested = np.zeros_like(rows["mlp"])
    for f in np.unique(rows["fold"]):
        t = fit_temperatures(rows, y, rows["fold"] != f)
        sel = rows["fold"] == f
        final = np.where(rows["condition"][sel] == "clean/none", t.uncalibrated, t.calibrated)
        for value in np.unique(final):
            s = np.flatnonzero(sel)[final == value]
            nested[s] = hybrid(rows["cnn"][s], rows["mlp"][s], t, float(value))
    return nested


def score_conditions(
    rows: dict, y: np.ndarray, probs: np.ndarray, baseline: dict[str, np.ndarray] | None = None
) -> dict:
    """Accuracy/UAR (%) per condition of the rows' outputs ``probs`` (rows, 8), e.g.
    :func:`nested_outputs`. ``baseline``: per evaluation variant ("clean", "band8k") the
    uncalibrated v2 model's out-of-fold probabilities (N, 8), scored on the same clips of every
    condition for a paired comparison."""
    cond, clip = rows["condition"], rows["clip"]
    out = {}
    for c in sorted(set(cond)):
        s = cond == c
        pred, yy = probs[s].argmax(axis=1), y[clip[s]]
        row = {"n": int(s.sum()), "acc": 100 * accuracy(yy, pred), "uar": 100 * uar(yy, pred, N_CLASSES)}
        if baseline is not None:
            b = baseline[c.split("/")[0]][clip[s]].argmax(axis=1)
            row.update(
                {"uncalibrated_acc": 100 * accuracy(yy, b), "uncalibrated_uar": 100 * uar(yy, b, N_CLASSES)}
            )
        out[c] = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
    return out
