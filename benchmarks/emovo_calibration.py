"""The shipped default model on EMOVO (Italian; never in its training), uncalibrated and
calibrated per speaker under several enrolment kinds (issue 21's "calibration that never hurts").

    python benchmarks/emovo_calibration.py [--data ../shared/data] [--variant V ...] [--per-speaker]

Protocol: all 588 EMOVO clips (6 actors x 7 emotions x 14 sentences, 16 kHz), through the runtime
API (``EmotionClassifier.frontend.speech_features`` then the model's session). Score: the model's
top label among EMOVO's 7 classes (no calm), UAR over those classes. Calibration per speaker: a
:class:`ser_edge.Calibration` fed the enrolment clips' functionals (as ``listen --calibrate``
would), then the calibrated output on the speaker's other clips (all its clips for "all");
"uncalibrated" is scored on the very same clips. Random draws are seeded (``--seed``, 0). Prints one table
per variant: the mean over speakers of the per-speaker UAR, and the speaker who loses most
(``--per-speaker``: every speaker's difference); with several variants, a summary line each.

``--variant`` (the levers of issue 21, one at a time; repeat it for several): ``runtime``
(default) is what :meth:`ser_edge.EmotionClassifier.predict_features` does, ``shipped`` the
runtime before issue 21, the others one lever or a mix (:func:`make_variant`). Features are
computed once and kept in ``--cache`` (npz; ``cache/`` is not in git); the enrolments of one
speaker are fed to the session as one batch per scored clip (checked: the same probabilities as
``EmotionClassifier.predict_features`` with each enrolment's state).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

EMOTIONS = {"neu": "neutral", "gio": "happy", "tri": "sad", "rab": "angry", "pau": "fearful",
            "dis": "disgust", "sor": "surprised"}
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "cache" / "emovo_runtime_features.npz"


def uar(truth: Sequence[str], pred: Sequence[str]) -> float:
    """Unweighted average recall over the classes present in ``truth``."""
    classes = sorted(set(truth))
    pairs = list(zip(truth, pred, strict=True))
    return float(np.mean([np.mean([p == c for t, p in pairs if t == c]) for c in classes]))


def enrolments(mine: list[int], truth: list[str], rng: random.Random) -> dict[str, list[list[int]]]:
    """Enrolment kinds -> lists of clip-index draws of one speaker."""
    by = {c: [i for i in mine if truth[i] == c] for c in EMOTIONS.values()}
    kinds = {"all clips (balanced)": [mine],
             "5 random clips (5 draws)": [rng.sample(mine, 5) for _ in range(5)]}
    for n in (2, 5, 14):
        kinds[f"{n} clips of one emotion (each emotion)"] = [rng.sample(by[c], n) for c in by]
    for main in ("angry", "neutral"):
        others = [i for i in mine if truth[i] != main]
        kinds[f"mostly {main} (10 + 2 others)"] = [by[main][:10] + rng.sample(others, 2)]
    return kinds


def load_features(clf, data: Path, cache: Path) -> tuple[list[str], list[str], list[dict]]:
    """(speaker, emotion, model inputs) of every EMOVO clip with speech; the inputs are read from
    ``cache`` when it was made from the same clips, else computed through the runtime and kept."""
    from ser_edge.audio.read import read_audio

    files = sorted((data / "audio" / "emovo").glob("*/*.flac"))
    if not files:
        raise SystemExit(f"no EMOVO clips under {data / 'audio' / 'emovo'}")
    stems = [f.stem for f in files]
    if cache.exists():
        z = np.load(cache)
        if list(z["stems"]) == stems:
            cut = np.cumsum(z["lengths"])[:-1]
            frames = np.split(z["frames"], cut)
            keep = [s.split("-") for s, ok in zip(stems, z["speech"], strict=True) if ok]
            inputs = [{"frames": f, "functionals": x} for f, x in zip(frames, z["functionals"], strict=True)]
            return [k[1] for k in keep], [EMOTIONS[k[0]] for k in keep], inputs
    feats = [clf.frontend.speech_features(*read_audio(f)) for f in files]
    speech = np.array([x is not None for x in feats])
    kept = [x for x in feats if x is not None]
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, stems=np.array(stems), speech=speech,
             lengths=np.array([len(x["frames"]) for x in kept]),
             frames=np.concatenate([x["frames"] for x in kept]),
             functionals=np.stack([np.asarray(x["functionals"]).reshape(-1) for x in kept]))
    return load_features(clf, data, cache)


# A variant: (calibration state fed the enrolment, the enrolment's uncalibrated probabilities
# (n, labels)) -> (speaker mean (F,), speaker std (F,), weight of the calibrated output).
Variant = Callable[[Any, np.ndarray], tuple[np.ndarray, np.ndarray, float]]


def enrolment_moments(state: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """(n, mean (F,), variance (F,)) of the functionals a state was fed."""
    mean = state.sum / state.count
    return state.count, mean, np.maximum(state.sumsq / state.count - mean * mean, 0.0)


def shrunk(state: Any, k_mean: float, k_std: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean shrunk with ``k_mean`` prior utterances, std with ``k_std`` (inf: the prior std)."""
    from ser_edge.calibration import shrunk_statistics

    n, m, v = enrolment_moments(state)
    pm, ps = np.array(state.spec.mean), np.array(state.spec.std)
    mean, std = shrunk_statistics(n, m, v, pm, ps * ps, k_mean)
    return mean, ps if np.isinf(k_std) else shrunk_statistics(n, m, v, pm, ps * ps, k_std)[1]


