"""Reading the training corpora as distributed: RAVDESS ``Actor_XX/*``, TESS folders and EMOVO
``{f1..m3}/emotion-speaker-sentence`` files.

WAV and FLAC alike (soundfile). Labels are the project's 8 classes. RAVDESS actors 19-24
are never read: they are the project's held-out voices (see ../shared/data/README.md).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from ..core.errors import ExportError

LOGGER = logging.getLogger(__name__)

LABELS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
HELD_OUT_ACTORS = frozenset(range(19, 25))
AUDIO_SUFFIXES = (".wav", ".flac")
RAVDESS_SPEECH_CHANNEL = "01"
TESS_EMOTIONS = {
    "neutral": 0,
    "happy": 2,
    "sad": 3,
    "angry": 4,
    "fear": 5,
    "fearful": 5,
    "disgust": 6,
    "ps": 7,
    "pleasant_surprise": 7,
    "pleasant_surprised": 7,
    "surprise": 7,
}
#: EMOVO's emotion codes (Italian) -> LABELS index; EMOVO has no calm.
EMOVO_EMOTIONS = {"neu": 0, "gio": 2, "tri": 3, "rab": 4, "pau": 5, "dis": 6, "sor": 7}
_EMOVO_NAME = re.compile(r"^([a-z]{3})-([fm]\d)-(\w+)$", re.IGNORECASE)
_RAVDESS_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")
_TESS_FOLDER = re.compile(r"^(OAF|YAF)_(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Clip:
    """One labelled recording: ``label`` indexes LABELS; ``speaker`` e.g. 'ravdess_05', 'tess_OAF'."""

    path: Path
    speaker: str
    label: int
    corpus: str


def _audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())


def scan_ravdess(root: Path) -> list[Clip]:
    """Speech clips of ``root/Actor_XX/*.wav|flac`` (song and actors 19-24 skipped)."""
    clips: list[Clip] = []
    for folder in sorted(Path(root).glob("Actor_*")):
        for path in _audio_files(folder):
            match = _RAVDESS_NAME.match(path.stem)
            if not match or match.group(2) != RAVDESS_SPEECH_CHANNEL:
                continue
            actor = int(match.group(7))
            if actor in HELD_OUT_ACTORS:
                LOGGER.warning("skipping %s: RAVDESS actor %d is held out", path.name, actor)
                continue
            clips.append(Clip(path, f"ravdess_{actor:02d}", int(match.group(3)) - 1, "ravdess"))
    return clips


def scan_tess(root: Path) -> list[Clip]:
    """Clips of ``root/{OAF,YAF}_<emotion>/*.wav|flac``; the label is the folder's emotion."""
    clips: list[Clip] = []
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        match = _TESS_FOLDER.match(folder.name)
        emotion = match.group(2).lower() if match else ""
        if emotion not in TESS_EMOTIONS:
            LOGGER.warning("skipping folder %s: not a TESS emotion folder", folder.name)
            continue
        speaker = f"tess_{match.group(1).upper()}"
        clips.extend(Clip(p, speaker, TESS_EMOTIONS[emotion], "tess") for p in _audio_files(folder))
    return clips


def scan_emovo(root: Path) -> list[Clip]:
    """Clips of ``root/<speaker>/<emotion>-<speaker>-<sentence>.wav|flac`` (speakers f1..m3);
    the speaker is ``emovo_<speaker>`` as the file name spells it; unknown names are skipped."""
    clips: list[Clip] = []
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        for path in _audio_files(folder):
            match = _EMOVO_NAME.match(path.stem)
            if not match or match.group(1).lower() not in EMOVO_EMOTIONS:
                LOGGER.warning("skipping %s: not an EMOVO emotion-speaker-sentence name", path.name)
                continue
            label = EMOVO_EMOTIONS[match.group(1).lower()]
            clips.append(Clip(path, f"emovo_{match.group(2).lower()}", label, "emovo"))
    return clips


def scan_corpora(ravdess: Path, tess: Path | None, command: str, emovo: Path | None = None) -> list[Clip]:
    """The clips of ``ravdess`` (+ ``tess``, + ``emovo``); :class:`ExportError` (naming
    ``command`` and the option) for a missing folder, no RAVDESS speech clip or no EMOVO clip."""
    for option, folder in (("--ravdess", ravdess), ("--tess", tess), ("--emovo", emovo)):
        if folder is not None and not folder.is_dir():
            raise ExportError(f"{command}: {option} {folder}: not a folder")
    clips = scan_ravdess(ravdess)
    if not clips:
        raise ExportError(f"{command}: --ravdess {ravdess}: no RAVDESS speech clips of actors 1-18 "
                          "(expected Actor_XX/03-01-*.wav or .flac)")
    extra = scan_emovo(emovo) if emovo else []
    if emovo and not extra:
        raise ExportError(f"{command}: --emovo {emovo}: no EMOVO clips (expected "
                          "<speaker>/<emotion>-<speaker>-<sentence>.wav or .flac, e.g. f1/neu-f1-b1.flac)")
    return clips + (scan_tess(tess) if tess else []) + extra


def read_16k(path: Path, sample_rate: int = 16000) -> np.ndarray:
    """Mono float64 samples at ``sample_rate`` (channel mean; scipy.signal.resample_poly)."""
    audio, rate = sf.read(str(path), dtype="float64", always_2d=True)
    mono = audio.mean(axis=1)
    if rate == sample_rate:
        return mono
    div = gcd(int(rate), sample_rate)
    return resample_poly(mono, sample_rate // div, int(rate) // div)
