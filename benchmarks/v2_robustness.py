"""Robustness of the v2 (frames16k) model next to the seed model: agreement figures, not accuracy.

    python benchmarks/v2_robustness.py --model v2 [--every 5]
        [--stream-files 120] [--parts level band stream nonspeech] [--cli]

The v2 model was trained on every speaker of shared/data/audio, so nothing here is a test
accuracy: each figure says whether the model gives the SAME answer under a change of input.

* level: each file (every ``--every``-th RAVDESS file, sorted by path) at -20/-10/+10/+20 dB
  (gain on the 48 kHz samples, clipped at +-1) vs the file at 0 dB: % same label (None =
  no speech counts as a label);
* band: the file resampled 48 kHz -> 8 kHz by the runtime's resampler (polyphase) and
  classified at 8 kHz vs classified at 48 kHz: % same label;
* stream: the same files (the first ``--stream-files`` of them) in one 48 kHz stream with
  0.5-3 s gaps of -60 dBFS white noise (benchmarks/stream.py's ``build``), through the stream
  engine (what ``listen`` runs) in utterance and window mode: per file, does the event that
  overlaps its speech most carry the label of the file classified whole; files with an event;
  events in the gaps;
* nonspeech: synthetic non-speech signals (48 kHz, 4 s each, see SIGNALS) through
  ``predict`` (= ``classify``) and the utterance stream (= ``listen --input``): number of
  emotion answers; ``--cli`` also runs the real ``ser-edge classify`` / ``listen --input``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402  (machine line)
import stream  # noqa: E402  (build, run_engine, overlap: the stream of files with noise gaps)

from ser_edge import EmotionClassifier  # noqa: E402
from ser_edge.audio.read import read_audio  # noqa: E402
from ser_edge.audio.resample import resample  # noqa: E402
from ser_edge.config import StreamSpec  # noqa: E402

RATE = 48000
LEVELS_DB = (-20.0, -10.0, 10.0, 20.0)
STREAM_MODES = {"utterance": StreamSpec(), "window 3 s / hop 1 s": StreamSpec(mode="window")}


def ravdess_files(every: int) -> list[Path]:
    """Every ``every``-th RAVDESS file of shared/data/audio (sorted by path)."""
    return sorted(stream.DATA.glob("Actor_*/*.flac"))[::every]


def label(clf: EmotionClassifier, x: np.ndarray, rate: int) -> str | None:
    """The predicted label (None: no speech heard)."""
    return clf.predict(x, rate).label


def level_band(clf: EmotionClassifier, files: list[Path]) -> dict:
    """Per file: the 0 dB label, the labels at LEVELS_DB and at 8 kHz (None if not possible)."""
    rows = []
    for path in files:
        x, rate = read_audio(path)
        assert rate == RATE, (path, rate)
        row = {"base": label(clf, x, rate)}
        for g in LEVELS_DB:
            row[g] = label(clf, np.clip(x * 10 ** (g / 20), -1.0, 1.0).astype(np.float32), rate)
        try:
            row["8k"] = label(clf, resample(x, RATE, 8000, "polyphase"), 8000)
        except Exception as exc:  # noqa: BLE001 - a model that refuses 8 kHz input is a result
            row["8k"] = f"error: {exc}"
        rows.append(row)
    return {"rows": rows}


def agreement(rows: list[dict], key: object) -> float:
    return 100.0 * float(np.mean([r[key] == r["base"] for r in rows]))


def stream_agreement(clf: EmotionClassifier, files: list[Path], alone: list[str | None],
                     spec: StreamSpec, seed: int = 0) -> dict:
    """Per file: the event overlapping its speech most vs the file classified whole."""
    x, spans = stream.build(files, None, seed)
    t0 = time.process_time()
    events = [e for e, _ in stream.run_engine(clf, x, RATE, spec)]
    cpu = time.process_time() - t0
    best: dict[int, tuple[float, str | None]] = {}
    gaps = 0
    for ev in events:
        ov = [stream.overlap((ev.start, ev.end), s.speech) for s in spans]
        i = int(np.argmax(ov))
        if ov[i] <= 0:
            gaps += 1
        elif ov[i] > best.get(i, (0.0, None))[0]:
            best[i] = (ov[i], ev.label)
    same = sum(best[i][1] == alone[i] for i in best)
    return {"files": len(files), "detected": len(best), "agree_of_all": 100.0 * same / len(files),
            "agree_of_detected": 100.0 * same / max(1, len(best)), "events": len(events),
            "in_gaps": gaps, "audio_s": len(x) / RATE, "cpu_s": cpu}


def pluck(f0: float, seconds: float, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A Karplus-Strong plucked string at ``f0`` Hz."""
    period = max(2, int(rate / f0))
    buf = rng.uniform(-1, 1, period)
    out = np.empty(int(seconds * rate))
    for i in range(len(out)):
        out[i] = buf[i % period]
        buf[i % period] = 0.996 * 0.5 * (buf[i % period] + buf[(i + 1) % period])
    return out


