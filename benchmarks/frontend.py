"""Time the audio frontend: ``extract()`` on 3 s of audio at common input rates.

    python benchmarks/frontend.py [--seconds 3] [--repeat 20] [--method kaiser_fast]

Prints, per input rate, the median wall time of resampling, of the MFCC mean and of the
whole ``extract()`` call (the first call, which builds the cached tables, is reported
apart). Run it on an idle machine; figures are per core, single-threaded numpy.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from ser_edge.audio.resample import resample
from ser_edge.frontend.mfcc_mean.mfcc import extract, mfcc_mean
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

RATES = (48000, 44100, 24414, 16000, 8000, 22050)


def _speechlike(seconds: float, sr: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * sr)) / sr
    phase = 2 * np.pi * np.cumsum(140 + 40 * np.sin(2 * np.pi * 0.7 * t)) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 20))
    return (0.1 * voice + 0.005 * rng.standard_normal(len(t))).astype(np.float32)


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _bench_rate(rate: int, spec: MfccMeanSpec, seconds: float, repeat: int) -> str:
    """One table row: first-call, resample, mfcc_mean and extract times (ms) at ``rate``."""
    x = _speechlike(seconds, rate)
    start = time.perf_counter()
    extract(x, rate, spec)
    first = 1000 * (time.perf_counter() - start)
    y = resample(x, rate, spec.sample_rate, spec.resampler)
    t_res = _median_ms(lambda: resample(x, rate, spec.sample_rate, spec.resampler), repeat)
    t_mfcc = _median_ms(lambda: mfcc_mean(y, spec), repeat)
    t_all = _median_ms(lambda: extract(x, rate, spec), repeat)
    return f"{rate:>7} {first:>11.1f} {t_res:>9.1f} {t_mfcc:>10.1f} {t_all:>8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--method", default="kaiser_fast")
    args = parser.parse_args()
    spec = MfccMeanSpec(resampler=args.method)
    print(f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()} "
          f"numpy {np.__version__}; {args.seconds:g} s of audio, resampler {args.method}, "
          f"median of {args.repeat}")
    print(f"{'rate':>7} {'first call':>11} {'resample':>9} {'mfcc_mean':>10} {'extract':>8}  (ms)")
    for rate in RATES:
        print(_bench_rate(rate, spec, args.seconds, args.repeat))

if __name__ == "__main__":
    main()
