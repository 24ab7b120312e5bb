"""Speaker/device calibration: CalibrationSpec (the model's "calibration" contract) and the
Calibration state (shrunk statistics, files). Issue 15; notes in ser_edge/calibration.py."""

from __future__ import annotations

import json
import math

import pytest

from ser_edge.config import CalibrationSpec, FrameSpec
from ser_edge.errors import ContractError


def spec_dict(**overrides: object) -> dict:
    data = {"statistics": "functionals", "mean_input": "speaker_mean", "std_input": "speaker_std",
            "output": "probs_calibrated", "prior_utterances": 10.0, "min_utterances": 1,
            "mean": [0.0, 1.0, -2.0], "std": [1.0, 0.5, 2.0]}
    data.update(overrides)
    return data


def test_calibration_spec_round_trips_through_the_frontend_metadata():
    spec = FrameSpec(calibration=CalibrationSpec.from_dict(spec_dict()))
    text = json.dumps(spec.to_dict())
    back = FrameSpec.from_dict(json.loads(text))
    assert back == spec
    assert back.calibration.mean == (0.0, 1.0, -2.0) and back.calibration.n_statistics == 3
    assert json.loads(text)["calibration"]["std"] == [1.0, 0.5, 2.0]


def test_frame_spec_without_calibration_serialises_as_before():
    assert "calibration" not in FrameSpec().to_dict()
    assert FrameSpec.from_dict(FrameSpec().to_dict()).calibration is None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"std": [1.0, 0.5]}, "mean has 3 values, std 2"),
    ({"std": [1.0, 0.0, 2.0]}, "std: expected > 0"),
    ({"std": [1.0, -1.0, 2.0]}, "std: expected > 0"),
    ({"mean": [0.0, math.nan, 1.0]}, "mean[1]: expected a finite number"),
    ({"std": [1.0, math.inf, 1.0]}, "std[1]: expected a finite number"),
    ({"prior_utterances": 0}, "prior_utterances: expected a finite number > 0"),
    ({"prior_utterances": -3.0}, "prior_utterances"),
    ({"min_utterances": 0}, "min_utterances: expected a whole number >= 1"),
    ({"min_utterances": 1.5}, "min_utterances"),
    ({"statistics": "frames"}, "statistics: expected one of ['functionals']"),
    ({"mean": []}, "mean: expected at least one value"),
    ({"mean": "abc"}, "mean: expected a list of numbers"),
    ({"output": ""}, "output: expected a tensor name"),
    ({"bogus": 1}, "unknown setting(s) ['bogus']"),
])
def test_calibration_spec_refuses_bad_settings(overrides, message):
    with pytest.raises(ContractError, match="calibration") as info:
        FrameSpec.from_dict({"calibration": spec_dict(**overrides)})
    assert message in str(info.value)


def test_calibration_spec_needs_the_prior():
    data = spec_dict()
    del data["std"]
    with pytest.raises(ContractError, match=r"missing \['std'\]"):
        CalibrationSpec.from_dict(data)
