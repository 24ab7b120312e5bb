"""ser-edge vs the original pipeline (librosa + Keras), side by side in one run.

    python benchmarks/compare.py [--runs 5] [--window-repeat 50] [--ser-edge CMD] [--skip-throughput]

Figures (printed as Markdown rows):
* per-window: one 3 s window of real speech -> probabilities, in this process, median of
  ``--window-repeat`` calls: ser-edge from 48 kHz input (resample + MFCC mean + ONNX) and
  from audio already at 22050 Hz; the original way (librosa.resample kaiser_fast +
  librosa.feature.mfcc mean + Keras ``predict``, and Keras ``model(x)``);
* cold start: wall time of a new process classifying one file, median of ``--runs``, and
  the peak RSS of that process (``/usr/bin/time -f %M``, KiB): ``ser-edge classify`` vs
  ``benchmarks/original_way.py``;
* throughput: ``ser-edge classify`` and the original way on every shared recording (640 FLAC
  files), each in one process.
Needs the dev + export extras (librosa, tensorflow, tf_keras) and ../shared/data.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data"))
EXAMPLE = DATA / "seed" / "examples" / "03-01-01-01-01-02-05.wav"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
            f"load average {load}")


def median_ms(fn, repeat: int) -> tuple[float, float]:
    """(median, minimum) wall time of ``fn()`` in ms over ``repeat`` calls after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), min(times)


def per_window(repeat: int) -> list[tuple[str, float, float]]:
    """Per-window costs (name, median ms, min ms) for 3 s of the example recording."""
    from ser_edge.audio.read import read_audio
    from ser_edge.audio.resample import resample
    from ser_edge.classifier import EmotionClassifier
    from ser_edge.frontend.mfcc_mean.mfcc import mfcc_mean

    x, sr = read_audio(EXAMPLE)
    window = x[:3 * sr]
    clf = EmotionClassifier.load()
    y22 = resample(window, sr, 22050)
    spec = clf.spec.frontend
    rows = [("ser-edge, 48 kHz window (resample + MFCC + ONNX)",
             *median_ms(lambda: clf.scores(window, sr), repeat)),
            ("ser-edge, 22050 Hz window (MFCC + ONNX)",
             *median_ms(lambda: clf.model.predict(mfcc_mean(y22, spec)), repeat))]
    rows += stream_rows(clf)
    import librosa
    import tf_keras

    model = tf_keras.models.load_model(str(DATA / "seed" / "SER_model.h5"), compile=False)
    w64 = window.astype(np.float32)

    def original(call) -> None:
        y = librosa.resample(w64, orig_sr=sr, target_sr=22050, res_type="kaiser_fast")
        f = np.mean(librosa.feature.mfcc(y=y, sr=22050, n_mfcc=40).T, axis=0)
        call(f[None, :, None])

    rows.append(("original, 48 kHz window (librosa resample + mfcc + Keras predict)",
                 *median_ms(lambda: original(lambda f: model.predict(f, verbose=0)), max(5, repeat // 5))))
    rows.append(("original, 48 kHz window (librosa + Keras model(x), no predict overhead)",
                 *median_ms(lambda: original(lambda f: model(f, training=False)), max(5, repeat // 5))))
    y22f = y22.astype(np.float32)
    def original22() -> None:
        f = np.mean(librosa.feature.mfcc(y=y22f, sr=22050, n_mfcc=40).T, axis=0)
        model.predict(f[None, :, None], verbose=0)

    rows.append(("original, 22050 Hz window (librosa mfcc + Keras predict)",
                 *median_ms(original22, max(5, repeat // 5))))
    return rows


def stream_rows(clf) -> list[tuple[str, float, float]]:
    """Per-window cost inside a stream (60 s of speech, 3 s windows, 1 s hop): see window_mode.py."""
    from window_mode import features_only, run, speech

    x = speech(60.0, 48000)
    _, _, walls, _ = run(clf, x, 48000, 2400)
    inc = features_only(clf, speech(60.0, clf.sample_rate).astype(np.float64))
    pipeline = ("ser-edge stream, `listen --mode window` at 48 kHz, whole pipeline per window "
                "(1 s of resampling, gate, speech check, incremental MFCC, ONNX)")
    return [(pipeline, statistics.median(walls), min(walls)),
            ("ser-edge stream, per window: IncrementalMfcc + ONNX", statistics.median(inc), min(inc))]


def timed_run(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS KiB) of one run of ``cmd`` under /usr/bin/time."""
    start = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"failed: {shlex.join(cmd)}\n{res.stderr[-2000:]}")
    return wall, int(res.stderr.strip().splitlines()[-1])


def cold(cmd: list[str], runs: int) -> tuple[float, float, int]:
    """(median s, min s, median peak RSS MiB) of ``runs`` fresh processes (one warm-up first)."""
    timed_run(cmd)
    results = [timed_run(cmd) for _ in range(runs)]
    walls = [w for w, _ in results]
    return statistics.median(walls), min(walls), round(statistics.median(r for _, r in results) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--window-repeat", type=int, default=50)
    parser.add_argument("--ser-edge", default=f"{sys.executable} -m ser_edge",
                        help="how to run ser-edge (e.g. /tmp/venv/bin/ser-edge)")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("\n| per-window (3 s of speech -> probabilities) | median ms | min ms |\n|---|---:|---:|")
    for name, med, low in per_window(args.window_repeat):
        print(f"| {name} | {med:.2f} | {low:.2f} |", flush=True)
    ser_edge = [*shlex.split(args.ser_edge), "classify"]
    original = [sys.executable, str(ROOT / "benchmarks" / "original_way.py")]
    print(f"\nload average now: {os.getloadavg()[0]:.2f}")
    print("\n| cold start, one file | median s | min s | peak RSS MiB |\n|---|---:|---:|---:|")
    for name, cmd, runs in (("ser-edge classify", ser_edge, args.runs),
                            ("original way (librosa + tf_keras)", original, max(3, args.runs // 2))):
        med, low, rss = cold([*cmd, str(EXAMPLE)], runs)
        print(f"| {name} | {med:.2f} | {low:.2f} | {rss} |", flush=True)
    if not args.skip_throughput:
        files = sorted(str(p) for p in (DATA / "audio").rglob("*.flac"))
        print(f"\n| throughput, {len(files)} FLAC files in one process | s | files/s | peak RSS MiB |"
              "\n|---|---:|---:|---:|")
        for name, cmd in (("ser-edge classify --json", [*ser_edge, "--json"]), ("original way", original)):
            wall, rss = timed_run([*cmd, *files])
            print(f"| {name} | {wall:.1f} | {len(files) / wall:.1f} | {rss / 1024:.0f} |", flush=True)
        print(f"\nload average now: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
