"""The frontend kinds a model may name: :func:`frontend_from_dict` reads a model's
``ser_edge.frontend`` into the kind's spec, :func:`make_frontend` builds the kind's frontend.

Adding a kind: a folder beside :mod:`.mfcc_mean` and :mod:`.frames16k` with its spec (a
dataclass checked with :mod:`ser_edge.settings`) and a class implementing
:class:`~ser_edge.frontend.protocol.Frontend` (whole buffers and a
:class:`~ser_edge.frontend.protocol.WindowStream`), and an entry in KINDS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ContractError
from .frames16k.frontend import FramesFrontend
from .frames16k.spec import FRAMES16K_TYPE, Frames16kSpec
from .mfcc_mean.frontend import MfccMeanFrontend
from .mfcc_mean.spec import MFCC_MEAN_TYPE, MfccMeanSpec
from .protocol import Frontend, FrontendSpec

#: Frontend kind (the spec's ``type``) -> its spec class and its frontend class.
KINDS: dict[str, tuple[Callable[[Mapping[str, Any]], FrontendSpec], Callable[[Any], Frontend]]] = {
    MFCC_MEAN_TYPE: (MfccMeanSpec.from_dict, MfccMeanFrontend),
    FRAMES16K_TYPE: (Frames16kSpec.from_dict, FramesFrontend),
}


def frontend_from_dict(data: Mapping[str, Any]) -> FrontendSpec:
    """The spec of the frontend kind ``data["type"]`` names (default "mfcc_mean", the seed
    models' kind), built with its ``from_dict``; ContractError for an unknown kind."""
    if not isinstance(data, Mapping):
        raise ContractError(f"frontend: expected a JSON object, got {type(data).__name__}")
    kind = data.get("type", MFCC_MEAN_TYPE)
    if kind not in KINDS:
        raise ContractError(f"frontend type: expected one of {sorted(KINDS)}, got {kind!r}")
    return KINDS[kind][0](data)


def make_frontend(spec: FrontendSpec) -> Frontend:
    """The frontend a model's contract names; ContractError for a kind this runtime lacks."""
    kind = KINDS.get(spec.type)
    if kind is None:
        raise ContractError(f"frontend type: expected one of {tuple(KINDS)}, got {spec.type!r}")
    return kind[1](spec)
