"""Start-up time and peak RSS of ``ser-edge classify`` and ``ser-edge listen --input`` (issue 14).

    python benchmarks/startup.py [--runs 3] [--tree DIR] [--workdir /tmp/ser_edge_startup]

Targets: ``listen`` start < 0.5 s and < 100 MB peak RSS on a 48 kHz file replay; ``classify``
of a mixed batch (WAV and FLAC, 16-48 kHz) < 80 MB peak. Each case runs ``--runs`` times in a
fresh process under ``/usr/bin/time -v``; the table gives the median wall time (s) and the
median peak RSS (MB = 10**6 bytes), for the default model and ``--model seed``. Inputs are
written under ``--workdir`` (never committed): one 48 kHz WAV (the first shared example); a
mixed batch of 40 files, 20 WAVs of the shared examples resampled to 16/22.05/44.1/48 kHz and
20 RAVDESS FLACs; a 1 s 48 kHz WAV for ``listen --input`` (total wall time = start + 1 s of
audio). ``--tree DIR`` runs the code of another source tree (e.g. ``git archive REV | tar -x -C
DIR``) with this interpreter, for a before/after table under the same load.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data"))
RATES = (16000, 22050, 44100, 48000)


def write_wav16(path: Path, x: np.ndarray, rate: int) -> Path:
    """Write mono float ``x`` as a 16-bit PCM WAV (soundfile)."""
    import soundfile

    soundfile.write(str(path), np.clip(x, -1, 1), rate, subtype="PCM_16")
    return path


def make_inputs(workdir: Path) -> dict[str, list[str]]:
    """The input files of each case, written under ``workdir``."""
    import soundfile
    from scipy.signal import resample_poly

    workdir.mkdir(parents=True, exist_ok=True)
    examples = sorted((DATA / "seed" / "examples").glob("*.wav"))
    flacs = sorted((DATA / "audio" / "ravdess").rglob("*.flac"))[:20]
    if not examples or len(flacs) < 20:
        sys.exit(f"startup.py: shared data not found under {DATA} (set SER_EDGE_DATA)")
    first, rate = soundfile.read(str(examples[0]), dtype="float64", always_2d=True)
    one = write_wav16(workdir / "one_48k.wav", first.mean(axis=1), rate)
    short = write_wav16(workdir / "listen_1s_48k.wav", first.mean(axis=1)[rate:2 * rate], rate)
    batch = []
    for i in range(20):
        audio, src = soundfile.read(str(examples[i % len(examples)]), dtype="float64", always_2d=True)
        out = RATES[i % len(RATES)]
        y = resample_poly(audio.mean(axis=1), out, src)  # reduces out/src by their gcd
        batch.append(str(write_wav16(workdir / f"batch_{i:02d}_{out}.wav", y, out)))
    batch += [str(f) for f in flacs]
    return {"classify 1 WAV": ["classify", str(one)], "classify 40 mixed": ["classify", *batch],
            "listen --input 1 s 48k": ["listen", "--input", str(short)]}


def measure(args: list[str], tree: Path | None) -> tuple[float, float]:
    """One fresh ``python -m ser_edge ARGS`` under /usr/bin/time -v: (wall s, peak RSS MB)."""
    env = dict(os.environ, PYTHONPATH=str(tree)) if tree else None
    proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "ser_edge", *args],
                          capture_output=True, text=True, env=env, cwd=tree or ROOT)
    if proc.returncode != 0:
        sys.exit(f"startup.py: {' '.join(args[:3])}... failed:\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    seconds = 3600 * int(wall.group(1) or 0) + 60 * int(wall.group(2)) + float(wall.group(3))
    return seconds, int(rss.group(1)) * 1024 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, help="source tree to run instead of this one")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ser_edge_startup"))
    opts = parser.parse_args()
    cases = make_inputs(opts.workdir)
    print(f"load average {os.getloadavg()[0]:.2f}; {opts.runs} runs each; median; tree {opts.tree or ROOT}")
    print(f"| {'case':24} | {'model':7} | wall s | peak RSS MB |")
    print(f"|{'-' * 26}|{'-' * 9}|--------|-------------|")
    for name, args in cases.items():
        for model in ("default", "seed"):
            extra = [] if model == "default" else ["--model", "seed"]
            runs = [measure([args[0], *extra, *args[1:]], opts.tree) for _ in range(opts.runs)]
            wall = statistics.median(r[0] for r in runs)
            rss = statistics.median(r[1] for r in runs)
            print(f"| {name:24} | {model:7} | {wall:6.2f} | {rss:11.1f} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