def signals(rate: int = RATE, seconds: float = 4.0) -> dict[str, np.ndarray]:
    """Synthetic non-speech signals, float32 (n,) at ``rate``, peak about -6 dBFS (0.5)."""
    rng = np.random.default_rng(0)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    notes = [262, 330, 392, 523, 440, 349, 294, 262]
    melody = np.concatenate([pluck(f, seconds / len(notes), rate, rng) for f in notes])
    beeps = np.sin(2 * np.pi * 1000 * t) * ((t % 1.0) < 0.3)
    chord = sum(np.sin(2 * np.pi * f * t) for f in (262, 330, 392)) * np.minimum(1, t / 0.05)
    white = rng.standard_normal(n)
    spec = np.fft.rfft(rng.standard_normal(n))
    pink = np.fft.irfft(spec / np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / rate), 20.0)), n)
    chirp = np.sin(2 * np.pi * (100 * t + (4000 - 100) / (2 * seconds) * t ** 2))
    clicks = np.zeros(n)
    clicks[(np.arange(0.2, seconds, 0.25) * rate).astype(int)] = 1.0
    clicks = np.convolve(clicks, np.exp(-np.arange(96) / 10.0) * rng.standard_normal(96), "same")
    from scipy.signal import butter, sosfilt

    env = np.exp(-0.5 * ((t % 2.0 - 0.8) / 0.25) ** 2)  # two 1 s breaths
    breath = sosfilt(butter(4, [500, 2500], "bandpass", fs=rate, output="sos"), white) * env
    raw = {"plucked-string melody": melody, "1 kHz beeps (0.3 s every 1 s)": beeps,
           "C-major chord of sines": chord, "white noise": white, "pink noise": pink,
           "chirp 100 Hz -> 4 kHz": chirp, "clicks (4 per s)": clicks,
           "breath-like band-passed noise bursts": breath}
    return {k: (0.5 * v / np.max(np.abs(v))).astype(np.float32) for k, v in raw.items()}


def nonspeech_api(clf: EmotionClassifier) -> dict[str, tuple[str, int]]:
    """Per signal: predict's answer (label + confidence, or 'no speech') and stream events."""
    out = {}
    for name, x in signals().items():
        p = clf.predict(x, RATE)
        whole = "no speech" if p.label is None else f"{p.label} {p.confidence:.2f}"
        events = [e for e, _ in stream.run_engine(clf, x, RATE, StreamSpec())]
        out[name] = (whole, len(events))
    return out


def nonspeech_cli(model: str) -> dict[str, tuple[str, int]]:
    """The same through ``ser-edge classify --json`` and ``ser-edge listen --input --json``."""
    from scipy.io import wavfile

    exe = str(Path(sys.executable).with_name("ser-edge"))
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, x) in enumerate(signals().items()):
            path = Path(tmp) / f"s{i}.wav"
            wavfile.write(path, RATE, np.round(x * 32767).astype(np.int16))
            cls = subprocess.run([exe, "classify", "--json", "--model", model, str(path)],
                                 capture_output=True, text=True, check=False)
            d = json.loads(cls.stdout.splitlines()[0]) if cls.stdout.strip() else {}
            whole = "no speech" if d.get("label") is None else f"{d['label']} {d['confidence']:.2f}"
            lis = subprocess.run([exe, "listen", "--input", str(path), "--json", "--model", model],
                                 capture_output=True, text=True, check=False)
            out[name] = (whole, len([s for s in lis.stdout.splitlines() if s.strip()]))
    return out


