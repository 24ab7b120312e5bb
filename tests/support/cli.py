"""The ``ser-edge`` command in a subprocess, run the way users run it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def cli_command() -> list[str]:
    """How to run the ``ser-edge`` command in a subprocess, the way users run it.

    The console script beside this interpreter when installed; ``python -m ser_edge`` otherwise.
    """
    script = Path(sys.executable).parent / "ser-edge"
    if script.exists():
        return [str(script)]
    found = shutil.which("ser-edge")
    if found and Path(found).parent == Path(sys.executable).parent:
        return [found]
    return [sys.executable, "-m", "ser_edge"]


def run_cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``ser-edge ARGS`` and return the CompletedProcess (text mode, output captured)."""
    return subprocess.run([*cli_command(), *args], capture_output=True, text=True, timeout=timeout,
                          **kwargs)
