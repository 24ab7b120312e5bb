"""Wall time of ``ser-edge classify --jobs N`` on 200 files against ``--jobs 1`` (issue 20).

    python benchmarks/jobs.py [--python /tmp/rt/bin/python] [--jobs 1,2] [--files 200] [--runs 2]

The files: half RAVDESS (every k-th FLAC of actors 1-18, 48 kHz), half TESS (every k-th, 24 kHz)
from the shared data, ``--files`` in all, listed in that order. Each ``--jobs`` value runs
``--runs`` times in a fresh process of ``--python`` (default: this interpreter; the working
directory is outside the checkout so the installed ser-edge runs), alternating the values so a
change in the machine's load hits all of them. Prints per run the wall time, the CPU time of
the process and its children (user + sys), the peak RSS of its largest process (GNU time's
``%M``: the maximum over the process and the workers it waited for), and the speed-up of the
median wall time over ``--jobs 1``; checks that every value printed the same JSON lines.
Not a test: it prints figures (benchmarks/results/memory.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data")) / "audio"


def pick(count: int) -> list[str]:
    """``count`` files: every k-th RAVDESS (actors 1-18) and TESS recording, half each."""
    ravdess = sorted(p for p in (DATA / "ravdess").glob("Actor_*/*.*") if int(p.parent.name[-2:]) <= 18)
    tess = sorted((DATA / "tess").glob("*/*.*"))
    if len(ravdess) < count // 2 or len(tess) < count - count // 2:
        sys.exit(f"jobs.py: not enough RAVDESS/TESS files under {DATA} (set SER_EDGE_DATA)")
    half = count // 2
    return [str(p) for p in ravdess[::len(ravdess) // half][:half] + tess[::len(tess) // (count - half)]
            ][:count]


def run(python: str, jobs: int, files: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s of the process and its workers, peak RSS MB of its largest process, stdout) of one
    ``classify --json --jobs N`` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", python, "-m", "ser_edge", "classify", "--json",
                           "--jobs", str(jobs), *files], capture_output=True, text=True,
                          cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"jobs.py: --jobs {jobs} failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return wall, cpu, peak, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable, help="interpreter of the install to measure")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    files = pick(args.files)
    values = [int(j) for j in args.jobs.split(",")]
    print(f"{len(files)} files ({sum('ravdess' in f for f in files)} RAVDESS, "
          f"{sum('tess' in f for f in files)} TESS); {os.cpu_count()} CPUs; {args.python}")
    print(f"load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| --jobs | run | wall s | CPU s (all processes) | largest process peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    walls: dict[int, list[float]] = {j: [] for j in values}
    outputs: dict[int, str] = {}
    for r in range(args.runs):
        for jobs in values:
            wall, cpu, peak, out = run(args.python, jobs, files)
            walls[jobs].append(wall)
            outputs.setdefault(jobs, out)
            if out != outputs[values[0]]:
                sys.exit(f"jobs.py: --jobs {jobs} printed other results than --jobs {values[0]}")
            print(f"| {jobs} | {r + 1} | {wall:.1f} | {cpu:.1f} | {peak:.0f} |", flush=True)
    base = statistics.median(walls[values[0]])
    print()
    for jobs in values:
        med = statistics.median(walls[jobs])
        print(f"--jobs {jobs}: median wall {med:.1f} s, {len(files) / med:.1f} files/s, "
              f"speed-up {base / med:.2f}x over --jobs {values[0]}")
    print("same JSON lines for every --jobs value: yes")
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
