"""``ser-edge classify`` of a WAV or FLAC and ``listen --input`` import no scipy at all: it is the
``scipy`` extra, for frontend settings no shipped model uses (issue 20; issue 14 item 4 took
scipy.io and scipy.fft out of ``classify``: together ~0.35 s and ~25 MB of start-up)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from support.malformed import speechlike
from support.paths import SHIPPED_MODEL
from support.signals import write_wav

#: Modules no default path needs, each several MB of RSS: scipy (the `scipy` extra), numpy.random
#: (~7 MB with the libcrypto its ``secrets`` import loads), ssl and hashlib (MQTT TLS, fingerprints),
#: multiprocessing and concurrent.futures (3 MB; ``classify --jobs`` only).
HEAVY = ("scipy", "numpy.random", "ssl", "_ssl", "hashlib", "_hashlib", "multiprocessing",
         "concurrent.futures")

#: Runs the CLI in-process, then prints the HEAVY modules it imported to stderr.
PROBE = f"""
import atexit, json, runpy, sys
heavy = lambda: sorted(m for m in sys.modules if m in {HEAVY!r} or m.startswith(("scipy.", "numpy.random.")))
atexit.register(lambda: print("HEAVY", json.dumps(heavy()), file=sys.stderr))
sys.argv = ["ser-edge", *sys.argv[1:]]
runpy.run_module("ser_edge", run_name="__main__")
"""


@pytest.mark.parametrize("command", [["classify"], ["classify", "--model", "seed"], ["listen", "--input"]],
                         ids=["classify", "classify-seed", "listen"])
@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_default_paths_import_no_scipy_numpy_random_ssl_or_hashlib(tmp_path, command: list[str],
                                                                   suffix: str) -> None:
    if "seed" in command and not SHIPPED_MODEL.exists():
        pytest.skip(f"{SHIPPED_MODEL} not found")
    stereo = np.stack([speechlike(48000, 2.0), speechlike(48000, 2.0)], axis=1)
    path = write_wav(tmp_path / "x.wav", stereo, 48000)
    if suffix == ".flac":
        import soundfile

        soundfile.write(str(tmp_path / "x.flac"), stereo, 48000)
        path = tmp_path / "x.flac"
    proc = subprocess.run([sys.executable, "-c", PROBE, *command, str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = [x for x in proc.stderr.splitlines() if x.startswith("HEAVY")][-1]
    assert json.loads(line[len("HEAVY "):]) == []
