"""The energy gate at the start of a stream, and the DC blocker without scipy.signal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ser_edge.audio.read import read_audio
from ser_edge.classifier import EmotionClassifier
from ser_edge.segment.gate import DCBlocker
from ser_edge.stream import FileSource, listen, timeline

from support.paths import EXAMPLES, need
from support.signals import noise, write_wav


@pytest.fixture(scope="module")
def classifier(shipped_model: Path) -> EmotionClassifier:
    return EmotionClassifier.load(shipped_model)


def steady_vowel(seconds: float, rate: int) -> np.ndarray:
    """Harmonics of 140 Hz at about -30 dBFS with a shallow 4 Hz envelope (about 9 dB deep):
    louder than the start threshold only against a floor from before the speech."""
    t = np.arange(int(round(seconds * rate))) / rate
    tone = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 25))
    return (0.03 * tone * (0.65 + 0.35 * np.cos(2 * np.pi * 4 * t))).astype(np.float32)


def _both_ways(classifier: EmotionClassifier, x: np.ndarray, rate: int, tmp_path: Path) -> list[list]:
    """The events of ``x`` through timeline() and through listen() on a FileSource of it."""
    in_memory = timeline(classifier, x, rate)
    with FileSource(write_wav(tmp_path / "clip.wav", x, rate)) as source:
        streamed = list(listen(source, classifier))
    return [in_memory, streamed]


def test_speech_from_the_first_sample_is_heard(classifier: EmotionClassifier, tmp_path: Path) -> None:
    """Regression: the noise floor included the frame being decided, so at the start of a
    stream the floor was the speech itself and this gave no utterance at all."""
    rate = 16000
    x = np.concatenate([steady_vowel(1.5, rate), noise(1.0, rate, -70.0)])
    for events in _both_ways(classifier, x, rate, tmp_path):
        assert len(events) == 1 and events[0].start == 0.0 and events[0].end == pytest.approx(1.5, abs=0.05)


def test_a_clip_trimmed_to_its_first_loud_sample_is_heard(classifier: EmotionClassifier,
                                                          tmp_path: Path) -> None:
    """Regression: the clip trimmed at its first loud sample (half its peak) was heard from
    0.32 s only (0 utterances when cut to 0.8 s); the same clip shifted by 3 s from its start."""
    x, rate = read_audio(need(EXAMPLES) / "03-01-01-01-01-02-05.wav")
    trimmed = x[int(np.flatnonzero(np.abs(x) >= 0.5 * np.abs(x).max())[0]):]
    for events in _both_ways(classifier, trimmed, rate, tmp_path):
        assert len(events) == 1 and events[0].start < 0.05
    short = trimmed[:int(0.8 * rate)]
    assert len(timeline(classifier, short, rate)) == 1


def test_steady_noise_from_the_first_sample_is_not_speech(classifier: EmotionClassifier) -> None:
    """The floor assumed before anything is heard lets one frame through, never an utterance."""
    for level in (-45.0, -30.0, -15.0):
        assert timeline(classifier, noise(6.0, 16000, level), 16000) == []


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_dc_blocker_equals_lfilter(rate: int) -> None:
    """The numpy one-pole filter equals scipy's lfilter with carried state (to 1e-12)."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(rate)
    x = (0.3 * rng.standard_normal(3 * rate) + 0.5).astype(np.float32)
    blocker = DCBlocker(rate)
    got = np.concatenate([blocker(x[a:b]) for a, b in zip([0, 1, 7, 5000, 11000], [1, 7, 5000, 11000, len(x)],
                                                            strict=True)])
    ref = lfilter([1.0, -1.0], [1.0, -blocker.pole], x.astype(np.float64))
    assert np.abs(got - ref).max() <= 1e-12
    blocker.reset()
    assert np.abs(blocker(x) - ref).max() <= 1e-12 and blocker(np.zeros(0)).size == 0


LISTEN_PATH = """
import sys
import numpy as np
from scipy.io import wavfile
from ser_edge import EmotionClassifier
from ser_edge.stream import FileSource, listen
rate = 48000
t = np.arange(3 * rate) / rate
x = np.where((t > 1) & (t < 2), 0.3 * np.sin(2 * np.pi * 200 * t), 1e-4).astype(np.float32)
wavfile.write(sys.argv[1], rate, x)
for model in (None, "seed"):  # the default (v2) model hears no speech in a tone; the seed model does
    with FileSource(sys.argv[1]) as source:
        print(len(list(listen(source, EmotionClassifier.load(model)))))
print("scipy.signal" in sys.modules)
"""


def test_the_listen_path_does_not_import_scipy_signal(tmp_path: Path) -> None:
    """importing scipy.signal costs ~0.6 s and ~70 MB: nothing on the listen path needs it."""
    proc = subprocess.run([sys.executable, "-c", LISTEN_PATH, str(tmp_path / "tone.wav")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "1", "False"]
