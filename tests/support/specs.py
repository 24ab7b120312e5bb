"""Checking a spec's refusals: the message a user sees, built in code and read from a file."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from ser_edge.errors import ContractError


def refusals(cls: type, settings: Mapping[str, object]) -> tuple[str, str]:
    """The ContractError messages of ``cls(**settings)`` and of ``cls.from_dict(settings)``
    (each must raise)."""
    with pytest.raises(ContractError) as built:
        cls(**settings)
    with pytest.raises(ContractError) as parsed:
        cls.from_dict(settings)
    return str(built.value), str(parsed.value)
