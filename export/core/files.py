"""Atomic file writing: a reader never sees half a model, card or data file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ExportError


def write_atomic(out: Path, payload: bytes) -> Path:
    """Write ``payload`` to ``out`` through a temporary file in the same folder and a rename."""
    if not out.parent.is_dir():
        raise ExportError(f"output folder '{out.parent}' does not exist")
    handle, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
