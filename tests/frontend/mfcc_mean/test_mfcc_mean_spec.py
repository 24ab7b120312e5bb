"""The mfcc_mean contract is checked the way the frames16k one is (one helper): the message a
user sees for one bad value of each kind of setting, and the shipped seed models still load."""

from __future__ import annotations

import json

import pytest

from ser_edge.errors import ContractError
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec
from ser_edge.model import SHIPPED_MODELS, read_metadata, shipped_model_path

from support.specs import refusals

REFUSED = [
    ({"n_mfcc": 0}, "frontend n_mfcc: expected a whole number >= 1, got 0"),
    ({"hop_length": 512.5}, "frontend hop_length: expected a whole number >= 1, got 512.5"),
    ({"amin": 0.0}, "frontend amin: expected a finite number > 0, got 0.0"),
    ({"top_db": -1.0}, "frontend top_db: expected a finite number >= 0 or null, got -1.0"),
    ({"center": "yes"}, "frontend center: expected true or false, got 'yes'"),
    ({"mel_norm": "l1"}, "frontend mel_norm: expected one of ['slaney', None, 'none'], got 'l1'"),
    ({"dct_type": True}, "frontend dct_type: expected one of [1, 2, 3, 4], got True"),
    ({"window": ""}, "frontend window: expected a window name like 'hann', got ''"),
    ({"win_length": 4096}, "frontend: win_length (4096) > n_fft (2048)"),
]


@pytest.mark.parametrize(("settings", "message"), REFUSED, ids=[repr(s) for s, _ in REFUSED])
def test_every_setting_is_checked_when_built(settings, message) -> None:
    assert refusals(MfccMeanSpec, settings) == (message, message)


def test_an_unknown_key_is_refused_naming_it() -> None:
    with pytest.raises(ContractError) as info:
        MfccMeanSpec.from_dict({"n_mfcc": 40, "lifter": 22})
    assert str(info.value).startswith("frontend: unknown setting(s) ['lifter']; known: [")


@pytest.mark.parametrize("name", ["seed", "seed-int8"])
def test_the_shipped_seed_models_frontend_metadata_still_loads(name: str) -> None:
    data = json.loads(read_metadata(shipped_model_path(SHIPPED_MODELS[name]))["ser_edge.frontend"])
    spec = MfccMeanSpec.from_dict(data)
    assert spec == MfccMeanSpec() and spec.to_dict() == {k: v for k, v in data.items() if k != "mono"}
