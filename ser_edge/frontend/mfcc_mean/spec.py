"""MfccMeanSpec: the contract of the ``mfcc_mean`` kind, how raw audio becomes the model's input
vector (stored as ``ser_edge.frontend`` in the model file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...audio.resample import METHODS
from ...errors import ContractError
from ...settings import check_settings, parse_settings, setting, settings_dict

#: The kind's name (``MfccMeanSpec.type``; a model file without ``type`` is of this kind).
MFCC_MEAN_TYPE = "mfcc_mean"
#: Frame padding modes (numpy's ``np.pad``) the frontend accepts with ``center``.
PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect",
             "symmetric", "wrap")


@dataclass(frozen=True)
class MfccMeanSpec:
    """The seed-compatible frontend: the mean over frames of librosa-exact MFCCs.

    Defaults are the original project's features: the mean over frames of 40 MFCCs of
    audio resampled to 22050 Hz with resampy's ``kaiser_fast`` filter, exactly as
    ``librosa.feature.mfcc(y, sr=22050, n_mfcc=40)`` with the ``reflect`` frame padding
    of librosa < 0.10. All times are in samples at ``sample_rate``; frequencies in Hz.
    Every setting is checked when the spec is built (:mod:`ser_edge.settings`).
    """

    type: str = setting(MFCC_MEAN_TYPE, "choice", choices=(MFCC_MEAN_TYPE,))
    sample_rate: int = setting(22050, "whole", low=1)
    n_mfcc: int = setting(40, "whole", low=1)
    n_fft: int = setting(2048, "whole", low=1)
    hop_length: int = setting(512, "whole", low=1)
    win_length: int = setting(2048, "whole", low=1)
    window: str = setting("hann", "name", hint="a window name like 'hann'")
    center: bool = setting(True, "flag")
    pad_mode: str = setting("reflect", "choice", choices=PAD_MODES)
    power: float = setting(2.0, "real", low=0, above=True)
    n_mels: int = setting(128, "whole", low=1)
    fmin: float = setting(0.0, "real", low=0)
    fmax: float = setting(11025.0, "real", low=0, above=True)
    htk: bool = setting(False, "flag")
    mel_norm: str | None = setting("slaney", "choice", choices=("slaney", None, "none"))
    ref: float = setting(1.0, "real", low=0, above=True)
    amin: float = setting(1e-10, "real", low=0, above=True)
    top_db: float | None = setting(80.0, "real", low=0, optional=True)
    dct_type: int = setting(2, "choice", choices=(1, 2, 3, 4))
    dct_norm: str | None = setting("ortho", "choice", choices=("ortho", None))
    #: "kaiser_fast" is resampy <= 0.2.2's filter, the one that made the training features;
    #: "resampy04_kaiser_fast" is what librosa.load(res_type="kaiser_fast") gives with resampy >= 0.3.
    resampler: str = setting("kaiser_fast", "choice", choices=METHODS)

    def __post_init__(self) -> None:
        check_settings(self, "frontend")
        if not 0 <= self.fmin < self.fmax <= self.sample_rate / 2:
            raise ContractError(
                f"frontend: need 0 <= fmin < fmax <= sample_rate/2, got fmin={self.fmin}, "
                f"fmax={self.fmax}, sample_rate={self.sample_rate}"
            )
        if self.n_mfcc > self.n_mels:
            raise ContractError(f"frontend: n_mfcc ({self.n_mfcc}) > n_mels ({self.n_mels})")
        if self.win_length > self.n_fft:
            raise ContractError(f"frontend: win_length ({self.win_length}) > n_fft ({self.n_fft})")

    @property
    def n_features(self) -> int:
        """Length of the feature vector the model takes (one value per MFCC)."""
        return self.n_mfcc

    @property
    def analysis_samples(self) -> int:
        """Samples of one analysis (STFT) frame at ``sample_rate``: the shortest audio with features."""
        return self.n_fft

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MfccMeanSpec:
        """Build from a JSON object; unknown keys and bad values raise :class:`ContractError`.

        ``"mono": "mean"`` (written by export 0.1.0, the shipped models included) is read for
        compatibility: channels are always averaged, so "mean" is its only valid value.
        """
        if isinstance(data, Mapping) and "mono" in data:
            if data["mono"] != "mean":
                raise ContractError(f"frontend mono: expected 'mean' (channels are averaged), "
                                    f"got {data['mono']!r}")
            data = {k: v for k, v in data.items() if k != "mono"}
        return parse_settings(cls, data, "frontend")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every setting."""
        return settings_dict(self)
