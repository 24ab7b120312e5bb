"""Runtime-path checks of an exported v2 model: level, 8 kHz, silence padding, cost.

Each clip goes the way the runtime will take it: 16 kHz audio -> frames + speech mask ->
``cnn_input`` / ``functionals`` -> onnxruntime. Reported: label agreement of the same clip at
-20/-10/+10/+20 dB with 0 dB, accuracy at 8 kHz (through an 8 kHz sample rate) against full
band, agreement with 1 s of silence added on both sides, and the per-utterance cost split.
Run: ``python -m export.frames16k.robustness MODEL.onnx --ravdess DIR [--limit N]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from ser_edge.frontend.frames16k.frames import compute_frames
from ser_edge.frontend.frames16k.pooling import cnn_input, functionals, has_speech
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.frontend.frames16k.vad import ChunkProbabilities, detect_speech

from .augment import band8k
from .corpus import read_16k, scan_ravdess

LOGGER = logging.getLogger(__name__)
LEVELS_DB = (-20.0, -10.0, 10.0, 20.0)
PAD_SECONDS = 1.0


class Runtime:
    """Audio -> probabilities (8,) or None when no speech, with per-stage timing (seconds)."""

    def __init__(self, model: Path) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        meta = self.sess.get_modelmeta().custom_metadata_map
        self.spec = Frames16kSpec.from_dict(json.loads(meta["ser_edge.frontend"]))
        self.vad = ChunkProbabilities(self.spec)
        self.times = {"frames+f0": 0.0, "vad": 0.0, "pooling": 0.0, "model": 0.0}

    def _tick(self, key: str, start: float) -> float:
        now = time.perf_counter()
        self.times[key] += now - start
        return now

    def __call__(self, x: np.ndarray) -> np.ndarray | None:
        t = time.perf_counter()
        block = compute_frames(x, self.spec)
        t = self._tick("frames+f0", t)
        mask = detect_speech(x, len(block), self.spec, self.vad)
        t = self._tick("vad", t)
        if not has_speech(mask, self.spec):
            return None
        feed = {
            "frames": cnn_input(block, mask, self.spec)[None],
            "functionals": functionals(block, mask, self.spec)[None],
        }
        if self.spec.calibration is not None:  # a calibrated model: its prior (``probs`` ignores it)
            feed["speaker_mean"] = np.asarray(self.spec.calibration.mean, np.float32)[None]
            feed["speaker_std"] = np.asarray(self.spec.calibration.std, np.float32)[None]
        t = self._tick("pooling", t)
        probs = self.sess.run(["probs"], feed)[0][0]
        self._tick("model", t)
        return probs


def _label(p: np.ndarray | None) -> int:
    return -1 if p is None else int(np.argmax(p))


def evaluate(model: Path, ravdess: Path, limit: int, seed: int = 0) -> dict:
    """The figures described in the module docstring over ``limit`` random RAVDESS clips."""
    rt = Runtime(model)
    clips = scan_ravdess(ravdess)
    pick = np.random.default_rng(seed).choice(len(clips), size=min(limit, len(clips)), replace=False)
    rows = []
    for i in pick:
        x = read_16k(clips[i].path)
        start = time.perf_counter()
        base = _label(rt(x))
        seconds = time.perf_counter() - start
        levels = [_label(rt(x * 10 ** (g / 20))) for g in LEVELS_DB]
        pad = np.zeros(int(PAD_SECONDS * rt.spec.sample_rate))
        rows.append(
            {
                "y": clips[i].label,
                "base": base,
                "levels": levels,
                "band8k": _label(rt(band8k(x))),
                "padded": _label(rt(np.concatenate([pad, x, pad]))),
                "seconds": seconds,
                "dur": len(x) / 16000,
            }
        )
    y = np.array([r["y"] for r in rows])
    base = np.array([r["base"] for r in rows])
    return {
        "n": len(rows),
        "acc_full_band": float(np.mean(base == y)),
        "acc_8khz": float(np.mean(np.array([r["band8k"] for r in rows]) == y)),
        "level_agreement": {
            f"{g:+.0f} dB": float(np.mean([r["levels"][k] == r["base"] for r in rows]))
            for k, g in enumerate(LEVELS_DB)
        },
        "silence_padding_agreement": float(np.mean([r["padded"] == r["base"] for r in rows])),
        "no_speech_found": int(np.sum(base < 0)),
        "ms_per_utterance": 1000 * float(np.mean([r["seconds"] for r in rows])),
        "mean_utterance_seconds": float(np.mean([r["dur"] for r in rows])),
        "ms_split_all_calls": {k: 1000 * v / (len(rows) * (len(LEVELS_DB) + 3)) for k, v in rt.times.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry; prints the JSON report."""
    logging.basicConfig(level=logging.INFO)
    p = argparse.ArgumentParser(prog="python -m export.frames16k.robustness")
    p.add_argument("model", type=Path)
    p.add_argument("--ravdess", type=Path, required=True)
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("-o", "--output", type=Path)
    args = p.parse_args(argv)
    report = evaluate(args.model, args.ravdess, args.limit)
    text = json.dumps(report, indent=1)
    if args.output:
        args.output.write_text(text)
    print(text)  # noqa: T201 - command-line output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
