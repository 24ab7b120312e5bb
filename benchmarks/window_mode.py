"""Cost per window of ``listen --mode window`` (the one window path), per input rate.

    python benchmarks/window_mode.py [--seconds 60] [--rates 48000,22050,16000,22051] [--block 0.05]

Streams ``--seconds`` of the example recordings (repeated, resampled to each input rate) in
``--block``-second blocks through :class:`ser_edge.stream.StreamEngine` (3 s windows, 1 s hop,
the shipped model): one-pass resampling, gate and speech check at the model rate,
:class:`IncrementalMfcc`, ONNX. Prints, per rate: how the stream is resampled (the tap bank,
or period by period with context for pairs without one, e.g. 22051 Hz), windows, CPU ms per
window (process time of the whole engine / windows: everything the stream does, gate
included), and the median and minimum wall ms per window (the blocks from one window to the
next). Then the features + ONNX part alone per window at the model rate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import StreamResampler, resample
from ser_edge.classifier import EmotionClassifier
from ser_edge.config import StreamSpec
from ser_edge.frontend.mfcc_mean.incremental import IncrementalMfcc
from ser_edge.stream import StreamEngine

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data"))
SPEC = StreamSpec(mode="window", window=3.0, hop=1.0)


def speech(seconds: float, rate: int) -> np.ndarray:
    """The example recordings one after the other, repeated to ``seconds``, at ``rate`` Hz."""
    parts = []
    for path in sorted((DATA / "seed" / "examples").glob("*.wav")):
        x, sr = read_audio(path)
        parts.append(resample(x.mean(axis=1) if x.ndim == 2 else x, sr, rate))
    one = np.concatenate(parts)
    return np.tile(one, int(np.ceil(seconds * rate / len(one))))[:int(seconds * rate)]


def run(clf: EmotionClassifier, x: np.ndarray, rate: int, block: int):
    """(events, CPU ms per window, wall ms per window between windows, windows)."""
    engine = StreamEngine(clf, rate, SPEC)
    events, per_window, since = [], [], 0.0
    cpu = time.process_time()
    for i in range(0, len(x), block):
        start = time.perf_counter()
        done = engine.process((i, x[i:i + block]))
        since += time.perf_counter() - start
        if done:
            per_window.append(1000 * since / len(done))
            since = 0.0
        events += done
    events += engine.finish()
    cpu = 1000 * (time.process_time() - cpu)
    return events, cpu / max(1, engine.stats.segments), per_window, engine.stats.segments


def features_only(clf: EmotionClassifier, y: np.ndarray) -> list[float]:
    """ms per window of IncrementalMfcc (remove_dc, as listen uses it) + ONNX, hop-sized pushes."""
    inc = IncrementalMfcc(clf.spec.frontend, SPEC.window, SPEC.hop, remove_dc=True)
    out = []
    for i in range(0, len(y), inc.hop_samples):
        start = time.perf_counter()
        for w in inc.push(y[i:i + inc.hop_samples]):
            clf.predict_features(w.features)
        out.append(1000 * (time.perf_counter() - start))
    return out[3:]  # the first pushes complete no window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rates", default="48000,22050,16000,22051")
    parser.add_argument("--block", type=float, default=0.05)
    args = parser.parse_args()
    clf = EmotionClassifier.load()
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}; {args.seconds:g} s of speech, "
          f"{args.block * 1000:g} ms blocks, 3 s windows / 1 s hop\n")
    print("| input rate | resampling | windows | CPU ms per window | wall ms per window, median (min) |")
    print("|---:|---|---:|---:|---:|")
    for rate in (int(r) for r in args.rates.split(",")):
        x = speech(args.seconds, rate)
        _events, cpu, walls, windows = run(clf, x, rate, max(1, int(args.block * rate)))
        frontend = clf.spec.frontend
        resampler = StreamResampler(rate, frontend.sample_rate, frontend.resampler)
        how = ("none" if rate == frontend.sample_rate else
               "tap bank" if resampler.banked else "periods + context")
        wall = f"{statistics.median(walls):.2f} ({min(walls):.2f})"
        print(f"| {rate} | {how} | {windows} | {cpu:.2f} | {wall} |")
    y = speech(args.seconds, clf.sample_rate).astype(np.float64)
    times = features_only(clf, y)
    print(f"\nIncrementalMfcc + ONNX alone, per window at {clf.sample_rate} Hz: median "
          f"{statistics.median(times):.3f} ms, min {min(times):.3f} ms ({len(times)} windows)")


if __name__ == "__main__":
    main()
