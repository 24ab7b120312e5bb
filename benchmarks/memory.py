"""Peak RSS of the runtime on an install without extras: a batch, long WAVs, a long replay.

    python benchmarks/memory.py [--python /tmp/rt/bin/python] [--minutes 10,60] [--folder /tmp]
                                [--skip-timeline] [--keep]

The four cases of issue 20 (targets in brackets): ``classify`` of 40 mixed files (<= 100 MB;
startup.py's batch: 20 WAVs of the shared examples at 16/22.05/44.1/48 kHz and 20 RAVDESS
FLACs); ``classify`` of a 10- and a 60-minute 48 kHz WAV (<= 110 MB, flat with length);
``listen --input --json`` replaying the 60-minute WAV (<= 100 MB); plus ``classify --timeline``
and the 10-minute replay for comparison. The long WAVs are 16-bit 48 kHz mono, written into
``--folder`` (60 RAVDESS 48 kHz recordings one after the other with 0.5-3 s gaps of -60 dBFS
noise, repeated to the length; deleted afterwards unless ``--keep``; never commit them).

Each command runs once in a fresh process of ``--python`` (default: this interpreter) with the
working directory outside any checkout, so the installed ser-edge is what runs; use the python
of a fresh venv holding only ``pip install .``. Prints the distributions that install holds,
then wall time, peak RSS (``ru_maxrss`` of the child via GNU time, MB = 2**20 bytes) and the
first line of output per case. Not a test: it prints figures (benchmarks/results/memory.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
import soundfile
from startup import make_inputs

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data")) / "audio" / "ravdess"
#: Prints the distributions of the measured install (its protocol).
DISTS = ("import importlib.metadata as m; print(', '.join(sorted(f\"{d.metadata['Name']} {d.version}\" "
         "for d in m.distributions() if d.metadata['Name'] not in ('pip', 'setuptools', 'wheel'))))")


def recordings(count: int = 60) -> list[np.ndarray]:
    """``count`` 48 kHz RAVDESS recordings with a gap of quiet noise before each (float32)."""
    rng = np.random.default_rng(0)
    out = []
    for path in sorted(DATA.glob("Actor_*/*.*"))[:count]:
        x, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        if rate == 48000:
            gap = (1e-3 * rng.standard_normal(int(rng.uniform(0.5, 3.0) * rate))).astype(np.float32)
            out += [gap, x.mean(axis=1)]
    if not out:
        sys.exit(f"memory.py: no 48 kHz RAVDESS recordings under {DATA} (set SER_EDGE_DATA)")
    return out


def write_long_wav(path: Path, minutes: float, parts: list[np.ndarray]) -> None:
    """Write ``minutes`` of the parts repeated as 16-bit PCM, a part at a time (bounded memory)."""
    need, written = int(minutes * 60 * 48000), 0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        while written < need:
            for x in parts:
                x = x[:need - written]
                out.writeframes(np.clip(np.round(x * 32767), -32768, 32767).astype("<i2").tobytes())
                written += len(x)


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, first line of stdout) of one run of ``cmd``, measured by
    GNU time (``/usr/bin/time -f '%e %M'``: elapsed seconds, maximum resident set in KB)."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], capture_output=True, text=True,
                          check=False, cwd=tempfile.gettempdir())
    lines = proc.stderr.strip().splitlines()
    wall, peak_kb = lines[-1].split()
    note = f"  [stderr: {lines[-2][:80]}]" if len(lines) > 1 else ""
    first = (proc.stdout.strip().splitlines() or [""])[0][:100]
    return float(wall), int(peak_kb) / 1024, first + note


def row(case: str, cmd: list[str]) -> None:
    wall, peak, first = measure(cmd)
    print(f"| {case} | {wall:.1f} | {peak:.0f} | {first} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable, help="interpreter of the install to measure")
    ap.add_argument("--minutes", default="10,60")
    ap.add_argument("--folder", type=Path, default=Path("/tmp"))
    ap.add_argument("--skip-timeline", action="store_true", help="leave out classify --timeline")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    exe = [args.python, "-m", "ser_edge"]
    dists = subprocess.run([args.python, "-c", DISTS], capture_output=True, text=True, check=True)
    print(f"install: {args.python}: {dists.stdout.strip()}")
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| case | wall s | peak RSS MB | output (first line) |\n|---|---:|---:|---|")
    batch = make_inputs(args.folder / "ser_edge_memory_batch")["classify 40 mixed"]
    row("`classify` 40 mixed files", [*exe, *batch])
    parts = recordings()
    for minutes in (float(m) for m in args.minutes.split(",")):
        path = args.folder / f"long_{minutes:g}min_48k.wav"
        if not path.exists():
            write_long_wav(path, minutes, parts)
        cases = [("classify", ["classify", str(path)]),
                 ("classify --timeline", ["classify", "--timeline", str(path)]),
                 ("listen --input --json", ["listen", "--input", str(path), "--json"])]
        for name, cmd in cases:
            if not (args.skip_timeline and "--timeline" in cmd):
                row(f"`{name}` {minutes:g} min 48 kHz WAV", [*exe, *cmd])
        if not args.keep:
            path.unlink()
    print(f"\nload average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
