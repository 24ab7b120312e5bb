"""Cost of resample_poly in numpy (ser_edge) vs scipy.signal.resample_poly, per 3 s clip.

    python benchmarks/resample_polyphase.py [--seconds 3] [--repeats 20] [--target 16000]

For each input rate: the median ms of ``scipy.signal.resample_poly`` (float64 noise), of
:func:`resample_polyphase` (the phase table cached; the first call's table build in
brackets), of a :class:`StreamResampler` fed 20 ms blocks (push + flush), and the largest
absolute difference of each from scipy's output.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from math import gcd

import numpy as np
from scipy.signal import resample_poly

from ser_edge.audio.resample import StreamResampler, resample_polyphase

RATES = (48000, 44100, 32000, 24414, 22050, 11025, 8000, 16000)


def _median_ms(repeats: int, fn: Callable[..., np.ndarray], *args: object) -> float:
    """Median wall time (ms) of ``fn(*args)`` over ``repeats`` calls."""
    times = [0.0] * repeats
    for i in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times[i] = time.perf_counter() - start
    return 1e3 * statistics.median(times)


def _stream(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    stream, block = StreamResampler(sr_in, sr_out, "polyphase"), sr_in // 50
    parts = [stream.push(x[i:i + block]) for i in range(0, len(x), block)]
    return np.concatenate([*parts, stream.flush()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--target", type=int, default=16000)
    args = parser.parse_args()
    print(f"{'rate':>6} {'scipy ms':>9} {'numpy ms (first)':>17} {'stream ms':>10} "
          f"{'max |diff|':>10} {'stream diff':>11}")
    for rate in RATES:
        g = gcd(rate, args.target)
        up, down = args.target // g, rate // g
        x = 0.5 * np.random.default_rng(rate).standard_normal(int(args.seconds * rate))
        ref = resample_poly(x, up, down)
        start = time.perf_counter()
        ours = resample_polyphase(x, up, down)  # builds and caches the phase table
        first = 1e3 * (time.perf_counter() - start)
        streamed = _stream(x, rate, args.target)
        print(f"{rate:>6} {_median_ms(args.repeats, resample_poly, x, up, down):9.2f} "
              f"{_median_ms(args.repeats, resample_polyphase, x, up, down):8.2f} ({first:6.1f}) "
              f"{_median_ms(args.repeats, _stream, x, rate, args.target):10.2f} "
              f"{np.abs(ours - ref).max():10.1e} {np.abs(streamed - ref).max():11.1e}")


if __name__ == "__main__":
    main()
