"""Simulated room impulse responses (pyroomacoustics, training-only dependency): shoebox rooms
by the image-source method, in two fixed banks drawn once per process from different seeds.

- the **held-out** bank: 12 rooms of RT60 0.6 s, only ever scored (the ``test_room06`` condition);
- the **training** bank: 40 other rooms of RT60 0.2-1.0 s and wider sizes (the ``rooms``
  augmentation). No impulse response of one bank is in the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SR = 16000
HELDOUT_RT60_S = 0.6
N_HELDOUT_ROOMS = 12
N_TRAINING_ROOMS = 40
BANK_SEED = 20261204
TRAINING_BANK_SEED = 20261205


@dataclass(frozen=True)
class RoomDraw:
    """Ranges a bank draws its shoeboxes from: RT60 (s), length, width, height (m) and the
    least distance (m) of source and microphone from every wall."""

    rt60_s: tuple[float, float]
    dims_m: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    min_wall_distance_m: float


HELDOUT_DRAW = RoomDraw((HELDOUT_RT60_S, HELDOUT_RT60_S), ((3.0, 7.0), (3.0, 6.0), (2.4, 3.2)), 0.5)
TRAINING_DRAW = RoomDraw((0.2, 1.0), ((2.5, 9.0), (2.5, 7.0), (2.3, 3.5)), 0.3)


def _room_rir(rng: np.random.Generator, draw: RoomDraw) -> np.ndarray:
    """One RIR (n,), peak 1, of a random shoebox from ``draw``."""
    import pyroomacoustics as pra

    dims = np.array([rng.uniform(*r) for r in draw.dims_m])
    lo_rt, hi_rt = draw.rt60_s
    rt60 = lo_rt if lo_rt == hi_rt else rng.uniform(lo_rt, hi_rt)  # a fixed RT60 draws nothing
    absorption, max_order = pra.inverse_sabine(rt60, dims)
    room = pra.ShoeBox(dims, fs=SR, materials=pra.Material(absorption), max_order=max_order)
    lo, hi = draw.min_wall_distance_m, dims - draw.min_wall_distance_m
    room.add_source(rng.uniform(lo, hi))
    room.add_microphone(rng.uniform(lo, hi))
    room.compute_rir()
    rir = np.asarray(room.rir[0][0], dtype=np.float64)
    return rir / np.max(np.abs(rir))


@lru_cache(maxsize=2)
def _bank(seed: int, size: int, draw: RoomDraw) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return tuple(_room_rir(rng, draw) for _ in range(size))


def heldout_room_bank() -> tuple[np.ndarray, ...]:
    """The N_HELDOUT_ROOMS impulse responses of RT60 0.6 s, the same in every process (seeded)."""
    return _bank(BANK_SEED, N_HELDOUT_ROOMS, HELDOUT_DRAW)


def training_room_bank() -> tuple[np.ndarray, ...]:
    """The N_TRAINING_ROOMS impulse responses the ``rooms`` augmentation draws from (seeded)."""
    return _bank(TRAINING_BANK_SEED, N_TRAINING_ROOMS, TRAINING_DRAW)


def heldout_room_rir(index: int) -> np.ndarray:
    """The held-out bank's RIR number ``index`` modulo its size."""
    bank = heldout_room_bank()
    return bank[index % len(bank)]


def training_room_rir(index: int) -> np.ndarray:
    """The training bank's RIR number ``index`` modulo its size."""
    bank = training_room_bank()
    return bank[index % len(bank)]
