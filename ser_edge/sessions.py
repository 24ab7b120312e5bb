"""ONNX Runtime session settings shared by every session ser-edge opens: the model's and the
frames16k speech detector's LSTM. One thread and no spinning by default (edge devices share
their cores); ``threads`` raises it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:  # onnxruntime is imported when a session is built
    import onnxruntime as ort


@dataclass(frozen=True)
class SessionOptions:
    """ONNX Runtime settings: ``threads`` intra-op threads, ``spinning`` busy-wait on/off."""

    threads: int = 1
    spinning: bool = False

    def build(self) -> ort.SessionOptions:
        """An ``onnxruntime.SessionOptions`` with these settings."""
        import onnxruntime as ort

        if self.threads < 1:
            raise ModelError(f"threads must be >= 1, got {self.threads}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        spin = "1" if self.spinning else "0"
        opts.add_session_config_entry("session.intra_op.allow_spinning", spin)
        opts.add_session_config_entry("session.inter_op.allow_spinning", spin)
        return opts
