"""Fixtures of the sink tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class Logs:
    """The messages the ``ser_edge`` loggers wrote so far (all levels), iterable as strings."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.caplog.messages))

    def at(self, level: int) -> list[str]:
        return [r.getMessage() for r in list(self.caplog.records) if r.levelno == level]


@pytest.fixture()
def logs(caplog: pytest.LogCaptureFixture) -> Logs:
    caplog.set_level(logging.DEBUG, logger="ser_edge")
    return Logs(caplog)
