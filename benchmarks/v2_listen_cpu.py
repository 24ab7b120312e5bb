"""``ser-edge listen``'s CPU share of one core, and the CLI's startup time and peak RSS.

    python benchmarks/v2_listen_cpu.py --model v2 [--seconds 30]

Each command runs as its own process under ``/usr/bin/time`` (CPU = user + system seconds,
peak RSS = its maximum resident set). ``listen --input FILE --realtime`` replays a 48 kHz
16-bit WAV at real-time pace, so CPU / wall is the share of one core a live microphone would
cost: (a) room tone, white noise at -60 dBFS RMS; (b) speech, RAVDESS files back to back
(each with its own short leading/trailing room tone); in utterance mode (the default) and in
window mode. Startup: ``classify`` of one 3-4 s file and ``listen --input`` of the same file
(not real time), wall / CPU / peak RSS, median of 3. "Without startup" subtracts the median
CPU and wall time of ``listen --input`` on 0.5 s of room tone (not real time). Both the given
model and ``--baseline`` (default ``seed``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402  (machine line)
import stream  # noqa: E402  (DATA: the RAVDESS folder)

RATE = 48000


def write_wav(path: Path, x: np.ndarray) -> Path:
    from scipy.io import wavfile

    wavfile.write(path, RATE, np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16))
    return path


def inputs(folder: Path, seconds: float) -> dict[str, Path]:
    """The room-tone WAV, the speech WAV (``seconds`` long each) and one single file."""
    from ser_edge.audio.read import read_audio

    files = sorted(stream.DATA.glob("Actor_*/*.flac"))[::37]
    parts, total = [], 0
    for path in files:
        x, _ = read_audio(path)
        parts.append(x)
        total += len(x)
        if total >= seconds * RATE:
            break
    tone = 10 ** (-60 / 20) * np.random.default_rng(0).standard_normal(int(seconds * RATE))
    return {"room tone -60 dBFS": write_wav(folder / "tone.wav", tone),
            "speech": write_wav(folder / "speech.wav", np.concatenate(parts)[:int(seconds * RATE)]),
            "one file": write_wav(folder / "one.wav", parts[0]),
            "startup": write_wav(folder / "short.wav", tone[:RATE // 2])}


def timed(cmd: list[str], folder: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``cmd`` under /usr/bin/time: wall s, CPU s (user + sys), peak RSS MB, output lines."""
    out = folder / "time.txt"
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(out), *cmd],
                          capture_output=True, text=True, check=False, env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
    wall, user, system, rss_kb = (float(v) for v in out.read_text().split()[-4:])
    lines = len([s for s in proc.stdout.splitlines() if s.strip()])
    return {"wall": wall, "cpu": user + system, "rss": rss_kb / 1024, "lines": lines}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--baseline", default="seed", help="the model to compare with; 'none' skips it")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="set in the commands' environment, e.g. OPENBLAS_NUM_THREADS=1 (repeatable)")
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args(argv)
    exe = str(Path(sys.executable).with_name("ser-edge"))
    env = dict(kv.split("=", 1) for kv in args.env)
    models = [args.model] + ([] if args.baseline == "none" else [args.baseline])
    print(compare.machine(), f"; environment: {env or 'as inherited'}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wavs = inputs(folder, args.seconds)
        print(f"\n| model | input ({args.seconds:g} s, 48 kHz, --realtime) | mode | events | CPU s | wall s "
              "| share of one core | same without startup | peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|")
        for model in models:
            runs = [timed([exe, "listen", "--input", str(wavs["startup"]), "--model", model], folder, env)
                    for _ in range(3)]
            cpu0, wall0 = (float(np.median([r[k] for r in runs])) for k in ("cpu", "wall"))
            for what in ("room tone -60 dBFS", "speech"):
                for mode in ("utterance", "window"):
                    r = timed([exe, "listen", "--input", str(wavs[what]), "--realtime", "--json",
                               "--mode", mode, "--model", model], folder, env)
                    print(f"| {Path(model).name} | {what} | {mode} | {r['lines']} | {r['cpu']:.2f} | "
                          f"{r['wall']:.1f} | {100 * r['cpu'] / r['wall']:.1f}% | "
                          f"{100 * (r['cpu'] - cpu0) / (r['wall'] - wall0):.1f}% | {r['rss']:.0f} MB |",
                          flush=True)
        print("\n| model | command (one 3-4 s file) | wall s | CPU s | peak RSS | (median of 3) |")
        print("|---|---|---|---|---|---|")
        for model in models:
            for name, cmd in (("classify FILE", ["classify", str(wavs["one file"])]),
                              ("listen --input FILE", ["listen", "--input", str(wavs["one file"])])):
                runs = [timed([exe, *cmd, "--model", model], folder, env) for _ in range(3)]
                med = {k: float(np.median([r[k] for r in runs])) for k in ("wall", "cpu", "rss")}
                print(f"| {Path(model).name} | {name} | {med['wall']:.2f} | {med['cpu']:.2f} | "
                      f"{med['rss']:.0f} MB | |", flush=True)
    print(f"\nload average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
