"""Silero's LSTM run by ONNX Runtime: a one-node ONNX graph built from the vendored weights.

Stepping the LSTM in numpy costs ~10 us of Python per chunk; ONNX Runtime's LSTM kernel runs
the whole sequence in one call (~3x faster here). The graph is written as protobuf bytes
(a few fields of ``onnx.proto``), so the ``onnx`` package is not needed at run time. Its
weights are the vendored file's own (ONNX gate order i, o, f, c, as in the file's LSTM node),
so the outputs are those of the vendored graph's LSTM up to float rounding (~1e-6).
"""

from __future__ import annotations

import numpy as np

from ...sessions import SessionOptions

#: onnx.proto constants: TensorProto.FLOAT, AttributeProto.INT, the IR version and opset used.
FLOAT, ATTRIBUTE_INT, IR_VERSION, OPSET = 1, 2, 8, 14


def varint(value: int) -> bytes:
    """``value`` >= 0 as a protobuf varint."""
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number: int, payload: bytes | str | int) -> bytes:
    """One protobuf field: an int as a varint, bytes or str length-delimited."""
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(number << 3 | 2) + varint(len(data)) + data


def tensor(name: str, array: np.ndarray) -> bytes:
    """A float32 TensorProto (dims 1, data_type 2, name 8, raw_data 9)."""
    dims = b"".join(field(1, int(d)) for d in array.shape)
    raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
    return dims + field(2, FLOAT) + field(8, name) + field(9, raw)


def value_info(name: str, shape: tuple[int | str, ...]) -> bytes:
    """A float tensor ValueInfoProto; str dimensions are symbolic."""
    dims = b"".join(field(1, field(2 if isinstance(d, str) else 1, d)) for d in shape)
    return field(1, name) + field(2, field(1, field(1, FLOAT) + field(2, dims)))


def lstm_model_bytes(w_in: np.ndarray, w_rec: np.ndarray, bias: np.ndarray, hidden: int) -> bytes:
    """A ModelProto: Y, Y_h, Y_c = LSTM(X (T, 1, in), W, R, B, h0, c0), ONNX weight layout
    ``w_in`` (1, 4 hidden, in), ``w_rec`` (1, 4 hidden, hidden), ``bias`` (1, 8 hidden)."""
    node = (b"".join(field(1, n) for n in ("X", "W", "R", "B", "", "h0", "c0"))
            + b"".join(field(2, n) for n in ("Y", "Y_h", "Y_c")) + field(4, "LSTM")
            + field(5, field(1, "hidden_size") + field(3, hidden) + field(20, ATTRIBUTE_INT)))
    state = (1, 1, hidden)
    graph = (field(1, node) + field(2, "silero_lstm")
             + b"".join(field(5, tensor(n, a)) for n, a in (("W", w_in), ("R", w_rec), ("B", bias)))
             + b"".join(field(11, value_info(n, s)) for n, s in
                        (("X", ("T", 1, w_in.shape[2])), ("h0", state), ("c0", state)))
             + b"".join(field(12, value_info(n, s)) for n, s in
                        (("Y", ("T", 1, 1, hidden)), ("Y_h", state), ("Y_c", state))))
    return field(1, IR_VERSION) + field(7, graph) + field(8, field(1, "") + field(2, OPSET))


class LstmSession:
    """The LSTM of ``lstm_model_bytes`` in an ONNX Runtime session (1 thread, no spinning)."""

    def __init__(self, w_in: np.ndarray, w_rec: np.ndarray, bias: np.ndarray, hidden: int) -> None:
        import onnxruntime as ort

        data = lstm_model_bytes(w_in, w_rec, bias.reshape(1, -1), hidden)
        options = SessionOptions().build()  # one thread, no spinning, as the model's sessions
        self._session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])

    def run(self, x: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Outputs (T, hidden) float32 of inputs ``x`` (T, in) from state ``h``, ``c``
        (hidden,); and the final ``h``, ``c`` (hidden,)."""
        feed = {"X": np.ascontiguousarray(x, dtype=np.float32)[:, None],
                "h0": h.reshape(1, 1, -1), "c0": c.reshape(1, 1, -1)}
        y, h_out, c_out = self._session.run(None, feed)
        return y[:, 0, 0], h_out.ravel(), c_out.ravel()
