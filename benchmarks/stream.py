"""Streaming benchmark (prints figures; not a test).

A long stream of the held-out RAVDESS actors 1-6 (shared/data/audio/ravdess, 360 files, each
file whole with its own leading/trailing room tone) separated by 0.5-3 s gaps of low white
noise, at 48 kHz and band-limited to 16 kHz, run through each segmentation mode. Per mode:
utterances detected / total, events in the gaps and in minutes of noise alone, accuracy of
the events against the true labels, agreement with classifying each file alone, and latency
from the end of speech to the event. The model must not have seen actors 1-6:

    python -m export train --features ../shared/data/seed --holdout-actors 1-6 -o /tmp/holdout16.onnx
    python benchmarks/stream.py --model /tmp/holdout16.onnx [--files 360] [--hour]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ser_edge import EmotionClassifier
from ser_edge.audio.levels import frame_rms_db
from ser_edge.audio.read import read_audio
from ser_edge.config import DEFAULT_LABELS, StreamSpec
from ser_edge.stream import StreamEngine

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "audio" / "ravdess"
GAP_DB = -60.0


@dataclass(frozen=True)
class Span:
    """One file in the stream: its label, where its speech is (stream seconds), its alone-label."""

    label: str
    speech: tuple[float, float]
    alone48: str
    alone16: str = ""


def low_noise(rng: np.random.Generator, seconds: float, rate: int) -> np.ndarray:
    """White noise at GAP_DB dBFS RMS, float32 (n,)."""
    return (10 ** (GAP_DB / 20) * rng.standard_normal(int(seconds * rate))).astype(np.float32)


def speech_bounds(x: np.ndarray, rate: int) -> tuple[float, float]:
    """First/last 20 ms frame within 30 dB of the file's loudest frame (seconds in the file)."""
    db = frame_rms_db(x, rate)
    on = np.flatnonzero(db > db.max() - 30.0)
    return on[0] * 0.02, (on[-1] + 1) * 0.02


def build(files: list[Path], clf: EmotionClassifier | None, seed: int) -> tuple[np.ndarray, list[Span]]:
    """The 48 kHz stream and its spans (each file also classified alone, unless ``clf`` is None)."""
    rng = np.random.default_rng(seed)
    parts, spans, t = [], [], 0.0
    for path in files:
        x, rate = read_audio(path)
        assert rate == 48000, (path, rate)
        gap = low_noise(rng, rng.uniform(0.5, 3.0), rate)
        parts += [gap, x]
        t += len(gap) / rate
        a, b = speech_bounds(x, rate)
        label = DEFAULT_LABELS[int(path.name.split("-")[2]) - 1]
        alone = ("", "") if clf is None else (
            clf.predict(x, rate).label, clf.predict(resample_poly(x, 1, 3).astype(np.float32), 16000).label)
        spans.append(Span(label, (t + a, t + b), *alone))
        t += len(x) / rate
    parts.append(low_noise(rng, 2.0, 48000))
    return np.concatenate(parts), spans


def run_engine(clf: EmotionClassifier, x: np.ndarray, rate: int, spec: StreamSpec) -> list[tuple]:
    """Feed 50 ms blocks; return (event, CPU seconds of the call that produced it).

    CPU time (``time.process_time``), not wall time: this machine is shared, and the figure
    that matters on a device is how much work one event costs.
    """
    engine, out, block = StreamEngine(clf, rate, spec), [], int(0.05 * rate)
    for i in range(0, len(x), block):
        t0 = time.process_time()
        events = engine.process((i, x[i:i + block]))
        out += [(e, time.process_time() - t0) for e in events]
    out += [(e, 0.0) for e in engine.finish()]
    return out


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def score(results: list[tuple], spans: list[Span], alone: str) -> dict:
    """The figures of one run; latency is per file: its speech end -> the first event after it."""
    starts = np.array([s.speech[0] for s in spans])
    hit, correct, agree, silent, wall, merged, first = set(), 0, 0, 0, [], 0, {}
    for ev, secs in results:
        near = [int(i) for i in np.searchsorted(starts, ev.start) + np.arange(-2, 3) if 0 <= i < len(spans)]
        ov = [overlap((ev.start, ev.end), spans[i].speech) for i in near]
        if max(ov) <= 0:
            silent += 1
            continue
        merged += sum(o > 0.2 for o in ov) > 1
        i = near[int(np.argmax(ov))]
        hit.add(i)
        correct += ev.label == spans[i].label
        agree += ev.label == getattr(spans[i], alone)
        if ev.decided_at >= spans[i].speech[1] and i not in first:
            first[i] = ev.decided_at - spans[i].speech[1]
        wall.append(secs)
    n, lat = max(1, len(results) - silent), list(first.values())
    return {"detected": len(hit), "total": len(spans), "events": len(results), "in_gaps": silent,
            "merged": merged, "acc": correct / n, "agree": agree / n,
            "lat_med": float(np.median(lat)), "lat_p90": float(np.percentile(lat, 90)),
            "cpu_ms": 1000 * float(np.mean(wall))}


