"""``listen`` checks --window against the frontend of the model it will load, before loading it."""

from __future__ import annotations

from ser_edge.cli.listen import model_frontend
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
