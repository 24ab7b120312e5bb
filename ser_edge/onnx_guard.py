"""Checks on an ONNX file's bytes before onnxruntime sees them: size, and external data.

An ONNX tensor may keep its values in another file (``data_location = EXTERNAL`` with an
``external_data`` entry ``location``). A model from an untrusted source could point that at
``../../home/pi/.ssh/id_rsa`` or ``/etc/shadow`` and have the file read into a weight
tensor. Recent onnxruntime releases refuse such paths themselves, older ones (the runtime
accepts onnxruntime >= 1.16) do not, so the runtime checks on its own, without the ``onnx``
package (not a runtime dependency): :func:`external_locations` walks the ModelProto's
protobuf wire format and lists every external-data location in the graph, its subgraphs,
functions and training graphs; :func:`check_external` refuses absolute paths and paths that
leave the model's folder once symlinks are resolved.

The loader (``model.py``) then hands onnxruntime the very bytes that were checked (no
window for the file to change in between) when the model has no external data, and the path
only when every external file was found inside the model's folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePath

from .errors import ModelError

#: Largest model file read (bytes). Protobuf caps a message at 2 GiB; an edge model is a few MB.
MAX_MODEL_BYTES = 512 * 1024 * 1024
#: Deepest nesting of subgraphs followed (protobuf's own default recursion limit is 100).
MAX_DEPTH = 64

# Field numbers in onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ...).
_MODEL_GRAPH, _MODEL_TRAINING, _MODEL_FUNCTIONS = 7, 20, 25
_GRAPH_NODE, _GRAPH_INIT, _GRAPH_SPARSE_INIT = 1, 5, 15
_NODE_ATTRIBUTE, _FUNCTION_NODE = 5, 7
_ATTR_T, _ATTR_G, _ATTR_TENSORS, _ATTR_GRAPHS, _ATTR_SPARSE, _ATTR_SPARSES = 5, 6, 10, 11, 22, 23
_SPARSE_VALUES, _SPARSE_INDICES = 1, 2
_TENSOR_NAME, _TENSOR_EXTERNAL, _TENSOR_LOCATION_KIND = 8, 13, 14
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL


class _Malformed(Exception):
    """The bytes are not a well-formed protobuf message."""


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise _Malformed(f"bad varint at byte {pos}")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int, int | tuple[int, int]]]:
    """(field number, wire type, value) of one message in ``buf[start:end]``.

    The value is an int for varints, a ``(start, end)`` span for length-delimited fields and
    the skipped width for fixed 32/64-bit fields.
    """
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _Malformed(f"field number 0 at byte {pos}")
        if wire == 0:
            value, pos = _varint(buf, pos, end)
            yield number, wire, value
        elif wire == 2:
            size, pos = _varint(buf, pos, end)
            if pos + size > end:
                raise _Malformed(f"field {number} runs past the end ({pos + size} > {end})")
            yield number, wire, (pos, pos + size)
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
            if pos > end:
                raise _Malformed(f"fixed field {number} runs past the end")
            yield number, wire, 0
        else:
            raise _Malformed(f"unsupported wire type {wire} at byte {pos}")


def _spans(buf: bytes, span: tuple[int, int],
           wanted: dict[int, str]) -> Iterator[tuple[str, tuple[int, int]]]:
    """(kind, span) of the length-delimited sub-messages of ``span`` whose field is in ``wanted``."""
    for number, wire, value in _fields(buf, *span):
        if number in wanted and wire == 2:
            yield wanted[number], value  # type: ignore[misc]


def _tensor_location(buf: bytes, span: tuple[int, int]) -> tuple[str, str] | None:
    """(tensor name, external location) of a TensorProto stored externally, else None."""
    name, location, external = "?", None, False
    for number, wire, value in _fields(buf, *span):
        if number == _TENSOR_LOCATION_KIND and wire == 0:
            external = value == _EXTERNAL
        elif number == _TENSOR_NAME and wire == 2:
            name = buf[value[0]:value[1]].decode("utf-8", "replace")
        elif number == _TENSOR_EXTERNAL and wire == 2:
            entry = {k: buf[v[0]:v[1]] for k, w, v in _fields(buf, *value) if w == 2 and k in (1, 2)}
            if entry.get(1) == b"location":
                location = entry.get(2, b"").decode("utf-8", "replace")
                external = True
    if not external:
        return None
    return name, "" if location is None else location


_CHILDREN: dict[str, dict[int, str]] = {
    "model": {_MODEL_GRAPH: "graph", _MODEL_TRAINING: "training", _MODEL_FUNCTIONS: "function"},
    "training": {1: "graph", 2: "graph"},  # TrainingInfoProto: initialization, algorithm
    "graph": {_GRAPH_NODE: "node", _GRAPH_INIT: "tensor", _GRAPH_SPARSE_INIT: "sparse"},
    "function": {_FUNCTION_NODE: "node"},
    "node": {_NODE_ATTRIBUTE: "attribute"},
    "attribute": {_ATTR_T: "tensor", _ATTR_G: "graph", _ATTR_TENSORS: "tensor", _ATTR_GRAPHS: "graph",
                  _ATTR_SPARSE: "sparse", _ATTR_SPARSES: "sparse"},
    "sparse": {_SPARSE_VALUES: "tensor", _SPARSE_INDICES: "tensor"},
}


def external_locations(data: bytes, name: str = "<model>") -> list[tuple[str, str]]:
    """(tensor name, location) of every externally stored tensor of a serialized ModelProto.

    Raises ModelError when ``data`` is not a well-formed protobuf message.
    """
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, tuple[int, int], int]] = [("model", (0, len(data)), 0)]
    try:
        while stack:
            kind, span, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _Malformed(f"subgraphs nested deeper than {MAX_DEPTH} levels")
            if kind == "tensor":
                hit = _tensor_location(data, span)
                if hit is not None:
                    found.append(hit)
                continue
            stack.extend((child, sub, depth + 1) for child, sub in _spans(data, span, _CHILDREN[kind]))
    except _Malformed as exc:
        raise ModelError(f"{name}: not a usable ONNX model (malformed protobuf: {exc})") from None
    return found


def check_external(model_path: Path, locations: list[tuple[str, str]]) -> None:
    """Refuse external data that is absolute, empty, or resolves outside the model's folder."""
    folder = model_path.resolve().parent
    for name, location in locations:
        where = f"{model_path}: initializer {name!r} keeps its data in {location!r}"
        if not location or "\x00" in location:
            raise ModelError(f"{where}: expected a file name inside the model's folder")
        if PurePath(location).is_absolute() or location.startswith(("\\", "/")) or location[1:2] == ":":
            raise ModelError(f"{where}: absolute paths are refused (expected a file inside {folder})")
        target = (folder / location).resolve()
        if not target.is_relative_to(folder):
            raise ModelError(f"{where}, which resolves to {target}, outside the model's folder {folder}: "
                             "refused")
        if not target.is_file():
            raise ModelError(f"{where}: no such regular file in {folder}")


def read_model_bytes(path: Path) -> bytes:
    """The bytes of a model file of at most :data:`MAX_MODEL_BYTES` (ModelError otherwise)."""
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ModelError(f"{path}: {size} bytes is larger than the {MAX_MODEL_BYTES} bytes a model "
                             "may have; not an edge model (or not a model at all)")
        if size == 0:
            raise ModelError(f"{path}: empty file (0 bytes), expected an ONNX model")
        with open(path, "rb") as fh:
            data = fh.read(MAX_MODEL_BYTES + 1)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file ({exc.strerror or exc})") from None
    if len(data) > MAX_MODEL_BYTES:
        raise ModelError(f"{path}: grew past {MAX_MODEL_BYTES} bytes while being read")
    return data