def spread(state: Any, probs: np.ndarray, measure: str) -> float:
    """How varied an enrolment is: ``fvar`` the runtime's :meth:`Calibration.spread`, ``js`` the
    Jensen-Shannon information of its uncalibrated probabilities over log L, ``const`` 1."""
    if measure == "const":
        return 1.0
    if measure == "fvar":
        return state.spread()
    def entropy(p: np.ndarray) -> np.ndarray:
        return -(p * np.log(np.clip(p, 1e-12, 1.0))).sum(-1)
    return float((entropy(probs.mean(0)) - entropy(probs).mean()) / np.log(probs.shape[1]))


def make_variant(text: str, clf: Any) -> Variant:
    """``[blend:MEASURE,S0,CAP/]STATISTICS``: the statistics fed, ``runtime`` (what
    :meth:`EmotionClassifier.calibrated` does, blend included), ``shipped`` (every shrunk mean and
    std: the runtime before issue 21), ``shrink:K_MEAN,K_STD`` (inf: the prior) or
    ``register:narrow|wide[,K]`` (the shrunk mean of the register columns, the prior elsewhere
    and the prior std: ``wide`` is :func:`register_mask`, ``narrow`` its ``_mean`` columns);
    ``blend:`` mixes in the calibrated output with weight CAP * min(1, spread / S0)."""
    from ser_edge.calibration import register_mask
    from ser_edge.classifier import register_columns

    head, _, tail = text.rpartition("/")
    name, _, rest = tail.partition(":")
    args = rest.split(",") if rest else []
    if name == "runtime":
        register = register_columns(clf.model.spec.frontend, clf.calibration_spec.n_statistics)
        return lambda state, probs: (*state.register_statistics(register), state.weight())
    if name == "shipped":
        stats: Callable[[Any], tuple[np.ndarray, np.ndarray]] = lambda state: state.statistics()  # noqa: E731
    elif name == "shrink":
        stats = lambda state: shrunk(state, float(args[0]), float(args[1]))  # noqa: E731
    elif name == "register":
        from ser_edge.frontend.frames16k import functional_names

        names = functional_names(clf.model.spec.frontend)
        cols = register_mask(names) & (np.array([n.endswith("_mean") for n in names]) | (args[0] == "wide"))
        k = float(args[1]) if len(args) > 1 else clf.calibration_spec.prior_utterances
        stats = lambda state: (np.where(cols, shrunk(state, k, np.inf)[0], state.spec.mean),  # noqa: E731
                               np.array(state.spec.std))
    else:
        raise SystemExit(f"unknown variant {text!r}")
    if not head:
        return lambda state, probs: (*stats(state), 1.0)
    measure, s0, cap = (head.split(":", 1)[1].split(",") + ["1"])[:3]
    return lambda state, probs: (*stats(state),
                                 float(cap) * min(1.0, spread(state, probs, measure) / float(s0)))


