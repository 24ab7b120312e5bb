"""Opening an ONNX Runtime session for a model file: one thread and no spinning by default,
built from the file's bytes with external data refused; the session's inputs and outputs."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelError
from ..sessions import SessionOptions
from .files import read_model_bytes

if TYPE_CHECKING:  # onnxruntime is imported when a session is opened
    import onnxruntime as ort

#: How every external-data reference starts in an ONNX file: the StringStringEntryProto key
#: field (tag 0x0a, length 8) holding "location". A file without these bytes has none.
EXTERNAL_DATA_MARK = b"\x0a\x08location"


def external_data_error(path: Path) -> ModelError:
    return ModelError(f"{path}: the model keeps tensors in external data files, which ser-edge does not "
                      "load (a model could name any file); save it as one file: "
                      "onnx.save_model(model, path, save_as_external_data=False)")


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of ``exc``'s message (its type's name when empty), at most ``limit`` characters:
    what a one-line error quotes of a library's multi-line exception."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:limit]


def open_session(path: Path, options: SessionOptions) -> ort.InferenceSession:
    """A session for the model at ``path``, built from the file's bytes (never the path).

    A model may keep tensors in other files ("external data") named by a relative or absolute
    path; a hostile one could name ``~/.ssh/id_rsa``. Loaded from bytes, onnxruntime looks for
    such files relative to the current directory (and, before 1.2x, anywhere), so: a file that
    holds any external-data reference is refused before onnxruntime sees it, and onnxruntime is
    told to look for external data only in an empty temporary folder (where none can be found).
    """
    import onnxruntime as ort

    data = read_model_bytes(path)
    if EXTERNAL_DATA_MARK in data:
        raise external_data_error(path)
    opts = options.build()
    with tempfile.TemporaryDirectory(prefix="ser-edge-no-external-data-") as empty:
        opts.add_session_config_entry("session.model_external_initializers_file_folder_path", empty)
        try:
            return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises several private exception types
            if "external data" in str(exc).lower():
                raise external_data_error(path) from None
            raise ModelError(f"{path}: not a usable ONNX model ({first_line(exc)})") from None


def per_example_shape(dims: Sequence[int | str | None]) -> tuple[int | None, ...]:
    """An ONNX input's dimensions without the batch one; None for a symbolic dimension."""
    return tuple(d if isinstance(d, int) and d > 0 else None for d in dims[1:])


def session_io(session: ort.InferenceSession, path: Path) -> tuple[list[ort.NodeArg], ort.NodeArg]:
    """The float inputs and the first output of a session (ModelError otherwise)."""
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if not inputs or not outputs:
        raise ModelError(f"{path}: expected at least 1 input and 1 output, got {len(inputs)} inputs "
                         f"and {len(outputs)} outputs")
    for inp in inputs:
        if inp.type != "tensor(float)":
            raise ModelError(f"{path}: input {inp.name!r} must be tensor(float), got {inp.type}")
    return list(inputs), outputs[0]
