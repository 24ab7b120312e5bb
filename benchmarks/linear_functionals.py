"""A linear classifier on the 234 frames16k functionals, the way issue 21's quick study ran it:
how far does standardising per corpus or per speaker carry a model across a language?

    python benchmarks/linear_functionals.py [--data ../shared/data] [--cache cache/frames] [--C 0.01 0.1 1]

Protocols (the v3 protocols of ``benchmarks/results/v3_protocol.md``; RAVDESS actors 19-24 are
never read):

- **EMOVO left out**: multinomial logistic regression trained on the clean functionals of
  RAVDESS 1-18 + TESS, scored on all 588 EMOVO clips (clean, and the held-out babble-like noise
  at 10 dB); the top label among EMOVO's 7 classes, UAR over them;
- **RAVDESS CV**: 3 speaker-grouped folds of 6 actors (trained on the other 12 + TESS), UAR over
  the 8 classes, mean over folds.

Standardisation (``global``: the training rows' mean/std; ``corpus``: each corpus, training and
test alike, by its own clean clips' unlabelled mean/std; ``speaker``: each speaker by its own).
Features come from the training feature cache (``python -m export loco`` fills it; clips not in
it are computed, which takes minutes). Needs the ``export`` and ``dev`` extras (scikit-learn).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EMOVO_CLASSES = np.array([0, 2, 3, 4, 5, 6, 7])  # no calm
ALL_CLASSES = np.arange(8)
MODES = ("global", "corpus", "speaker")
CV_FOLDS = 3


def score(func: dict[str, np.ndarray], labels: np.ndarray, groups: dict[str, np.ndarray],
          train: np.ndarray, test: np.ndarray, mode: str, c: float, condition: str,
          classes: np.ndarray) -> float:
    """UAR over the classes present of the top label among ``classes``: trained on the clean rows
    of ``train`` (bool (N,)), scored on the ``condition`` rows of ``test``."""
    from sklearn.linear_model import LogisticRegression

    from export.core.metrics import uar
    from export.frames16k.heldout import restricted_argmax
    from export.frames16k.testnorm import STD_FLOOR, group_standardised

    clean, x_test = func["clean"], func[condition]
    if mode == "global":
        mu, sd = clean[train].mean(0), clean[train].std(0) + STD_FLOOR
        a, b = (clean[train] - mu) / sd, (x_test[test] - mu) / sd
    else:  # each group to zero mean, unit std by its own (unlabelled) statistics
        zero, one = np.zeros(clean.shape[1]), np.ones(clean.shape[1])
        a = group_standardised(clean[train], groups[mode][train], zero, one)
        b = group_standardised(x_test[test], groups[mode][test], zero, one)
    model = LogisticRegression(C=c, max_iter=3000).fit(a, labels[train])
    probs = np.zeros((int(test.sum()), 8))
    probs[:, model.classes_] = model.predict_proba(b)
    return uar(labels[test], restricted_argmax(probs, classes), 8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=ROOT / "cache" / "frames")
    parser.add_argument("--C", type=float, nargs="+", default=[0.01, 0.1, 1.0],
                        help="inverse regularisation strengths to print")
    args = parser.parse_args()

    from export.frames16k.corpus import scan_corpora
    from export.frames16k.dataset import build_dataset
    from export.frames16k.extract import extract_all
    from ser_edge.frontend.frames16k.spec import Frames16kSpec

    audio, spec = args.data / "audio", Frames16kSpec()
    clips = scan_corpora(audio / "ravdess", audio / "tess", "linear_functionals", audio / "emovo")
    data = build_dataset(clips, extract_all(clips, spec, args.cache, workers=2), spec)
    func = {name: data.func[:, data.variant(name)] for name in ("clean", "test_noise10")}
    groups = {"corpus": data.corpus, "speaker": data.speakers}
    emovo, ravdess = data.corpus == "emovo", data.corpus == "ravdess"
    actor = np.array([int(s.split("_")[1]) if r else 0 for s, r in zip(data.speakers, ravdess, strict=True)])

    print("| standardised | C | EMOVO left out, UAR | in noise 10 dB | RAVDESS CV (3 folds), UAR |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for mode in MODES:
        for c in args.C:
            loco = [score(func, data.labels, groups, ~emovo, emovo, mode, c, cond, EMOVO_CLASSES)
                    for cond in ("clean", "test_noise10")]
            cv = []
            for k in range(CV_FOLDS):
                test = ravdess & (actor > 6 * k) & (actor <= 6 * (k + 1))
                cv.append(score(func, data.labels, groups, ~emovo & ~test, test, mode, c, "clean",
                                ALL_CLASSES))
            print(f"| {mode} | {c:g} | {100 * loco[0]:.1f} | {100 * loco[1]:.1f} | {100 * np.mean(cv):.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
