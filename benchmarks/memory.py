"""Peak memory of ``ser-edge classify``, ``classify --timeline`` and ``listen`` on long 48 kHz WAVs.

    python benchmarks/long_files.py [--minutes 10,60] [--folder /tmp] [--keep]

Writes one 16-bit 48 kHz mono WAV per length into ``--folder`` (RAVDESS recordings of the
shared data, 48 kHz, one after the other with 0.5-3 s gaps of -60 dBFS noise, repeated to the
length), then runs each command (``classify``, ``classify --timeline``, ``listen --input --json``) once
in a fresh process and prints its wall time, peak RSS
(``ru_maxrss`` of the child) and its output's first line. The files are deleted afterwards
unless ``--keep``. Not a test: it prints figures (benchmarks/results/performance.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from ser_edge.audio.read import read_audio

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data")) / "audio" / "ravdess"


def recordings(count: int = 60) -> list[np.ndarray]:
    """``count`` 48 kHz RAVDESS recordings with a gap of quiet noise before each (float32)."""
    rng = np.random.default_rng(0)
    out = []
    for path in sorted(DATA.glob("Actor_*/*.*"))[:count]:
        x, rate = read_audio(path)
        if rate == 48000:
            gap = (1e-3 * rng.standard_normal(int(rng.uniform(0.5, 3.0) * rate))).astype(np.float32)
            out += [gap, x]
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
                          check=False)
    lines = proc.stderr.strip().splitlines()
    wall, peak_kb = lines[-1].split()
    note = f"  [stderr: {lines[-2][:80]}]" if len(lines) > 1 else ""
    first = (proc.stdout.strip().splitlines() or [""])[0][:100]
    return float(wall), int(peak_kb) / 1024, first + note


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", default="10,60")
    ap.add_argument("--folder", type=Path, default=Path("/tmp"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    parts = recordings()
    exe = [sys.executable, "-m", "ser_edge"]
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| file | command | wall s | peak RSS MB | output (first line) |\n|---|---|---:|---:|---|")
    for minutes in (float(m) for m in args.minutes.split(",")):
        path = args.folder / f"long_{minutes:g}min_48k.wav"
        write_long_wav(path, minutes, parts)
        for name, cmd in (("classify", [*exe, "classify", str(path)]),
                          ("classify --timeline", [*exe, "classify", "--timeline", str(path)]),
                          ("listen --input --json", [*exe, "listen", "--input", str(path), "--json"])):
            wall, peak, first = measure(cmd)
            print(f"| {minutes:g} min 48 kHz | `{name}` | {wall:.1f} | {peak:.0f} | {first} |", flush=True)
        if not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