def evaluate(clf, speaker: list[str], truth: list[str], inputs: list[dict], variant: Variant,
             seed: int = 0) -> tuple[dict[str, dict[str, list[tuple[float, float]]]], list[str]]:
    """kind -> speaker -> [(uncalibrated UAR, calibrated UAR) per draw], and the uncalibrated tops."""
    from ser_edge import Calibration

    spec, model = clf.calibration_spec, clf.model
    classes = [c for c in clf.labels if c in EMOTIONS.values()]
    columns = [clf.labels.index(c) for c in classes]
    plain_p = np.concatenate([model.predict(x)[:, :] for x in inputs])
    plain = [classes[int(np.argmax(p[columns]))] for p in plain_p]
    table: dict[str, dict[str, list[tuple[float, float]]]] = {}
    rng = random.Random(seed)
    for spk in sorted(set(speaker)):
        mine = [i for i, s in enumerate(speaker) if s == spk]
        draws = [(kind, enrol) for kind, ds in enrolments(mine, truth, rng).items() for enrol in ds]
        fed = []
        for _, enrol in draws:
            state = Calibration(spec)
            for i in enrol:
                state.update(np.asarray(inputs[i][spec.statistics]).reshape(-1))
            fed.append(variant(state, plain_p[enrol]))
        means = np.stack([f[0] for f in fed]).astype(np.float32)
        stds = np.stack([f[1] for f in fed]).astype(np.float32)
        weights = np.array([f[2] for f in fed])[:, None]
        cal = {}
        for i in mine:  # one session run per clip: the draws' statistics as a batch
            b = len(draws)
            feeds = model.feeds({k: np.repeat(np.asarray(v)[None], b, axis=0) for k, v in inputs[i].items()})
            feeds[spec.mean_input], feeds[spec.std_input] = means, stds
            uncal_p, cal_p = model.session.run([model.spec.output_name, spec.output], feeds)
            cal[i] = (1.0 - weights) * uncal_p + weights * cal_p
        for d, (kind, enrol) in enumerate(draws):
            scored = mine if kind.startswith("all") else [i for i in mine if i not in set(enrol)]
            t = [truth[i] for i in scored]
            c = [classes[int(np.argmax(cal[i][d][columns]))] for i in scored]
            pair = (uar(t, [plain[i] for i in scored]), uar(t, c))
            table.setdefault(kind, {}).setdefault(spk, []).append(pair)
    return table, plain


Row = tuple[str, float, float, str, dict[str, float]]


def kind_rows(table: dict[str, dict[str, list[tuple[float, float]]]]) -> list[Row]:
    """Per kind: (kind, mean over speakers of the uncalibrated and of the calibrated UAR, the
    speaker losing most, every speaker's difference (mean over its draws; a tie is +0))."""
    rows = []
    for kind, per in table.items():
        means = {s: (np.mean([a for a, _ in v]), np.mean([c for _, c in v])) for s, v in per.items()}
        gain = {s: round(float(c - a), 9) + 0.0 for s, (a, c) in means.items()}
        rows.append((kind, float(np.mean([a for a, _ in means.values()])),
                     float(np.mean([c for _, c in means.values()])), min(gain, key=gain.__getitem__), gain))
    return rows


def print_table(rows: list[Row], per_speaker: bool) -> None:
    """One line per kind (:func:`kind_rows`); with ``per_speaker`` every speaker's difference."""
    speakers = sorted(rows[0][4])
    extra = "".join(f" {s} |" for s in speakers) if per_speaker else ""
    print(f"| enrolment | uncalibrated UAR | calibrated UAR | speaker losing most |{extra}")
    print("| --- | ---: | ---: | --- |" + " ---: |" * (len(speakers) if per_speaker else 0))
    for kind, plain, cal, worst, gain in rows:
        cells = "".join(f" {gain[s]:+.3f} |" for s in speakers) if per_speaker else ""
        print(f"| {kind} | {plain:.3f} | {cal:.3f} | {worst} {gain[worst]:+.4f} |{cells}")


def print_summary(results: dict[str, list[Row]]) -> None:
    """One line per variant: its mean gain over the kinds, the worst speaker difference of any
    kind and how many kinds have a speaker who loses."""
    print("| variant | mean gain over the 7 kinds | worst speaker, any kind | kinds with a loser |")
    print("| --- | ---: | ---: | ---: |")
    for name, rows in results.items():
        gain = np.mean([cal - plain for _, plain, cal, _, _ in rows])
        worst = min(r[4][r[3]] for r in rows)
        losing = sum(r[4][r[3]] < 0 for r in rows)
        print(f"| `{name}` | {gain:+.3f} | {worst:+.3f} | {losing} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path, default=CACHE, help="features of the clips (npz)")
    parser.add_argument("--variant", action="append", help="repeat for several (default: runtime); "
                        "see make_variant")
    parser.add_argument("--per-speaker", action="store_true", help="every speaker's difference too")
    parser.add_argument("--seed", type=int, default=0, help="of the random enrolment draws")
    args = parser.parse_args(argv)
    from ser_edge import EmotionClassifier

    clf = EmotionClassifier.load()
    speaker, truth, inputs = load_features(clf, args.data, args.cache)
    results = {}
    for name in args.variant or ["runtime"]:
        table, plain = evaluate(clf, speaker, truth, inputs, make_variant(name, clf), args.seed)
        print(f"\n{len(truth)} EMOVO clips with speech; uncalibrated UAR {uar(truth, plain):.3f}; "
              f"variant {name}")
        results[name] = kind_rows(table)
        print_table(results[name], args.per_speaker)
    if len(results) > 1:
        print()
        print_summary(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
