"""Typed errors of the runtime.

Every error a user can cause by giving bad input is a subclass of :class:`SerEdgeError`,
so the command line can print it as one line and go on with the next input.
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
