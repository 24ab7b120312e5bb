"""Cost of one 3 s utterance with a frames16k (v2) model on one core, and where the time goes.

    python benchmarks/v2_cost.py --model models/ser_edge.onnx [--rate 48000] [--repeat 20]

Stages, each timed alone on the same 3 s of speech (the first shared example recording, else a
synthetic voice), median of ``--repeat`` runs: polyphase resampling to 16 kHz, frame features
(python_speech_features frames + spectral shape; YIN F0 timed separately, it is part of the
frames), the VAD (energy pre-gate + Silero on the gated chunks), pooling over speech frames,
the ONNX model; then the whole ``EmotionClassifier.predict`` and the window stream (listen
--mode window) per second of audio, in speech and in room tone (where the energy pre-gate
keeps Silero idle). numpy/BLAS and ONNX Runtime run on one thread.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402  (benchmarks/compare.py: median_ms, machine)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data")) / "seed" / "examples"


def speech(rate: int, seconds: float) -> tuple[np.ndarray, str]:
    """``seconds`` of speech at ``rate`` Hz: the first example recording, else a synthetic voice."""
    from ser_edge.audio.read import read_audio
    from ser_edge.audio.resample import resample

    files = sorted(EXAMPLES.glob("*.wav"))
    if files:
        x, r = read_audio(files[0])
        x = resample(x, r, rate, "polyphase") if r != rate else x
        return np.resize(x, int(seconds * rate)).astype(np.float32), files[0].name
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(140 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))) / rate
    return (0.1 * sum(np.sin(k * phase) / k for k in range(1, 10))).astype(np.float32), "synthetic voice"


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, minimum) wall time of ``fn()`` in ms over ``repeat`` runs (after one warm-up run);
    on a shared machine the minimum is the closer one to an idle core."""
    return compare.median_ms(fn, repeat)


def stage_costs(clf, x: np.ndarray, rate: int, repeat: int) -> dict[str, tuple[float, float]]:
    """ms per stage of one utterance (see the module docstring)."""
    from ser_edge.frontend.frames16k.frames import compute_frames, frame_view
    from ser_edge.frontend.frames16k.frontend import pooled_inputs, to_model_rate
    from ser_edge.frontend.frames16k.pitch import yin
    from ser_edge.frontend.frames16k.vad import detect_speech

    frontend, spec = clf.frontend, clf.frontend.spec
    y = to_model_rate(x, rate, spec)
    block = compute_frames(y, spec)
    probs = frontend.probabilities
    mask = detect_speech(y, len(block), spec, probs)
    raw = np.concatenate([np.zeros(spec.pitch_offset), y, np.zeros(spec.pitch_len)])
    pitch_frames = frame_view(raw, spec.pitch_len, spec.hop, len(block))
    inputs = pooled_inputs(block, mask, spec)
    probs.calls = 0
    detect_speech(y, len(block), spec, probs)
    costs = {
        f"resample {rate} -> 16000 Hz (polyphase)": median_ms(lambda: to_model_rate(x, rate, spec), repeat),
        "frames (log-mel, MFCC, shape, F0)": median_ms(lambda: compute_frames(y, spec), repeat),
        "  of which F0 (YIN)": median_ms(lambda: yin(pitch_frames, spec), repeat),
        f"VAD (pre-gate + Silero on {probs.calls} chunks)": median_ms(
            lambda: detect_speech(y, len(block), spec, probs), repeat),
        "pooling (cnn_input + functionals)": median_ms(lambda: pooled_inputs(block, mask, spec), repeat),
        "model (ONNX Runtime, 1 thread)": median_ms(lambda: clf.model.predict(inputs), repeat),
        "classifier.predict (all of it)": median_ms(lambda: clf.predict(x, rate), repeat),
    }
    costs["speech frames / all frames"] = (float(mask.sum()) / len(mask),) * 2
    return costs


def stream_cost(clf, x: np.ndarray, rate: int, repeat: int) -> tuple[float, float]:
    """ms of CPU per second of audio of the window stream (3 s windows every 1 s, 50 ms blocks)."""
    from ser_edge.config import StreamSpec

    block = int(0.05 * rate)
    audio = np.concatenate([x] * 4)

    def run() -> None:
        stream = clf.window_stream(StreamSpec(mode="window"), rate)
        for i in range(0, len(audio), block):
            stream.push(audio[i:i + block])
        stream.flush()

    return tuple(v / (len(audio) / rate) for v in median_ms(run, max(1, repeat // 5)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True,
                        help="a frames16k ONNX model (stages split), or any model, e.g. 'seed' (total only)")
    parser.add_argument("--rate", type=int, default=48000, help="input sample rate (Hz), default 48000")
    parser.add_argument("--seconds", type=float, default=3.0, help="utterance length (s), default 3")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    from ser_edge import EmotionClassifier
    from ser_edge.model import check_model_path

    clf, path = EmotionClassifier.load(args.model), check_model_path(args.model)
    x, source = speech(args.rate, args.seconds)
    print(compare.machine())
    print(f"model {path} ({path.stat().st_size / 1024:.0f} KiB, {clf.spec.frontend.type}); "
          f"{args.seconds:g} s of {source} at {args.rate} Hz; median of {args.repeat}")
    if clf.spec.frontend.type == "frames16k":
        costs = stage_costs(clf, x, args.rate, args.repeat)
    else:  # e.g. --model seed: no stages to split, the whole predict only
        costs = {"classifier.predict (all of it)": median_ms(lambda: clf.predict(x, args.rate), args.repeat)}
    print(f"  {'':<48} {'median':>8} {'min':>8}")
    for name, (med, low) in costs.items():
        unit = "" if "/" in name else " ms"
        print(f"  {name:<48} {med:8.2f} {low:8.2f}{unit}")
    noise = np.random.default_rng(0).standard_normal(len(x)).astype(np.float32)
    for what, audio in (("speech", x), ("room tone at -90 dBFS", 10 ** (-90 / 20) * noise),
                        ("room tone at -60 dBFS", 10 ** (-60 / 20) * noise)):
        med, low = stream_cost(clf, audio, args.rate, args.repeat)
        print(f"  {'window stream per s of audio, ' + what:<48} {med:8.2f} {low:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
