"""The default model's answers with this runtime vs another one (e.g. before issue 20's speed-up).

    python benchmarks/v2_agreement.py --baseline /work/baseline [--every 1]

Both runtimes run ``python -m ser_edge classify --json`` (the default model, no calibration)
in a subprocess with their checkout on PYTHONPATH, one thread, on: every RAVDESS speech file of
actors 1-18 and every TESS file in ../shared/data/audio (every ``--every``-th), and the 8
synthetic non-speech signals of benchmarks/v2_robustness.py (48 kHz 16-bit WAVs), which also go
through ``listen --input`` (events counted). Printed: the share of files with the same top-1
label (no speech counts as a label) per corpus, the largest and the median change of any class
probability, the files whose label changed, and the accuracy of both against the file names'
emotions (a consistency check only: the model was trained on these speakers).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402  (DATA, machine line)
import v2_robustness  # noqa: E402  (the synthetic non-speech signals)

ROOT = Path(__file__).resolve().parents[1]
RAVDESS_EMOTIONS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
TESS_EMOTIONS = {"angry": "angry", "disgust": "disgust", "fear": "fearful", "happy": "happy",
                 "neutral": "neutral", "pleasant_surprise": "surprised", "sad": "sad"}


def corpus_files(every: int) -> dict[str, list[Path]]:
    """RAVDESS actors 1-18 and TESS, sorted, every ``every``-th file."""
    audio = compare.DATA / "audio"
    files = {"RAVDESS": sorted(audio.glob("ravdess/Actor_*/*.flac"))[::every],
             "TESS": sorted(audio.glob("tess/*/*.flac"))[::every]}
    if not all(files.values()):
        raise SystemExit(f"RAVDESS or TESS files not found under {audio}")
    return files


def truth(path: Path) -> str:
    """The emotion a file's name or folder states."""
    if path.parent.name.startswith("Actor_"):
        return RAVDESS_EMOTIONS[int(path.name.split("-")[2]) - 1]
    return TESS_EMOTIONS[path.parent.name.split("_", 1)[1]]


def write_signals(folder: Path) -> list[Path]:
    """The synthetic non-speech signals as 16-bit WAVs at 48 kHz."""
    import soundfile

    paths = []
    for i, (name, x) in enumerate(v2_robustness.signals().items()):
        paths.append(folder / f"nonspeech{i}_{name.split()[0]}.wav")
        soundfile.write(paths[-1], x, v2_robustness.RATE, subtype="PCM_16")
    return paths


def run(checkout: Path, args: list[str]) -> list[dict]:
    """``python -m ser_edge ARGS`` with ``checkout`` first on the path; its JSON lines."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "ser_edge", *args], capture_output=True, text=True,
                          env=env, cwd="/tmp", check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: ser_edge {args[0]} failed: {proc.stderr.strip()[-500:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def classify(checkout: Path, files: list[Path]) -> dict[str, dict]:
    """file path -> its classify --json object."""
    return {d["file"]: d for d in run(checkout, ["classify", "--json", *map(str, files)])}


def changes(new: dict[str, dict], old: dict[str, dict]) -> tuple[dict[str, float], list[str]]:
    """Largest class-probability change per file (files with scores in both), and the files whose
    label changed (with both answers)."""
    deltas, moved = {}, []
    for name, a in new.items():
        b = old[name]
        if a.get("scores") and b.get("scores"):
            deltas[name] = max(abs(a["scores"][k] - b["scores"][k]) for k in a["scores"])
        if a.get("label") != b.get("label"):
            moved.append(f"{Path(name).name}: {b.get('label')} {b.get('confidence') or 0:.3f} -> "
                         f"{a.get('label')} {a.get('confidence') or 0:.3f}")
    return deltas, moved


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", type=Path, required=True, help="the other runtime's checkout")
    ap.add_argument("--every", type=int, default=1)
    args = ap.parse_args(argv)
    corpora = corpus_files(args.every)
    print(compare.machine())
    print(f"this runtime: {ROOT}; baseline: {args.baseline}; default model, classify --json, 1 thread")
    everything: dict[str, tuple[dict, dict]] = {}
    for corpus, files in corpora.items():
        new, old = classify(ROOT, files), classify(args.baseline, files)
        everything[corpus] = (new, old)
        per_file, moved = changes(new, old)
        deltas, worst = np.array(list(per_file.values())), max(per_file, key=per_file.get)
        same = sum(new[k].get("label") == old[k].get("label") for k in new)
        acc = [np.mean([d.get("label") == truth(Path(k)) for k, d in r.items()]) for r in (new, old)]
        speech = [sum(bool(d.get("speech")) for d in r.values()) for r in (new, old)]
        print(f"\n{corpus}: {len(files)} files; same top-1 label {same}/{len(files)} = "
              f"{same / len(files):.2%}; class probability change: largest {deltas.max():.6f}, median of "
              f"the per-file largest {np.median(deltas):.6f}; speech found: {speech[0]} now, "
              f"{speech[1]} before; largest change on {Path(worst).name}: {new[worst].get('label')} "
              f"{new[worst].get('confidence') or 0:.3f} now, {old[worst].get('confidence') or 0:.3f} before; "
              f"files changed by more than 0.01: {int(np.sum(deltas > 0.01))}")
        print(f"  accuracy vs the file names (training speakers, a consistency check): "
              f"{acc[0]:.2%} now, {acc[1]:.2%} before")
        for line in moved:
            print(f"  label changed: {line}")
    n = sum(len(v[0]) for v in everything.values())
    same = sum(a[k].get("label") == b[k].get("label") for a, b in everything.values() for k in a)
    worst = max(max(changes(a, b)[0].values()) for a, b in everything.values())
    print(f"\nall {n} files: same top-1 label {same}/{n} = {same / n:.2%}; "
          f"largest class probability change {worst:.6f}")
    with tempfile.TemporaryDirectory() as tmp:
        signals = write_signals(Path(tmp))
        for name, checkout in (("this runtime", ROOT), ("baseline", args.baseline)):
            answers = classify(checkout, signals)
            events = [len(run(checkout, ["listen", "--input", str(p), "--json"])) for p in signals]
            emotions = sum(d.get("label") is not None for d in answers.values())
            print(f"{len(signals)} synthetic non-speech signals, {name}: classify gives an emotion to "
                  f"{emotions}; listen --input events: {sum(events)} ({', '.join(map(str, events))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
