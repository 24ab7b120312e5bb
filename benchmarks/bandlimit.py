"""Band-limit robustness: a model's accuracy on real audio at full band and at 16 kHz (issue 7).

    python benchmarks/bandlimit.py MODEL.onnx [--audio DIR] [--actors 1-6] [--rate 16000]

Classifies the real RAVDESS recordings of ``--actors`` (``DIR/Actor_XX/*.wav|*.flac``;
label = the emotion field of the RAVDESS name, 01..08 -> class 0..7) with the runtime
(``EmotionClassifier.load(model).predict(samples, rate)``) twice: as recorded (full band,
48 kHz), and after resampling to ``--rate`` Hz with ``scipy.signal.resample_poly`` (a
16 kHz microphone: nothing above 8 kHz), the 16 kHz samples handed to ``predict``, which
resamples them to the model's rate itself. The test is honest only if the model was
trained without those actors (``python -m export train ... --holdout-actors 1-6``).
Prints accuracy, UAR and the agreement between the two conditions, as Markdown rows.
"""

from __future__ import annotations

import argparse
import os
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data"))

from ser_edge import EmotionClassifier  # noqa: E402
from ser_edge.audio.read import read_audio  # noqa: E402


def parse_actors(text: str) -> list[int]:
    """'1-6' or '1,3,5' -> sorted actor numbers."""
    actors: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        actors.update(range(int(lo), int(hi or lo) + 1))
    return sorted(actors)


def recordings(folder: Path, actors: list[int]) -> list[tuple[Path, int]]:
    """(path, class id 0..7) of every speech recording of ``actors`` under ``folder``."""
    found = []
    for actor in actors:
        for path in sorted((folder / f"Actor_{actor:02d}").glob("*")):
            if path.suffix.lower() in (".wav", ".flac"):
                found.append((path, int(path.stem.split("-")[2]) - 1))
    return found


def band_limit(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Mono or multichannel float samples resampled from ``rate`` to ``target`` Hz (polyphase)."""
    ratio = Fraction(target, rate)
    return resample_poly(samples, ratio.numerator, ratio.denominator, axis=0).astype(np.float32)


def uar(truth: np.ndarray, guess: np.ndarray, n_classes: int = 8) -> float:
    """Unweighted average recall over the classes present in ``truth``."""
    recalls = [np.mean(guess[truth == c] == c) for c in range(n_classes) if np.any(truth == c)]
    return float(np.mean(recalls))


def classify(clf: EmotionClassifier, files: list[tuple[Path, int]], rate: int | None) -> np.ndarray:
    """Predicted class id per file (-1: no speech found), at full band or band-limited to ``rate``."""
    labels = list(clf.labels)
    guesses = []
    for path, _ in files:
        samples, sr = read_audio(path)
        if rate is not None:
            samples, sr = band_limit(samples, sr, rate), rate
        result = clf.predict(samples, sr, name=str(path))
        guesses.append(labels.index(result.label) if result.label is not None else -1)
    return np.array(guesses)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="an ONNX model trained without --actors")
    parser.add_argument("--audio", type=Path, default=DATA / "audio" / "ravdess",
                        help="RAVDESS Actor_XX folders")
    parser.add_argument("--actors", default="1-6", help="actors to test (default 1-6)")
    parser.add_argument("--rate", type=int, default=16000,
                        help="band-limited sample rate in Hz (default 16000)")
    args = parser.parse_args()
    files = recordings(args.audio, parse_actors(args.actors))
    if not files:
        print(f"error: no recordings of actors {args.actors} under '{args.audio}'", file=sys.stderr)
        return 2
    clf = EmotionClassifier.load(args.model)
    truth = np.array([label for _, label in files])
    full, limited = classify(clf, files, None), classify(clf, files, args.rate)
    print(f"model {args.model}; {len(files)} files of actors {args.actors} in {args.audio}")
    print("| input | accuracy | UAR | no speech |\n| --- | ---: | ---: | ---: |")
    for name, guess in (("full band", full), (f"{args.rate} Hz (band-limited)", limited)):
        silent = int(np.sum(guess < 0))
        print(f"| {name} | {np.mean(guess == truth):.2%} | {uar(truth, guess):.2%} | {silent} |")
    drop = np.mean(full == truth) - np.mean(limited == truth)
    print(f"\ndrop full -> {args.rate} Hz: {drop * 100:+.1f} points (accuracy); "
          f"prediction agreement {np.mean(full == limited):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
