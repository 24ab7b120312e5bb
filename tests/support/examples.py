"""Running the scripts in examples/ as users run them: a subprocess, or loaded as a module."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from .paths import ROOT
from .signals import noise, to_int16, utterance, write_wav

EXAMPLES = ROOT / "examples"
RATE = 16000


def run_example(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``examples/<name>`` with this interpreter (and its sys.path); 180 s at most."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                          timeout=180, env=env, cwd=cwd)


def load_example(name: str) -> ModuleType:
    """``examples/<name>`` imported as a module (its ``main`` is not run)."""
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), EXAMPLES / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_three(path: Path) -> Path:
    """A WAV at ``path``: one speech-like utterance three times, 1.5 s gaps (three events, one label)."""
    gap, u = noise(1.5, RATE, -70.0, seed=7), utterance(RATE, 1)
    x = np.concatenate([gap, u, gap, u, gap, u, gap])
    return write_wav(path, to_int16(x), RATE)
