"""Options are checked before the model loads: a usage error is one line and exit status 2.

In-process (``main([...])``) with the model loader replaced by one that fails the test, so a
usage error that is only found after loading shows up as "internal error" and status 1.
"""

from __future__ import annotations

import logging

import pytest

from ser_edge.cli.common import HANDLER_NAME
from ser_edge.cli.main import main


@pytest.fixture(autouse=True)
def restore_logging():
    """main() configures the ser_edge loggers: undo it after each test."""
    loggers = [logging.getLogger("ser_edge"), logging.getLogger("ser_edge.cli")]
    levels = [lg.level for lg in loggers]
    yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)
        for handler in [h for h in lg.handlers if h.get_name() == HANDLER_NAME]:
            lg.removeHandler(handler)


@pytest.fixture()
def no_model(monkeypatch):
    """Loading a model fails the test (the options must be refused before)."""
    from ser_edge.classifier import EmotionClassifier
    from ser_edge.model import EmotionModel

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded before the options were checked")

    monkeypatch.setattr(EmotionClassifier, "load", classmethod(refuse))
    monkeypatch.setattr(EmotionModel, "load", classmethod(refuse))


def usage_error(capsys, *argv: str) -> str:
    """Run ``ser-edge ARGV``; assert exit status 2 with one stderr line; return that line."""
    try:
        status = main(["listen", "--model", "/no/such/model.onnx", *argv] if argv[0].startswith("-")
                      else list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err and "internal error" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(("argv", "expected"), [
    (["--ha-discovery"], "--ha-discovery needs --mqtt URL"),
    (["--ha-discovery", "--mqtt-client-id", "x"], "--ha-discovery/--mqtt-client-id need --mqtt URL"),
    (["--mqtt", "mqtts://127.0.0.1:1/x", "--mqtt-ca", "/no/such/ca.pem"], "expected an existing PEM file"),
    (["--mqtt", "mqtt://127.0.0.1:1/x", "--mqtt-client-id", "x", "--mqtt-cert", "/no/such.pem"], "PEM"),
    (["--input", "-", "--rate", "16000", "--channels", "0"], "--channels"),
    (["--input", "-"], "needs --rate"),
])
def test_listen_usage_errors_win_over_a_missing_model(capsys, no_model, argv, expected):
    assert expected in usage_error(capsys, *argv)


@pytest.mark.parametrize(("argv", "expected"), [
    (["--smooth", "3"], "--smooth applies only to --mode window"),
    (["--window", "2", "--hop", "1"], "--hop/--window apply only to --mode window"),
    (["--input", "talk.wav", "--device", "0"], "--device applies to a microphone, not to --input"),
    (["--input", "talk.wav", "--rate", "16000"], "--rate applies to raw PCM on stdin"),
    (["--input", "talk.wav", "--channels", "2"], "--channels applies only to raw PCM on stdin (--input -)"),
    (["--input", "talk.wav", "--format", "f32le"], "--format applies only to raw PCM on stdin"),
    (["--format", "f32le", "--channels", "2"], "--channels/--format apply only to raw PCM on stdin"),
    (["--input", "-", "--rate", "16000", "--realtime"], "--realtime applies only to --input FILE"),
    (["--input", "talk.wav", "--retry", "2"], "--retry applies only to a device"),
    (["--mode", "window", "--window", "0.05"], "expected --window >= 0.27"),
    (["--mode", "window", "--window", "0.26"], "expected --window >= 0.27"),
    (["--mode", "window", "--window", "0"], "--window: expected a number of seconds > 0"),
    (["--mode", "window", "--hop", "0"], "--hop: expected a number of seconds > 0"),
    (["--mode", "window", "--hop", "-1"], "--hop: expected a number of seconds > 0"),
    (["--mode", "window", "--window", "2", "--hop", "3"], "--hop 3 is longer than --window 2"),
])
def test_options_that_do_not_apply_are_usage_errors(capsys, no_model, argv, expected):
    line = usage_error(capsys, *argv)
    assert line.startswith("ser-edge: listen: ") and expected in line, line


def test_the_smallest_window_is_named_with_where_it_comes_from(capsys, no_model):
    line = usage_error(capsys, "--mode", "window", "--window", "0.05")
    assert "a window with speech holds 0.25 s of voiced 20 ms frames" in line
    assert "STFT" not in line  # --model names a missing file: no frontend to name (the load says so)


def test_threads_0_is_a_usage_error_about_threads(capsys, no_model):
    line = usage_error(capsys, "classify", "--threads", "0", "x.wav")
    assert "--threads" in line and "expected a whole number >= 1, got '0'" in line


def test_a_misspelt_option_shows_the_subcommand_usage_and_a_suggestion(capsys, no_model):
    with pytest.raises(SystemExit) as info:
        main(["classify", "--jsn", "x.wav"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith("usage: ser-edge classify ")
    assert "unrecognized arguments: --jsn; did you mean --json?" in err


@pytest.mark.parametrize("argv", [["-v", "listen"], ["listen", "-v"], ["--verbose", "listen", "-v"]])
def test_verbose_works_before_and_after_the_subcommand(capsys, no_model, argv):
    main([*argv, "--smooth", "2"])  # a usage error: nothing runs, but logging is configured
    assert logging.getLogger("ser_edge").level == logging.INFO
    assert "--smooth" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "level"), [([], logging.WARNING), (["-q"], logging.ERROR),
                                              (["-vv"], logging.DEBUG)])
def test_quiet_and_default_levels(capsys, no_model, argv, level):
    main(["listen", *argv, "--smooth", "2"])
    assert logging.getLogger("ser_edge").level == level
    cli_level = logging.getLogger("ser_edge.cli").level
    assert cli_level == (logging.ERROR if "-q" in argv else min(level, logging.INFO))
