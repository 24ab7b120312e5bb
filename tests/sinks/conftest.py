"""Fixtures of the sink tests."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from support.broker import Mosquitto, need_mosquitto, need_paho

#: The password broker's only account (a password with characters a URL must percent-encode).
USER, PASSWORD = "sensor", "s3cr:t p@ss"


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


@pytest.fixture()
def password_broker(tmp_path) -> Iterator[Mosquitto]:
    """A Mosquitto that accepts only ``USER``/``PASSWORD`` (``sensor`` / ``s3cr:t p@ss``), also
    given as its ``user`` and ``password`` attributes."""
    need_paho()
    need_mosquitto()
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd is not installed (Debian package mosquitto)")
    pwfile = tmp_path / "passwd"
    subprocess.run([tool, "-b", "-c", str(pwfile), USER, PASSWORD], check=True, capture_output=True)
    pwfile.chmod(0o600)
    broker = Mosquitto(tmp_path / "b", extra=f"allow_anonymous false\npassword_file {pwfile}").start()
    broker.user, broker.password = USER, PASSWORD
    yield broker
    broker.stop()
