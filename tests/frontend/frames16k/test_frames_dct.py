"""frames.py's MFCC DCT (the runtime's DCT-II ortho matrix) equals scipy's dct on real speech."""

from __future__ import annotations

import numpy as np
from scipy.fftpack import dct

from ser_edge.frontend.frames16k.frames import compute_frames
from ser_edge.frontend.frames16k.spec import Frames16kSpec

from support.frames_signals import read_example_16k, speech_files


def test_mfcc_dct_matches_scipy_fftpack_on_speech() -> None:
    # frames.py used `from scipy.fftpack import dct` (~0.25 s of scipy.fft import at start).
    spec = Frames16kSpec()
    for path in speech_files():
        block = compute_frames(read_example_16k(path), spec)
        ref = dct(block.logmel, type=2, axis=1, norm="ortho")[:, : spec.n_mfcc]
        if spec.ceplifter > 0:
            ref = ref * (1.0 + spec.ceplifter / 2.0 * np.sin(np.pi * np.arange(spec.n_mfcc) / spec.ceplifter))
        if spec.append_energy:
            ref[:, 0] = block.log_energy
        assert len(block) > 100
        assert np.max(np.abs(block.mfcc - ref)) < 1e-9
