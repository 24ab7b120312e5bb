"""``listen``'s MQTT options on the command line: usage errors before anything connects, no
password in any message."""

from __future__ import annotations

import argparse

import pytest

from ser_edge.cli.common import UsageError
from ser_edge.cli.mqtt import add_mqtt_options, sink_from_args


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ser-edge listen")
    add_mqtt_options(parser)
    return parser


def test_cli_options_without_mqtt_give_no_sink_or_a_clear_error():
    assert sink_from_args(_parser().parse_args([])) is None
    with pytest.raises(UsageError, match="--ha-discovery needs --mqtt URL"):
        sink_from_args(_parser().parse_args(["--ha-discovery"]))


def test_cli_bad_url_is_a_usage_error_without_the_password(capsys):
    with pytest.raises(SystemExit) as info:
        _parser().parse_args(["--mqtt", "mqtp://user:hunter2@host/x"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "expected the scheme mqtt:// or mqtts://" in err and "hunter2" not in err


def test_cli_tls_files_need_mqtts(tmp_path):
    pem = tmp_path / "ca.pem"
    pem.write_text("x")
    args = _parser().parse_args(["--mqtt", "mqtt://127.0.0.1:1/x", "--mqtt-ca", str(pem)])
    with pytest.raises(UsageError, match="need an mqtts:// URL, got mqtt://127.0.0.1:1/x"):
        sink_from_args(args)