def print_level_band(results: dict[str, dict], n: int) -> None:
    print(f"\n### Level and band ({n} RAVDESS files, every 5th by path; % same label as at 0 dB / 48 kHz)\n")
    print("| model | " + " | ".join(f"{g:+.0f} dB" for g in LEVELS_DB) + " | all four levels | "
          "8 kHz vs 48 kHz | no speech at 0 dB |")
    print("|---|" + "---|" * (len(LEVELS_DB) + 3))
    for name, res in results.items():
        rows = res["rows"]
        all4 = 100.0 * float(np.mean([all(r[g] == r["base"] for g in LEVELS_DB) for r in rows]))
        err = [r["8k"] for r in rows if str(r["8k"]).startswith("error")]
        band = f"refused ({err[0][7:60]})" if err else f"{agreement(rows, '8k'):.1f}%"
        print(f"| {name} | " + " | ".join(f"{agreement(rows, g):.1f}%" for g in LEVELS_DB)
              + f" | {all4:.1f}% | {band} | {sum(r['base'] is None for r in rows)} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="the v2 model (frames16k ONNX file)")
    ap.add_argument("--baseline", default="seed", help="the model to compare with (default 'seed')")
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--stream-files", type=int, default=120)
    ap.add_argument("--parts", nargs="*", default=["level", "stream", "nonspeech"])
    ap.add_argument("--cli", action="store_true", help="non-speech also through the ser-edge CLI")
    args = ap.parse_args(argv)
    models = {"v2": args.model, args.baseline: args.baseline}
    clfs = {k: EmotionClassifier.load(v) for k, v in models.items()}
    files = ravdess_files(args.every)
    print(compare.machine())
    print(f"load average at start: {os.getloadavg()}")
    base = {k: level_band(c, files) for k, c in clfs.items()} if {"level", "stream"} & set(args.parts) else {}
    if "level" in args.parts:
        print_level_band(base, len(files))
    if "stream" in args.parts:
        sfiles = files[:args.stream_files]
        print(f"\n### Stream vs whole file ({len(sfiles)} files, 0.5-3 s gaps of -60 dBFS white noise, "
              "48 kHz)\n")
        print("| model | mode | files with an event | same label as whole file (of all / of detected) "
              "| events | events in gaps | CPU s per min of audio |")
        print("|---|---|---|---|---|---|---|")
        for name, clf in clfs.items():
            alone = [r["base"] for r in base[name]["rows"][:len(sfiles)]]
            for mode, spec in STREAM_MODES.items():
                f = stream_agreement(clf, sfiles, alone, spec)
                print(f"| {name} | {mode} | {f['detected']}/{f['files']} | {f['agree_of_all']:.1f}% / "
                      f"{f['agree_of_detected']:.1f}% | {f['events']} | {f['in_gaps']} | "
                      f"{60 * f['cpu_s'] / f['audio_s']:.1f} |", flush=True)
    if "nonspeech" in args.parts:
        print("\n### Non-speech (48 kHz, 4 s each, peak -6 dBFS): classify answer / listen events\n")
        runs = {k: nonspeech_api(c) for k, c in clfs.items()}
        if args.cli:
            runs.update({f"{k} (CLI)": nonspeech_cli(v) for k, v in models.items()})
        print("| signal | " + " | ".join(runs) + " |")
        print("|---|" + "---|" * len(runs))
        for sig in signals():
            cells = [f"{r[sig][0]} / {r[sig][1]} events" for r in runs.values()]
            print(f"| {sig} | " + " | ".join(cells) + " |")
        totals = [sum(r[s][1] for s in r) for r in runs.values()]
        answers = [sum(r[s][0] != "no speech" for s in r) for r in runs.values()]
        print("| **emotion answers / events** | " + " | ".join(
            f"**{a} / {t}**" for a, t in zip(answers, totals, strict=True)) + " |")
    print(f"\nload average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
