"""Held-out room impulse responses: shoebox rooms of RT60 0.6 s simulated by the image-source
method (pyroomacoustics, training-only dependency), a fixed bank drawn once per process.

Training never sees these: its ``reverb`` variant convolves with exponentially decaying noise.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SR = 16000
HELDOUT_RT60_S = 0.6
N_HELDOUT_ROOMS = 12
ROOM_DIMS_M = ((3.0, 7.0), (3.0, 6.0), (2.4, 3.2))  # length, width, height ranges
BANK_SEED = 20261204
MIN_WALL_DISTANCE_M = 0.5


def _room_rir(rng: np.random.Generator) -> np.ndarray:
    """One RIR (n,) of a random shoebox at HELDOUT_RT60_S, source and microphone >= 0.5 m from walls."""
    import pyroomacoustics as pra

    dims = np.array([rng.uniform(*r) for r in ROOM_DIMS_M])
    absorption, max_order = pra.inverse_sabine(HELDOUT_RT60_S, dims)
    room = pra.ShoeBox(dims, fs=SR, materials=pra.Material(absorption), max_order=max_order)
    lo, hi = MIN_WALL_DISTANCE_M, dims - MIN_WALL_DISTANCE_M
    room.add_source(rng.uniform(lo, hi))
    room.add_microphone(rng.uniform(lo, hi))
    room.compute_rir()
    rir = np.asarray(room.rir[0][0], dtype=np.float64)
    return rir / np.max(np.abs(rir))


@lru_cache(maxsize=1)
def heldout_room_bank() -> tuple[np.ndarray, ...]:
    """The N_HELDOUT_ROOMS impulse responses, the same in every process (seeded)."""
    rng = np.random.default_rng(BANK_SEED)
    return tuple(_room_rir(rng) for _ in range(N_HELDOUT_ROOMS))


def heldout_room_rir(index: int) -> np.ndarray:
    """The bank's RIR number ``index`` modulo its size."""
    bank = heldout_room_bank()
    return bank[index % len(bank)]
