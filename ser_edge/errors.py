"""Typed errors of the runtime.

Every error a user can cause by giving bad input is a subclass of :class:`SerEdgeError`,
so the command line can print it as one line and go on with the next input::

    SerEdgeError            expected failures; the message names the input and the problem
      AudioError            an audio file, buffer, PCM stream or sample rate cannot be used
      ModelError            a model file cannot be used (missing, not ONNX, fails its probe)
        ContractError       its ``ser_edge.*`` metadata is missing or malformed (names the key)
      ConfigError           a setting the caller chose is out of range (e.g. StreamSpec)
        CalibrationError    a calibration file is unusable, or the model has no calibration
      DeviceError           an input device cannot be found, opened or kept open
      MissingExtraError     an optional package is missing (names the pip extra)

The command line exits 2 for ModelError, ConfigError and MissingExtraError (fix the command
or the installation), 1 for the others (this input failed).
"""

from __future__ import annotations


class SerEdgeError(Exception):
    """Base class: an expected failure caused by input, configuration or the device."""


class AudioError(SerEdgeError):
    """An audio file or buffer cannot be read or used (missing, empty, corrupt, too short)."""


class ModelError(SerEdgeError):
    """A model file is missing, not ONNX, or disagrees with its own metadata."""


class ContractError(ModelError):
    """A model's ``ser_edge.*`` metadata is missing or malformed (names the key)."""


class ConfigError(SerEdgeError):
    """A setting chosen by the caller (stream settings, options) is out of range; not a model error."""


class CalibrationError(ConfigError):
    """A calibration state cannot be used: its file is not JSON, not a ser-edge calibration,
    made for another model or holds bad values, or the model has no speaker calibration."""


class DeviceError(SerEdgeError):
    """An audio input device cannot be found, opened or kept open."""


class MissingExtraError(SerEdgeError):
    """An optional dependency is not installed; the message names the pip extra."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"the optional package '{module}' is not installed: pip install 'ser-edge[{extra}]'"
        )
        self.module = module
        self.extra = extra
