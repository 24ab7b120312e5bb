"""Where the project and the shared data are; a skip with a reason when data is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data")).resolve()
SEED = DATA / "seed"
AUDIO = DATA / "audio"
EXAMPLES = SEED / "examples"
#: The seed-compatible MFCC-mean model (``--model seed``): the parity and card tests use it.
SHIPPED_MODEL = ROOT / "models" / "ser_edge_seed.onnx"


def need(path: Path) -> Path:
    """Return ``path``, or skip the test with a reason naming it when it does not exist."""
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set SER_EDGE_DATA or put shared/ beside the project)")
    return path
