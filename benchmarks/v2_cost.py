"""Cost of one 3 s utterance on one core, stage by stage, the v2 (frames16k) vs the seed model.

    python benchmarks/v2_cost.py [--clips 30] [--repeat 3] [--rates 16000 44100 48000] [--model v2]

Protocol: ``--clips`` RAVDESS speech files (every k-th of actors 1-18 in ../shared/data), the
first 3 s of each, written as 16-bit WAVs at each rate in ``--rates`` (polyphase resampling
from the 48 kHz originals); every stage runs ``--repeat`` times per clip and the table shows
the median over clips x repeats of the CPU time of this process (``time.process_time``), in
ms; the last row, the median over clips of each clip's fastest total. numpy/BLAS and ONNX
Runtime run on one thread (Silero is computed with numpy).

Stages of the frames16k model (``--model``: v2 by name, whatever the default): read (the
runtime's ``read_audio`` of the WAV), resample to 16 kHz, frames (log-mel, MFCC, energy,
spectral shape on the speech frames and 2 either side; no F0), pitch (YIN on the speech
frames), VAD (energy pre-gate + Silero on the gated chunks + hysteresis), pooling, model (ONNX
Runtime); total = read + ``EmotionClassifier.predict`` of the samples, timed as a whole (not
the sum). The seed model: read, its speech check (frame energy), resample to 22050 Hz + MFCC
mean, model, total the same way.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402  (machine line)
import stream  # noqa: E402  (DATA: the RAVDESS folder)

SECONDS = 3.0


def cpu_ms(fn: Callable[[], object]) -> float:
    """CPU time of this process for one ``fn()``, ms."""
    start = time.process_time()
    fn()
    return 1000.0 * (time.process_time() - start)


def clips(count: int, rates: list[int], folder: Path) -> dict[int, list[Path]]:
    """The first SECONDS of ``count`` RAVDESS files as 16-bit WAVs at each rate: rate -> paths."""
    import soundfile

    from ser_edge.audio.read import read_audio
    from ser_edge.audio.resample import resample

    files = sorted(stream.DATA.glob("Actor_*/*.flac"))
    if not files:
        raise SystemExit(f"no RAVDESS files under {stream.DATA}")
    chosen = files[:: max(1, len(files) // count)][:count]
    out: dict[int, list[Path]] = {rate: [] for rate in rates}
    for i, path in enumerate(chosen):
        x, rate = read_audio(path)
        x = x[: int(SECONDS * rate)]
        for r in rates:
            y = x if r == rate else resample(x.astype(np.float64), rate, r, "polyphase")
            out[r].append(folder / f"{i}_{r}.wav")
            soundfile.write(out[r][-1], np.clip(y, -1.0, 1.0), r, subtype="PCM_16")
    return out


def default_stages(clf, path: Path) -> dict[str, Callable[[], object]]:
    """The frames16k model's stages on one file, each a call on precomputed inputs."""
    from ser_edge.audio.read import read_audio
    from ser_edge.frontend.frames16k.frames import compute_frames, frame_view
    from ser_edge.frontend.frames16k.frontend import pooled_inputs, to_model_rate
    from ser_edge.frontend.frames16k.pitch import yin
    from ser_edge.frontend.frames16k.vad import detect_speech, widen

    frontend, spec = clf.frontend, clf.frontend.spec
    x, rate = read_audio(path)
    y = to_model_rate(x, rate, spec)
    x16, mask = frontend.speech(x, rate)
    rows, no_pitch = widen(mask, spec.delta_n), np.zeros(len(mask), dtype=bool)
    block = compute_frames(y, spec, rows, mask)
    raw = np.concatenate([np.zeros(spec.pitch_offset), y, np.zeros(spec.pitch_len)])
    speech_pitch = frame_view(raw, spec.pitch_len, spec.hop, len(mask))[mask]
    inputs = pooled_inputs(block, mask, spec)
    return {
        "read": lambda: read_audio(path),
        "resample to 16 kHz": lambda: to_model_rate(x, rate, spec),
        "frames (no F0)": lambda: compute_frames(y, spec, rows, no_pitch),
        "pitch (YIN, speech frames)": lambda: yin(speech_pitch, spec),
        "VAD (pre-gate + Silero)": lambda: detect_speech(y, len(mask), spec, frontend.probabilities),
        "pooling": lambda: pooled_inputs(block, mask, spec),
        "model": lambda: clf.model.predict(inputs),
        "total (read + predict)": lambda: clf.predict(*read_audio(path)),
    }


