"""Per-hop cost of sliding-window features: IncrementalMfcc vs mfcc_mean on every window.

    python benchmarks/incremental.py [--window 3] [--hops 1,0.5,0.25] [--seconds 60]

Streams ``--seconds`` of the example recordings (repeated, at 22050 Hz) in 50 ms blocks and
prints, per hop: windows, the median and minimum ms per window (= per hop) of the full
recomputation (``features.mfcc_mean`` of each window) and of :class:`IncrementalMfcc`
(including the push calls that complete no window), the speed-up, and the largest feature
difference between the two.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from ser_edge.audio.read import read_audio
from ser_edge.audio.resample import resample
from ser_edge.frontend.mfcc_mean.incremental import IncrementalMfcc
from ser_edge.frontend.mfcc_mean.mfcc import mfcc_mean
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data"))


def stream(seconds: float, rate: int) -> np.ndarray:
    parts = [resample(*read_audio(p), rate) for p in sorted((DATA / "seed" / "examples").glob("*.wav"))]
    one = np.concatenate(parts)
    return np.tile(one, int(np.ceil(seconds * rate / len(one))))[:int(seconds * rate)]


def run(x: np.ndarray, spec: MfccMeanSpec, window: float, hop: float) -> str:
    inc = IncrementalMfcc(spec, window, hop)
    block = int(0.05 * spec.sample_rate)
    per_hop, feats = [], []
    spent = 0.0
    for i in range(0, len(x), block):
        start = time.perf_counter()
        out = inc.push(x[i:i + block])
        spent += time.perf_counter() - start
        if out:
            per_hop.append(1000 * spent / len(out))
            spent = 0.0
            feats += out
    full = []
    for w in feats:
        start = time.perf_counter()
        ref = mfcc_mean(x[w.start:w.end], spec)
        full.append(1000 * (time.perf_counter() - start))
        assert np.abs(ref - w.features).max() <= 1e-4
    diff = max(float(np.abs(mfcc_mean(x[w.start:w.end], spec) - w.features).max()) for w in feats[:20])
    a, b = statistics.median(full), statistics.median(per_hop)
    hop_s = inc.hop_samples / spec.sample_rate
    return (f"| {window:g} s / {hop_s:.4f} s | {len(feats)} | {a:.2f} ({min(full):.2f}) "
            f"| {b:.2f} ({min(per_hop):.2f}) | {a / b:.1f}x | {diff:.1e} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=3.0)
    parser.add_argument("--hops", default="1,0.5,0.25")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    spec = MfccMeanSpec()
    x = stream(args.seconds, spec.sample_rate)
    print(f"{args.seconds:g} s stream at {spec.sample_rate} Hz in 50 ms blocks; load average "
          f"{os.getloadavg()[0]:.2f}; ms per window: median (min)")
    print("| window / hop | windows | mfcc_mean per window | IncrementalMfcc per hop | speed-up | max diff |")
    print("|---|---:|---:|---:|---:|---:|")
    for hop in (float(h) for h in args.hops.split(",")):
        print(run(x, spec, args.window, hop), flush=True)


if __name__ == "__main__":
    main()
