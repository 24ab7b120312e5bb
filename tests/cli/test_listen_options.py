"""``listen``'s option checks, before the model loads: --window against the frontend of the model
it will load, and bad stream values as usage errors naming the command."""

from __future__ import annotations

import pytest

from ser_edge.cli.common import model_frontend
from ser_edge.frontend.frames16k.spec import Frames16kSpec
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

from support.cli import run_cli


def test_model_frontend_is_read_from_the_model_file():
    assert isinstance(model_frontend(None), Frames16kSpec)  # the default (v2) model
    assert isinstance(model_frontend("float32"), Frames16kSpec)
    assert isinstance(model_frontend("seed"), MfccMeanSpec)
    assert model_frontend("some/missing.onnx") is None  # the load reports it


def test_a_short_window_names_the_default_models_frontend():
    result = run_cli("listen", "--input", "-", "--rate", "16000", "--mode", "window", "--window", "0.1")
    assert result.returncode == 2
    assert "one STFT frame of the model's frontend is 0.025 s" in result.stderr


def test_a_short_window_with_the_seed_model_names_its_stft_frame():
    result = run_cli("listen", "--model", "seed", "--input", "-", "--rate", "16000", "--mode", "window",
                     "--window", "0.1")
    assert result.returncode == 2
    assert "one STFT frame of the model's frontend is 0.093 s" in result.stderr


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--min-confidence", "2", "listen: stream min_confidence: expected 0..1, got 2.0"),
    ("--queue-seconds", "0", "listen: stream queue_seconds: expected > 0, got 0.0"),
])
def test_a_bad_stream_value_is_a_usage_error_of_listen(option, value, message):
    """StreamSpec refuses the value (ConfigError); listen says so as its own usage error."""
    result = run_cli("listen", "--input", "-", "--rate", "16000", option, value)
    assert result.returncode == 2
    assert result.stderr.strip() == f"ser-edge: {message}"
