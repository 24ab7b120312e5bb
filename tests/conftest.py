"""Shared fixtures: where ../shared/data is, and skips with a reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data")).resolve()
SEED = DATA / "seed"
AUDIO = DATA / "audio"
EXAMPLES = SEED / "examples"
SHIPPED_MODEL = ROOT / "models" / "ser_edge.onnx"


def need(path: Path) -> Path:
    """Return ``path``, or skip the test with a reason naming it when it does not exist."""
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set SER_EDGE_DATA or put shared/ beside the project)")
    return path


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return need(SEED)


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    return need(AUDIO)


@pytest.fixture(scope="session")
def example_wavs() -> list[Path]:
    need(EXAMPLES)
    return sorted(EXAMPLES.glob("*.wav"))


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    return need(SHIPPED_MODEL)


def cli_command() -> list[str]:
    """How to run the ``ser-edge`` command in a subprocess, the way users run it.

    The console script beside this interpreter when installed; ``python -m ser_edge`` otherwise.
    """
    import shutil
    import sys

    script = Path(sys.executable).parent / "ser-edge"
    if script.exists():
        return [str(script)]
    found = shutil.which("ser-edge")
    if found and Path(found).parent == Path(sys.executable).parent:
        return [found]
    return [sys.executable, "-m", "ser_edge"]


def run_cli(*args: str, timeout: float = 120, **kwargs):
    """Run ``ser-edge ARGS`` and return the CompletedProcess (text mode, output captured)."""
    import subprocess

    return subprocess.run([*cli_command(), *args], capture_output=True, text=True, timeout=timeout,
                          **kwargs)
