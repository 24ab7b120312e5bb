"""Tiny generated corpora for the export tests: harmonic 'vowels' laid out as RAVDESS, TESS and
EMOVO distribute them (no real data; a few short clips each)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

RATE_RAVDESS, RATE_TESS, RATE_EMOVO = 48000, 24414, 16000
#: EMOVO's emotion codes in the order of its file names' first field.
EMOVO_CODES = ("neu", "gio", "tri", "rab", "pau", "dis", "sor")


def voice(rate: int, f0: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A harmonic 'vowel' with vibrato between 0.3 s of quiet noise on either side, (samples,)."""
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.03 * np.sin(2 * np.pi * 5 * t))) / rate
    tone = sum(np.sin(k * phase) / k for k in range(1, 8)) * 0.1
    quiet = np.zeros(int(0.3 * rate))
    return np.concatenate([quiet, tone, quiet]) + 1e-4 * rng.standard_normal(len(tone) + 2 * len(quiet))


def write_emovo(root: Path, speakers: tuple[str, ...], rng: np.random.Generator) -> Path:
    """``root/<speaker>/<code>-<speaker>-b1.flac`` at 16 kHz, one clip per emotion; returns ``root``."""
    for n, speaker in enumerate(speakers):
        folder = root / speaker
        folder.mkdir(parents=True)
        for k, code in enumerate(EMOVO_CODES):
            audio = voice(RATE_EMOVO, 110 + 25 * k + 7 * n, 0.5, rng)
            sf.write(folder / f"{code}-{speaker}-b1.flac", audio, RATE_EMOVO)
    return root


def write_ravdess(root: Path, actors: tuple[int, ...], rng: np.random.Generator) -> Path:
    """``root/Actor_XX/03-01-EE-01-01-01-XX.flac`` at 48 kHz for the 8 emotions of each actor,
    plus one song file (``03-02-...wav``, which the reader skips); returns ``root``."""
    for actor in actors:
        folder = root / f"Actor_{actor:02d}"
        folder.mkdir(parents=True)
        for emotion in range(1, 9):
            audio = voice(RATE_RAVDESS, 100 + 20 * emotion + 5 * actor, 0.6, rng)
            sf.write(folder / f"03-01-{emotion:02d}-01-01-01-{actor:02d}.flac", audio, RATE_RAVDESS)
        sf.write(folder / f"03-02-01-01-01-01-{actor:02d}.wav", audio, RATE_RAVDESS)
    return root


def write_tess(root: Path, rng: np.random.Generator) -> Path:
    """``root/{OAF,YAF}_{angry,neutral,pleasant_surprise}/<speaker>_back_<emotion>.wav``; returns ``root``."""
    for speaker in ("OAF", "YAF"):
        for emotion in ("angry", "neutral", "pleasant_surprise"):
            folder = root / f"{speaker}_{emotion}"
            folder.mkdir(parents=True)
            sf.write(folder / f"{speaker}_back_{emotion}.wav", voice(RATE_TESS, 220, 0.5, rng), RATE_TESS)
    return root