def seed_stages(clf, path: Path) -> dict[str, Callable[[], object]]:
    """The seed model's stages on one file."""
    from ser_edge.audio.read import read_audio

    frontend = clf.frontend
    x, rate = read_audio(path)
    inputs = frontend.features(x, rate)
    return {
        "read": lambda: read_audio(path),
        "speech check (frame energy)": lambda: frontend.has_speech(x, rate),
        "resample to 22050 Hz + MFCC mean": lambda: frontend.features(x, rate),
        "model": lambda: clf.model.predict(inputs),
        "total (read + predict)": lambda: clf.predict(*read_audio(path)),
    }


def medians(make: Callable, clf, paths: list[Path], repeat: int) -> dict[str, float]:
    """Median CPU ms of each stage over every clip x ``repeat`` runs (after one warm-up); and of
    the total, the median over clips of each clip's fastest run (closer to an idle core)."""
    times: dict[str, list[float]] = {}
    fastest: list[float] = []
    for path in paths:
        for name, fn in make(clf, path).items():
            fn()
            runs = [cpu_ms(fn) for _ in range(repeat)]
            times.setdefault(name, []).extend(runs)
        fastest.append(min(runs))  # the last stage is the total
    return {**{name: statistics.median(v) for name, v in times.items()},
            "total, fastest of the runs": statistics.median(fastest)}


def speech_share(clf, paths: list[Path]) -> tuple[float, float]:
    """Mean share of speech frames, and of chunks Silero ran on, over the clips."""
    from ser_edge.audio.read import read_audio

    frames, chunks = [], []
    for path in paths:
        probs = clf.frontend.probabilities
        probs.calls = 0
        x, rate = read_audio(path)
        mask = clf.frontend.speech(x, rate)[1]
        frames.append(mask.mean())
        chunks.append(probs.calls / np.ceil(SECONDS * 16000 / clf.frontend.spec.vad_chunk))
    return float(np.mean(frames)), float(np.mean(chunks))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rates", type=int, nargs="+", default=[16000, 44100, 48000])
    parser.add_argument("--model", default="v2", help="the frames16k model: a file or a shipped name (v2)")
    args = parser.parse_args(argv)
    from ser_edge import EmotionClassifier
    from ser_edge.process import tune_allocator

    tuned = tune_allocator()  # as the ser-edge command does
    default, seed = EmotionClassifier.load(args.model), EmotionClassifier.load("seed")
    print(compare.machine())
    print(f"{args.clips} RAVDESS clips (actors 1-18), first {SECONDS:g} s, 16-bit WAV; CPU ms of one "
          f"core, median over clips x {args.repeat} runs; numpy and ONNX Runtime on 1 thread; "
          f"allocator tuned: {tuned}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = clips(args.clips, args.rates, Path(tmp))
        frames, chunks = speech_share(default, paths[args.rates[-1]])
        print(f"speech frames {frames:.0%} of all; Silero ran on {chunks:.0%} of the chunks")
        for label, clf, make in ((f"{args.model} (frames16k)", default, default_stages),
                                 ("seed (mfcc_mean)", seed, seed_stages)):
            table = {rate: medians(make, clf, paths[rate], args.repeat) for rate in args.rates}
            print(f"\n{label}" + "".join(f" {rate / 1000:>9g} kHz" for rate in args.rates))
            for name in table[args.rates[0]]:
                print(f"  {name:<34}" + "".join(f" {table[r][name]:>10.2f} ms"[:14] for r in args.rates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
