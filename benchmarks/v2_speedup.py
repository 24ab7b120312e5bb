"""A speed-up candidate for the v2 (frames16k) path, checked for exactness: YIN on speech frames only.

    python benchmarks/v2_speedup.py --model /work/v2/models/ser_edge_v2.onnx [--every 20]

The model's inputs use F0, periodicity and voicing only on speech frames (``pooling``:
``block.select(mask)``), and YIN is per frame (no state), so computing YIN after the VAD, on
the mask's frames only, must give the same model inputs. For every ``--every``-th RAVDESS
file (48 kHz -> 16 kHz as the runtime does): are both inputs (``frames``, ``functionals``)
bit-identical; YIN's CPU time on all frames vs on speech frames; the whole ``predict``'s CPU
time for scale. CPU time (``time.process_time``, numpy on one thread), summed over files.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402  (machine line)
import stream  # noqa: E402  (DATA: the RAVDESS folder)

from ser_edge import EmotionClassifier  # noqa: E402
from ser_edge.audio.read import read_audio  # noqa: E402
from ser_edge.frontend.frames16k.frames import compute_frames, frame_view  # noqa: E402
from ser_edge.frontend.frames16k.frontend import pooled_inputs, to_model_rate  # noqa: E402
from ser_edge.frontend.frames16k.pitch import semitones, yin  # noqa: E402
from ser_edge.frontend.frames16k.vad import detect_speech  # noqa: E402


def cpu_ms(fn) -> tuple[float, object]:
    start = time.process_time()
    out = fn()
    return 1000 * (time.process_time() - start), out


def pitch_frames(y: np.ndarray, count: int, spec) -> np.ndarray:
    """The raw pitch frames (count, pitch_len) exactly as ``compute_frames`` cuts them."""
    raw = np.concatenate([np.zeros(spec.pitch_offset), y])
    raw = np.concatenate([raw, np.zeros(max(0, (count - 1) * spec.hop + spec.pitch_len - len(raw)))])
    return frame_view(raw, spec.pitch_len, spec.hop, count)


def one_file(clf: EmotionClassifier, path: Path) -> dict:
    """Exactness and CPU ms of full vs speech-only YIN for one file."""
    spec = clf.frontend.spec
    x, rate = read_audio(path)
    y = to_model_rate(x, rate, spec)
    block = compute_frames(y, spec)
    mask = detect_speech(y, len(block), spec, clf.frontend.probabilities)
    ref = pooled_inputs(block, mask, spec)
    frames = pitch_frames(y, len(block), spec)
    t_all, _ = cpu_ms(lambda: yin(frames, spec))
    t_speech, (f0_s, per_s, voiced_s) = cpu_ms(lambda: yin(frames[mask], spec))
    f0, per, voiced = np.zeros(len(block)), np.zeros(len(block)), np.zeros(len(block), dtype=bool)
    f0[mask], per[mask], voiced[mask] = f0_s, per_s, voiced_s
    alt = pooled_inputs(dataclasses.replace(block, f0_semitones=semitones(f0, spec), periodicity=per,
                                            voiced=voiced), mask, spec)
    same = all(np.array_equal(ref[k], alt[k], equal_nan=True) for k in ref)
    t_predict, _ = cpu_ms(lambda: clf.predict(x, rate))
    return {"same": same, "yin_all": t_all, "yin_speech": t_speech, "predict": t_predict,
            "speech": float(mask.mean())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a frames16k model")
    ap.add_argument("--every", type=int, default=20)
    args = ap.parse_args(argv)
    clf = EmotionClassifier.load(args.model)
    files = sorted(stream.DATA.glob("Actor_*/*.flac"))[::args.every]
    print(compare.machine())
    rows = [one_file(clf, f) for f in files]
    total = {k: sum(r[k] for r in rows) / len(rows) for k in ("yin_all", "yin_speech", "predict")}
    speech, same = np.mean([r["speech"] for r in rows]), sum(r["same"] for r in rows)
    print(f"{len(rows)} RAVDESS files (every {args.every}th, 48 kHz, {speech:.2f} of frames speech on "
          f"average); model inputs bit-identical: {same}/{len(rows)}")
    print(f"CPU ms per file: YIN on all frames {total['yin_all']:.2f}, on speech frames only "
          f"{total['yin_speech']:.2f} (saves {total['yin_all'] - total['yin_speech']:.2f} ms = "
          f"{100 * (total['yin_all'] - total['yin_speech']) / total['predict']:.1f}% of the whole predict, "
          f"{total['predict']:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
