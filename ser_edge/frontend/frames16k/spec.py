"""Frames16kSpec: the contract of the ``frames16k`` kind (the default models): frame features,
pitch tracker, speech detector and pooling (stored as ``ser_edge.frontend`` in the model file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...audio.resample import METHODS
from ...config import CalibrationSpec
from ...errors import ContractError
from ...settings import check_settings, parse_settings, setting, settings_dict

#: The kind's name (``Frames16kSpec.type``). A file keeps its meaning only if Frames16kSpec's
#: defaults never change: change a default only together with this name.
FRAMES16K_TYPE = "frames16k"
#: The analysis windows the frames take (numpy's symmetric ``np.hamming``: the only one; the
#: setting is in every model file, so it is checked rather than ignored).
WINDOWS = ("hamming",)


def whole(default: int, low: int = 0) -> Any:
    """A whole-number setting >= ``low``."""
    return setting(default, "whole", low=low)


def real(default: float, low: float | None = None, high: float | None = None, above: bool = False) -> Any:
    """A finite-number setting within [``low``, ``high``] (``above``: ``low`` excluded)."""
    return setting(default, "real", low=low, high=high, above=above)


@dataclass(frozen=True)
class Frames16kSpec:
    """Parameters of the frame features, the pitch tracker, the speech detector and pooling.

    Times are in seconds, frequencies in Hz, levels in dB re full scale (dBFS, float audio in
    [-1, 1]). Frame ``i`` starts at sample ``i * hop`` (``hop = winstep * sample_rate``).
    Every setting is checked when the spec is built (:mod:`ser_edge.settings`).
    """

    type: str = setting(FRAMES16K_TYPE, "choice", choices=(FRAMES16K_TYPE,))
    sample_rate: int = whole(16000, low=1)
    # scipy.signal.resample_poly in numpy (ser_edge/audio/resample)
    resampler: str = setting("polyphase", "choice", choices=METHODS)
    # python_speech_features.fbank / mfcc
    winlen: float = real(0.025, low=0, above=True)
    winstep: float = real(0.01, low=0, above=True)
    nfft: int = whole(512, low=1)
    n_mels: int = whole(64, low=1)
    lowfreq: float = real(0.0, low=0)
    highfreq: float = real(8000.0, low=0, above=True)
    preemph: float = real(0.97, low=0, high=1)
    window: str = setting("hamming", "choice", choices=WINDOWS)
    n_mfcc: int = whole(13, low=1)
    ceplifter: int = whole(22)
    append_energy: bool = setting(True, "flag")
    delta_n: int = whole(2, low=1)
    rolloff_fraction: float = real(0.85, low=0, high=1, above=True)
    # YIN pitch
    pitch_winlen: float = real(0.04, low=0, above=True)
    f0_min: float = real(60.0, low=0, above=True)
    f0_max: float = real(500.0, low=0, above=True)
    yin_threshold: float = real(0.2, low=0, high=1, above=True)
    pitch_min_rms_db: float = real(-100.0)
    semitone_ref_hz: float = real(55.0, low=0, above=True)
    # speech detection (energy pre-gate + Silero VAD, silero.py)
    vad_chunk: int = whole(512, low=1)
    vad_gate_db: float = real(-85.0)
    vad_agc_target_db: float = real(-20.0)
    vad_agc_max_gain_db: float = real(40.0, low=0)
    vad_agc_decay_db: float = real(0.05, low=0)
    vad_gate_hangover: int = whole(4)
    vad_onset: float = real(0.5, low=0, high=1)
    vad_offset: float = real(0.35, low=0, high=1)
    vad_hangover: int = whole(3)
    speech_pad_frames: int = whole(10)
    min_speech_frames: int = whole(20)
    # pooling
    band_mean_removal: bool = setting(True, "flag")
    percentiles: tuple[float, ...] = setting((10.0, 50.0, 90.0), "reals", low=0, high=100)
    # speaker/device calibration (None: the model has none); not part of the frame features
    calibration: CalibrationSpec | None = setting(None, "spec", spec=CalibrationSpec, optional=True)

    def __post_init__(self) -> None:
        check_settings(self, "frontend")
        if not self.lowfreq < self.highfreq <= self.sample_rate / 2:
            raise ContractError(f"frontend: need 0 <= lowfreq < highfreq <= sample_rate/2, got lowfreq="
                                f"{self.lowfreq}, highfreq={self.highfreq}, sample_rate={self.sample_rate}")
        if not self.f0_min < self.f0_max:
            raise ContractError(f"frontend: need f0_min < f0_max, got f0_min={self.f0_min}, "
                                f"f0_max={self.f0_max}")

    @property
    def frame_len(self) -> int:
        """Samples per spectral frame (``winlen * sample_rate``, rounded half up)."""
        return int(self.winlen * self.sample_rate + 0.5)

    @property
    def analysis_samples(self) -> int:
        """Samples of one analysis frame (:attr:`frame_len`), as :attr:`MfccMeanSpec.analysis_samples`."""
        return self.frame_len

    @property
    def hop(self) -> int:
        """Samples between frame starts (``winstep * sample_rate``, rounded half up)."""
        return int(self.winstep * self.sample_rate + 0.5)

    @property
    def pitch_len(self) -> int:
        """Samples per pitch frame; pitch frame ``i`` is centred on spectral frame ``i``."""
        return int(self.pitch_winlen * self.sample_rate + 0.5)

    @property
    def pitch_offset(self) -> int:
        """Samples of zeros before the signal so that pitch frames share the frame centres."""
        return (self.pitch_len - self.frame_len) // 2

    @property
    def fmax(self) -> float:
        """Top of the band the features use (Hz): ``highfreq`` (as :attr:`MfccMeanSpec.fmax`)."""
        return self.highfreq

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping of every field (tuples become lists); ``calibration`` only when set."""
        return settings_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Frames16kSpec:
        """Build from a mapping (e.g. a model's ``ser_edge.frontend``); unknown keys and bad
        values raise :class:`ContractError` naming the setting."""
        return parse_settings(cls, data, "frontend")
