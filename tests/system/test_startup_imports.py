"""``ser-edge classify`` of a WAV imports neither scipy.io (WAV reading) nor scipy.fft/fftpack
(the MFCC DCT): together ~0.35 s and ~25 MB of start-up (issue 14, item 4)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from support.malformed import speechlike
from support.paths import SHIPPED_MODEL
from support.signals import write_wav

#: Runs the CLI in-process, then prints the scipy submodules it imported to stderr.
PROBE = """
import atexit, json, runpy, sys
scipy = lambda: sorted(m for m in sys.modules if m.startswith("scipy."))
atexit.register(lambda: print("SCIPY", json.dumps(scipy()), file=sys.stderr))
sys.argv = ["ser-edge", *sys.argv[1:]]
runpy.run_module("ser_edge", run_name="__main__")
"""


@pytest.mark.parametrize("model", [[], ["--model", "seed"]], ids=["default", "seed"])
def test_classify_a_wav_without_scipy_io_or_fft(tmp_path, model: list[str]) -> None:
    if model and not SHIPPED_MODEL.exists():
        pytest.skip(f"{SHIPPED_MODEL} not found")
    stereo = np.stack([speechlike(48000, 2.0), speechlike(48000, 2.0)], axis=1)
    path = write_wav(tmp_path / "x.wav", stereo, 48000)
    proc = subprocess.run([sys.executable, "-c", PROBE, "classify", *model, str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = [x for x in proc.stderr.splitlines() if x.startswith("SCIPY")][-1]
    loaded = json.loads(line[len("SCIPY "):])
    assert not [m for m in loaded if m.split(".")[1] in ("io", "fft", "fftpack")], loaded
