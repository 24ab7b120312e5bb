"""The shipped default model on EMOVO (Italian; never in its training), uncalibrated and
calibrated per speaker under several enrolment kinds (issue 21's "calibration that never hurts").

    python benchmarks/emovo_calibration.py [--data ../shared/data]

Protocol: all 588 EMOVO clips (6 actors x 7 emotions x 14 sentences, 16 kHz), through the runtime
API (``EmotionClassifier.frontend.speech_features`` then the model). Score: the model's top label
among EMOVO's 7 classes (no calm), UAR over those classes. Calibration per speaker: a
:class:`ser_edge.Calibration` fed the enrolment clips' functionals (as ``listen --calibrate``
would), then the calibrated output on the speaker's other clips (all its clips for "all");
"uncalibrated" is scored on the very same clips. Random draws are seeded (0). Prints one table:
the mean over speakers of the per-speaker UAR, and the speaker who loses most.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

EMOTIONS = {"neu": "neutral", "gio": "happy", "tri": "sad", "rab": "angry", "pau": "fearful",
            "dis": "disgust", "sor": "surprised"}
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    from ser_edge import Calibration, EmotionClassifier
    from ser_edge.audio.read import read_audio

    clf = EmotionClassifier.load()
    spec = clf.calibration_spec
    classes = [c for c in clf.labels if c in EMOTIONS.values()]
    columns = [clf.labels.index(c) for c in classes]
    files = sorted((args.data / "audio" / "emovo").glob("*/*.flac"))
    if not files:
        parser.error(f"no EMOVO clips under {args.data / 'audio' / 'emovo'}")
    names = [f.stem.split("-") for f in files]  # emotion-speaker-sentence
    rows = [(name[1], EMOTIONS[name[0]], clf.frontend.speech_features(*read_audio(f)))
            for name, f in zip(names, files, strict=True)]
    rows = [r for r in rows if r[2] is not None]
    speaker, truth, inputs = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def top(i: int, stats: tuple[np.ndarray, np.ndarray] | None = None) -> str:
        return classes[int(np.argmax(clf.model.predict(inputs[i], stats)[0][columns]))]

    plain = [top(i) for i in range(len(rows))]
    print(f"{len(files)} EMOVO clips, {len(rows)} with speech; uncalibrated UAR {uar(truth, plain):.3f}")
    table: dict[str, dict[str, list[tuple[float, float]]]] = {}
    rng = random.Random(0)
    for spk in sorted(set(speaker)):
        mine = [i for i, s in enumerate(speaker) if s == spk]
        for kind, draws in enrolments(mine, truth, rng).items():
            for enrol in draws:
                state = Calibration(spec)
                for i in enrol:
                    state.update(np.asarray(inputs[i][spec.statistics]).reshape(-1))
                scored = mine if kind.startswith("all") else [i for i in mine if i not in set(enrol)]
                t = [truth[i] for i in scored]
                cal = [top(i, state.statistics()) for i in scored]
                pair = (uar(t, [plain[i] for i in scored]), uar(t, cal))
                table.setdefault(kind, {}).setdefault(spk, []).append(pair)
    print("| enrolment | uncalibrated UAR | calibrated UAR | speaker losing most |")
    print("| --- | ---: | ---: | --- |")
    for kind, per in table.items():
        means = {s: (np.mean([a for a, _ in v]), np.mean([c for _, c in v])) for s, v in per.items()}
        worst = min(means, key=lambda s: means[s][1] - means[s][0])
        loss = means[worst][1] - means[worst][0]
        print(f"| {kind} | {np.mean([a for a, _ in means.values()]):.3f} | "
              f"{np.mean([c for _, c in means.values()]):.3f} | {worst} {loss:+.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
