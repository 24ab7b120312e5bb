"""ONNX Runtime settings for the classifier: threads, spinning, graph optimisation, a pre-optimised file.

    python benchmarks/ort_settings.py [--model models/ser_edge_seed.onnx] [--repeat 2000]

Each setting runs in a fresh process (so session load time and peak RSS are its own) and
prints: session load ms, median/p90 ms of one ``run`` on a (1, 40, 1) batch, and the peak
RSS (MiB). "pre-optimised" is the model saved once by ONNX Runtime at ORT_ENABLE_EXTENDED
(``optimized_model_filepath``) and loaded with optimisations off.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, statistics, sys, time
import numpy as np
import onnxruntime as ort
path, threads, spin, level, repeat = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
o = ort.SessionOptions()
o.intra_op_num_threads = threads
o.inter_op_num_threads = 1
o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
o.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
o.add_session_config_entry("session.intra_op.allow_spinning", spin)
t0 = time.perf_counter()
s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
load = 1000 * (time.perf_counter() - t0)
name = s.get_inputs()[0].name
x = np.random.default_rng(0).normal(0, 20, (1, 40, 1)).astype(np.float32)
for _ in range(50):
    s.run(None, {name: x})
ts = []
for _ in range(repeat):
    a = time.perf_counter(); s.run(None, {name: x}); ts.append(1000 * (time.perf_counter() - a))
ts.sort()
print(json.dumps({"load_ms": load, "median_ms": statistics.median(ts), "p90_ms": ts[int(0.9 * len(ts))],
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, threads: int, spin: str, level: str, repeat: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(threads), spin, level, str(repeat)],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout)


def pre_optimise(src: Path, dst: Path) -> None:
    import onnxruntime as ort

    o = ort.SessionOptions()
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    o.optimized_model_filepath = str(dst)
    ort.InferenceSession(str(src), o, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "ser_edge_seed.onnx"))
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    model = Path(args.model)
    print(f"model {model.name}; load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    print("| setting | load ms | run median ms | run p90 ms | peak RSS MiB |\n|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        pre_optimise(model, pre)
        settings = [("1 thread, no spin, ORT_ENABLE_ALL (default)", model, 1, "0", "ORT_ENABLE_ALL"),
                    ("1 thread, spin", model, 1, "1", "ORT_ENABLE_ALL"),
                    ("2 threads, no spin", model, 2, "0", "ORT_ENABLE_ALL"),
                    ("2 threads, spin", model, 2, "1", "ORT_ENABLE_ALL"),
                    ("1 thread, ORT_DISABLE_ALL", model, 1, "0", "ORT_DISABLE_ALL"),
                    ("1 thread, ORT_ENABLE_BASIC", model, 1, "0", "ORT_ENABLE_BASIC"),
                    ("1 thread, ORT_ENABLE_EXTENDED", model, 1, "0", "ORT_ENABLE_EXTENDED"),
                    ("1 thread, pre-optimised file, ORT_DISABLE_ALL", pre, 1, "0", "ORT_DISABLE_ALL")]
        for name, path, threads, spin, level in settings:
            r = measure(path, threads, spin, level, args.repeat)
            print(f"| {name} | {r['load_ms']:.1f} | {r['median_ms']:.3f} | {r['p90_ms']:.3f} | "
                  f"{r['rss_mib']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
