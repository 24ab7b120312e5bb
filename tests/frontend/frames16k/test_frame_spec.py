"""The frames16k contract: round trip, refusal of unknown keys/types."""

from __future__ import annotations

import json

import pytest

from ser_edge.config import FRAMES_TYPE as FRONTEND_TYPE
from ser_edge.config import FrameSpec
from ser_edge.errors import ContractError


def test_round_trip_through_json() -> None:
    spec = FrameSpec()
    data = json.loads(json.dumps(spec.to_dict()))
    assert data["type"] == FRONTEND_TYPE and data["sample_rate"] == 16000
    assert FrameSpec.from_dict(data) == spec


def test_unknown_key_and_type_refused() -> None:
    with pytest.raises(ContractError, match="unknown keys"):
        FrameSpec.from_dict({"bogus": 1})
    with pytest.raises(ContractError, match="mfcc_mean"):
        FrameSpec.from_dict({"type": "mfcc_mean"})


def test_derived_sizes() -> None:
    spec = FrameSpec()
    assert (spec.frame_len, spec.hop, spec.pitch_len, spec.pitch_offset) == (400, 160, 640, 120)


def test_model_spec_parses_the_frontend_by_its_type() -> None:
    from ser_edge.config import FeatureSpec, ModelSpec

    labels = json.dumps(["a", "b"])
    frames = ModelSpec.from_metadata({"ser_edge.labels": labels,
                                      "ser_edge.frontend": json.dumps(FrameSpec().to_dict())})
    assert frames.frontend == FrameSpec() and frames.min_fine_rate == 16000
    seed = ModelSpec.from_metadata({"ser_edge.labels": labels, "ser_edge.frontend": json.dumps({})})
    assert seed.frontend == FeatureSpec()
    with pytest.raises(ContractError, match="frontend type.*'frames8k'"):
        ModelSpec.from_metadata({"ser_edge.labels": labels, "ser_edge.frontend": '{"type": "frames8k"}'})
    with pytest.raises(ContractError, match="highfreq"):
        FrameSpec(highfreq=9000.0)
