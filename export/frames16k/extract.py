"""Features of every clip and augmentation variant with the runtime's frontend, cached on disk.

The cache key is the clip's content hash (SHA-1 of the file bytes) plus a hash of the frontend
parameters and the augmentation recipe, so renamed or moved corpora reuse it and any parameter
change recomputes. The speech mask comes from the detector on the clean clip and is mapped
onto each variant (time-scaled for speed changes). The babble variant overlaps other recordings
of the clip's own speaker (never another speaker's: no protocol can hear a held-out voice through
them). Work is spread over processes (tqdm).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ser_edge.frontend.frames16k.frames import compute_frames
from ser_edge.frontend.frames16k.pooling import frame_functionals
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.frontend.frames16k.vad import ChunkProbabilities, detect_speech

from .augment import BABBLE_TALKERS, TALKER_VARIANTS, VARIANTS, time_scale
from .corpus import Clip, read_16k

LOGGER = logging.getLogger(__name__)
AUGMENT_VERSION = 2
FALLBACK_RANGE = 3.5  # natural-log units (~30 dB) below the loudest frame when no speech is found
_READ_BLOCK = 1 << 20
_WORKER: dict[str, object] = {}


@dataclass(frozen=True)
class ClipFeatures:
    """Cached features of one clip: per variant name, logmel (T, n_mels) float16, the speech
    mask (T,) bool and the speech-only ``frame_functionals`` (F,) float32; ``all_frames`` holds
    them over every frame of the clean clip (pooling ablation). The band functionals are
    computed from the cached log-mel when the dataset is built."""

    logmel: dict[str, np.ndarray]
    mask: dict[str, np.ndarray]
    func: dict[str, np.ndarray]
    all_frames: np.ndarray
    vad_found: bool


def file_hash(path: Path) -> str:
    """SHA-1 of a file's bytes (hex)."""
    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def recipe_hash(spec: Frames16kSpec) -> str:
    """Hash of the frontend parameters and the augmentation recipe (names + version)."""
    recipe = {"frontend": spec.to_dict(), "variants": list(VARIANTS), "augment": AUGMENT_VERSION}
    return hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def _map_mask(mask: np.ndarray, n_out: int, scale: float) -> np.ndarray:
    idx = np.minimum((np.arange(n_out) / scale).astype(int), len(mask) - 1)
    return mask[idx]


def _talkers(others: Sequence[Path], seed: int, sample_rate: int) -> list[np.ndarray]:
    """Up to BABBLE_TALKERS[1] of ``others`` (the speaker's other recordings), read at
    ``sample_rate``; the choice is seeded by the clip."""
    pick = np.random.default_rng([seed, len(VARIANTS)]).permutation(len(others))[: BABBLE_TALKERS[1]]
    return [read_16k(others[i], sample_rate) for i in sorted(pick)]


def compute_clip(clip: Clip, spec: Frames16kSpec, seed: int, probs: ChunkProbabilities,
                 others: Sequence[Path] = ()) -> ClipFeatures:
    """Read, augment and featurise one clip (see the module docstring); ``others``: the paths of
    the speaker's other recordings, for the babble variants."""
    x = read_16k(clip.path, spec.sample_rate)
    clean = compute_frames(x, spec)
    mask = detect_speech(x, len(clean), spec, probs)
    found = bool(mask.sum() >= spec.min_speech_frames)
    if not found:
        mask = clean.log_energy > clean.log_energy.max() - FALLBACK_RANGE
    logmel, masks, func = {}, {}, {}
    talkers = _talkers(others, seed, spec.sample_rate)
    for k, (name, variant) in enumerate(VARIANTS.items()):
        if name in TALKER_VARIANTS:
            variant = partial(variant, talkers=talkers)
        y = variant(x, np.random.default_rng([seed, k]))
        block = clean if name == "clean" else compute_frames(y, spec)
        m = (
            mask
            if len(block) == len(clean)
            else _map_mask(mask, len(block), time_scale(len(clean), len(block)))
        )
        logmel[name], masks[name] = block.logmel.astype(np.float16), m
        func[name] = frame_functionals(block, m, spec)
    every = frame_functionals(clean, np.ones(len(clean), dtype=bool), spec)
    return ClipFeatures(logmel, masks, func, every, found)


def _save(path: Path, feats: ClipFeatures) -> None:
    arrays = {"all_frames": feats.all_frames, "vad_found": np.array(feats.vad_found)}
    for name in feats.logmel:
        arrays.update(
            {
                f"logmel/{name}": feats.logmel[name],
                f"mask/{name}": feats.mask[name],
                f"func/{name}": feats.func[name],
            }
        )
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def _load(path: Path) -> ClipFeatures:
    with np.load(path) as data:
        names = [k.split("/", 1)[1] for k in data.files if k.startswith("logmel/")]
        return ClipFeatures(
            {n: data[f"logmel/{n}"] for n in names},
            {n: data[f"mask/{n}"] for n in names},
            {n: data[f"func/{n}"] for n in names},
            data["all_frames"],
            bool(data["vad_found"]),
        )


def _work(job: tuple[Clip, Frames16kSpec, Path, tuple[Path, ...]]) -> ClipFeatures:
    clip, spec, cache_dir, others = job
    content = file_hash(clip.path)
    path = cache_dir / f"{content[:20]}_{recipe_hash(spec)}.npz"
    if path.exists():
        return _load(path)
    if "probs" not in _WORKER:
        _WORKER["probs"] = ChunkProbabilities(spec)
    feats = compute_clip(clip, spec, int(content[:8], 16), _WORKER["probs"], others)  # type: ignore[arg-type]
    _save(path, feats)
    return feats


def extract_all(clips: list[Clip], spec: Frames16kSpec, cache_dir: Path,
                workers: int = 2) -> list[ClipFeatures]:
    """Features of every clip, in order (cached; ``workers`` processes; tqdm progress)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    by_speaker: dict[str, list[Path]] = {}
    for c in clips:
        by_speaker.setdefault(c.speaker, []).append(c.path)
    jobs = [(c, spec, cache_dir, tuple(sorted(p for p in by_speaker[c.speaker] if p != c.path)))
            for c in clips]
    if workers <= 1:
        return [_work(j) for j in tqdm(jobs, desc="features", unit="clip")]
    with Pool(workers) as pool:
        out = list(tqdm(pool.imap(_work, jobs, chunksize=4), total=len(jobs), desc="features", unit="clip"))
    missing = sum(not f.vad_found for f in out)
    if missing:
        LOGGER.warning("%d clips had no speech by the detector; used an energy fallback mask", missing)
    return out
