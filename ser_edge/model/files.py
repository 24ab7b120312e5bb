"""The model files: the names of the shipped ones, resolving ``--model``, and reading a file's
bytes and metadata safely (size-capped; ``metadata_props`` by a small protobuf reader, without
onnxruntime or a session)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelError

#: The seed-compatible MFCC-mean models in the wheel (``--model seed`` / ``seed-int8``).
SEED_MODEL_NAME = "ser_edge_seed.onnx"
SEED_INT8_NAME = "ser_edge_seed_int8.onnx"
#: The default (frames16k) model's file in models/, with its int8 variant ``ser_edge_int8.onnx``.
FRAMES16K_MODEL_NAME = "ser_edge.onnx"
#: The model used without ``--model`` (this one line; ``int8`` follows it): the frames16k model.
DEFAULT_MODEL = FRAMES16K_MODEL_NAME
#: The v2 (frames16k, calibrated) model by name (``--model v2`` / ``v2-int8``), for scripts that
#: pin it whatever the default becomes. v2 is the default today, so the names are its files; a
#: new default gets new files and these two keep naming v2's.
V2_MODEL_NAME = FRAMES16K_MODEL_NAME
V2_INT8_NAME = "ser_edge_int8.onnx"
#: Largest model file read (bytes). Protobuf caps a message at 2 GiB; an edge model is a few MB.
MAX_MODEL_BYTES = 512 * 1024 * 1024
#: ``--model`` shorthands for the models shipped in the wheel (a file of that name wins).
SHIPPED_MODELS = {"float32": DEFAULT_MODEL, "int8": DEFAULT_MODEL.replace(".onnx", "_int8.onnx"),
                  "v2": V2_MODEL_NAME, "v2-int8": V2_INT8_NAME,
                  "seed": SEED_MODEL_NAME, "seed-int8": SEED_INT8_NAME}


def shipped_model_path(name: str = DEFAULT_MODEL) -> Path:
    """Path of a model shipped in the wheel (``ser_edge/models/NAME``, default DEFAULT_MODEL).

    In a source checkout that is not installed, falls back to ``<repo>/models/``.
    """
    package = Path(__file__).resolve().parents[1]
    installed = package / "models" / name
    if installed.is_file():
        return installed
    return package.parent / "models" / name


def check_model_path(path: str | Path) -> Path:
    """Resolve a ``--model`` argument: a path, or a name of SHIPPED_MODELS (``seed``,
    ``seed-int8``: the seed-compatible MFCC-mean model; ``v2``, ``v2-int8``: the v2 frames16k
    model by name; ``float32``/``int8``: the default one).

    Raises ModelError for a missing file or a directory.
    """
    p = Path(path).expanduser()
    if str(path) in SHIPPED_MODELS and not p.exists():
        p = shipped_model_path(SHIPPED_MODELS[str(path)])
    if not p.exists():
        raise ModelError(f"{p}: model file not found")
    if p.is_dir():
        raise ModelError(f"{p}: is a directory, expected an .onnx model file")
    if not p.is_file():
        raise ModelError(f"{p}: not a regular file (a device, FIFO or socket), expected an .onnx model file")
    return p


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    import hashlib  # here, not at import: _hashlib loads libcrypto (~3.6 MB RSS) for every command

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


#: onnx.proto field numbers: ModelProto.metadata_props; StringStringEntryProto.key / .value.
METADATA_FIELD, KEY_FIELD, VALUE_FIELD = 14, 1, 2


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """The protobuf varint at ``data[i:]`` and the index past it (ModelError past the end)."""
    value = shift = 0
    while i < len(data):
        byte = data[i]
        value, shift, i = value | (byte & 0x7F) << shift, shift + 7, i + 1
        if not byte & 0x80:
            return value, i
    raise ModelError("truncated protobuf varint")


def proto_fields(data: bytes) -> list[tuple[int, bytes]]:
    """The length-delimited fields ``(number, bytes)`` of one protobuf message (others skipped)."""
    out, i = [], 0
    while i < len(data):
        key, i = _varint(data, i)
        wire = key & 7
        if wire == 0:
            i = _varint(data, i)[1]
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        elif wire == 2:
            size, i = _varint(data, i)
            out.append((key >> 3, data[i:i + size]))
            i += size
        else:
            raise ModelError(f"unsupported protobuf wire type {wire}")
    return out


def read_metadata(path: Path) -> dict[str, str]:
    """A model file's ``metadata_props`` read from its bytes, without a session (a few ms for 1 MB).

    Raises ModelError for a file that is not a readable protobuf message.
    """
    props = {}
    try:
        for number, entry in proto_fields(read_model_bytes(path)):
            if number == METADATA_FIELD:
                fields = dict(proto_fields(entry))
                props[fields.get(KEY_FIELD, b"").decode()] = fields.get(VALUE_FIELD, b"").decode()
    except (ModelError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the model's metadata ({exc})") from None
    return props
