"""The frames16k contract: round trip; every setting checked when built, with the message a user
sees (the shipped models' metadata still loads)."""

from __future__ import annotations

import json

import pytest

from ser_edge.errors import ContractError
from ser_edge.frontend.frames16k.frames import WINDOW_FUNCTIONS
from ser_edge.frontend.frames16k.spec import FRAMES16K_TYPE as FRONTEND_TYPE
from ser_edge.frontend.frames16k.spec import WINDOWS, Frames16kSpec
from ser_edge.model import SHIPPED_MODELS, read_metadata, shipped_model_path

from support.specs import refusals


def test_round_trip_through_json() -> None:
    spec = Frames16kSpec()
    data = json.loads(json.dumps(spec.to_dict()))
    assert data["type"] == FRONTEND_TYPE and data["sample_rate"] == 16000
    assert Frames16kSpec.from_dict(data) == spec


def test_unknown_key_and_type_refused() -> None:
    with pytest.raises(ContractError, match="unknown setting"):
        Frames16kSpec.from_dict({"bogus": 1})
    with pytest.raises(ContractError, match="mfcc_mean"):
        Frames16kSpec.from_dict({"type": "mfcc_mean"})


def test_derived_sizes() -> None:
    spec = Frames16kSpec()
    assert (spec.frame_len, spec.hop, spec.pitch_len, spec.pitch_offset) == (400, 160, 640, 120)


def test_model_spec_parses_the_frontend_by_its_type() -> None:
    from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
    from ser_edge.model.contract import ModelSpec

    labels = json.dumps(["a", "b"])
    frames = ModelSpec.from_metadata({"ser_edge.labels": labels,
                                      "ser_edge.frontend": json.dumps(Frames16kSpec().to_dict())})
    assert frames.frontend == Frames16kSpec() and frames.min_fine_rate == 16000
    seed = ModelSpec.from_metadata({"ser_edge.labels": labels, "ser_edge.frontend": json.dumps({})})
    assert seed.frontend == MfccMeanSpec()
    with pytest.raises(ContractError, match="frontend type.*'frames8k'"):
        ModelSpec.from_metadata({"ser_edge.labels": labels, "ser_edge.frontend": '{"type": "frames8k"}'})
    with pytest.raises(ContractError, match="highfreq"):
        Frames16kSpec(highfreq=9000.0)


#: One bad value of each kind of setting -> the whole message a user sees (``ser-edge info`` or
#: a model load prefixes the file name).
REFUSED = [
    ({"winstep": -0.01}, "frontend winstep: expected a finite number > 0, got -0.01"),
    ({"vad_onset": 5}, "frontend vad_onset: expected a finite number in [0, 1], got 5"),
    ({"window": "kaiser"}, "frontend window: expected one of ['hamming'], got 'kaiser'"),
    ({"nfft": 512.0}, "frontend nfft: expected a whole number >= 1, got 512.0"),
    ({"nfft": True}, "frontend nfft: expected a whole number >= 1, got True"),
    ({"vad_hangover": -1}, "frontend vad_hangover: expected a whole number >= 0, got -1"),
    ({"preemph": "0.97"}, "frontend preemph: expected a finite number in [0, 1], got '0.97'"),
    ({"f0_min": float("nan")}, "frontend f0_min: expected a finite number > 0, got nan"),
    ({"append_energy": 1}, "frontend append_energy: expected true or false, got 1"),
    ({"resampler": "linear"},
     "frontend resampler: expected one of ['kaiser_fast', 'resampy04_kaiser_fast', 'kaiser_best', "
     "'polyphase'], got 'linear'"),
    ({"percentiles": [10, 150]}, "frontend percentiles: expected a list of finite numbers in [0, 100], "
                                 "got [10, 150]"),
    ({"percentiles": []}, "frontend percentiles: expected a list of finite numbers in [0, 100], got []"),
    ({"calibration": 3}, "frontend calibration: expected an object (CalibrationSpec) or null, got 3"),
    ({"f0_min": 600.0}, "frontend: need f0_min < f0_max, got f0_min=600.0, f0_max=500.0"),
]


@pytest.mark.parametrize(("settings", "message"), REFUSED, ids=[repr(s) for s, _ in REFUSED])
def test_every_setting_is_checked_when_built(settings, message) -> None:
    assert refusals(Frames16kSpec, settings) == (message, message)


def test_an_unknown_key_is_refused_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ContractError) as info:
        Frames16kSpec.from_dict({"winstep": 0.01, "hop_seconds": 0.01})
    assert str(info.value).startswith("frontend: unknown setting(s) ['hop_seconds']; known: [")
    assert "'winstep'" in str(info.value)


def test_the_window_setting_is_honoured_and_every_choice_has_a_window() -> None:
    assert set(WINDOWS) == set(WINDOW_FUNCTIONS) == {"hamming"}
    assert Frames16kSpec.from_dict({"window": "hamming"}) == Frames16kSpec()


@pytest.mark.parametrize("name", ["v2", "v2-int8"])  # by name: the default may become another model
def test_the_shipped_models_frontend_metadata_still_loads(name: str) -> None:
    props = read_metadata(shipped_model_path(SHIPPED_MODELS[name]))
    data = json.loads(props["ser_edge.frontend"])
    assert data["window"] == "hamming"
    spec = Frames16kSpec.from_dict(data)
    assert spec.to_dict() == data