def noise_events(clf: EmotionClassifier, rate: int, spec: StreamSpec, minutes: float) -> int:
    x = low_noise(np.random.default_rng(1), minutes * 60, rate)
    return len(run_engine(clf, x, rate, spec))


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of ``pid`` in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def hour_rss(model: str, x48: np.ndarray, folder: Path) -> None:
    """``ser-edge listen --input`` on 60 min of the stream at 48 kHz: RSS at 1 and 60 min of audio."""
    import json
    import subprocess
    import sys

    from scipy.io import wavfile

    need = 3600 * 48000
    hour = np.tile(x48, int(np.ceil(need / len(x48))))[:need]
    path = folder / "hour48k.wav"
    wavfile.write(path, 48000, np.clip(np.round(hour * 32767), -32768, 32767).astype(np.int16))
    del hour
    cmd = [sys.executable, "-m", "ser_edge", "listen", "--input", str(path), "--json", "--model", model]
    t0, marks, last = time.monotonic(), {}, (0.0, 0.0, 0.0)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            end = json.loads(line)["end"]
            last = (end, *_rss_mb(proc.pid))
            if end >= 60 and "1 min" not in marks:
                marks["1 min"] = last
    marks["60 min"] = last
    path.unlink()
    for name, (end, rss, peak) in marks.items():
        print(f"after {name} of audio (event at {end:.0f} s): RSS {rss:.0f} MB, peak RSS {peak:.0f} MB")
    print(f"60 min of 48 kHz audio took {time.monotonic() - t0:.0f} s wall ({proc.returncode=})")


MODES = {
    "utterance (default: context 1.0 s)": StreamSpec(),
    "utterance, context 1.0 s before / 0.6 s after": StreamSpec(post_context=0.6),
    "utterance, context 0.5 s": StreamSpec(pre_context=0.5, post_context=0.5),
    "utterance, context 1.5 s": StreamSpec(pre_context=1.5, post_context=1.5),
    "window 3 s / hop 1 s": StreamSpec(mode="window", window=3.0, hop=1.0),
    "window 3 s / hop 1 s, smooth 3": StreamSpec(mode="window", window=3.0, hop=1.0, smooth=3),
}


def row(name: str, rate: int, f: dict, noise: int, minutes: float) -> str:
    return (f"| {name} | {rate // 1000} kHz | {f['detected']}/{f['total']} | {f['events']} | "
            f"{f['in_gaps']} | {noise} in {minutes:g} min | {f['merged']} | {100 * f['acc']:.1f}% | "
            f"{100 * f['agree']:.1f}% | "
            f"{f['lat_med']:.2f} / {f['lat_p90']:.2f} s | {f['cpu_ms']:.0f} ms |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="ONNX model trained with --holdout-actors 1-6")
    ap.add_argument("--files", type=int, default=360, help="how many files of actors 1-6 (default all)")
    ap.add_argument("--noise-minutes", type=float, default=5.0)
    ap.add_argument("--modes", nargs="*", default=list(MODES), help=f"any of {list(MODES)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hour", metavar="DIR",
                    help="also run 60 min through listen --input (a temp WAV in DIR)")
    args = ap.parse_args()
    clf = EmotionClassifier.load(args.model)
    files = sorted(DATA.glob("Actor_0[1-6]/*.flac"))
    files = [files[i] for i in np.random.default_rng(args.seed).permutation(len(files))[:args.files]]
    x48, spans = build(files, clf if args.modes else None, args.seed)
    if not args.modes:
        return hour_rss(args.model, x48, Path(args.hour)) if args.hour else None
    alone = {k: float(np.mean([getattr(s, k) == s.label for s in spans])) for k in ("alone48", "alone16")}
    print(f"stream: {len(files)} files, {len(x48) / 48000 / 60:.1f} min; files classified alone: "
          f"accuracy {100 * alone['alone48']:.1f}% at 48 kHz, {100 * alone['alone16']:.1f}% at 16 kHz")
    print("| mode | input | detected | events | events in gaps | events in noise alone | merged | "
          "accuracy | agreement with file alone | latency median / p90 | CPU per event |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    x16 = resample_poly(x48, 1, 3).astype(np.float32)
    for name in args.modes:
        for rate, x, ref in ((48000, x48, "alone48"), (16000, x16, "alone16")):
            spec = MODES[name]
            f = score(run_engine(clf, x, rate, spec), spans, ref)
            noise = noise_events(clf, rate, replace(spec), args.noise_minutes)
            print(row(name, rate, f, noise, args.noise_minutes), flush=True)
    if args.hour:
        hour_rss(args.model, x48, Path(args.hour))


if __name__ == "__main__":
    main()
