"""Speaker/device calibration: CalibrationSpec (the model's "calibration" contract) and the
Calibration state (shrunk statistics, files). Issue 15; notes in ser_edge/calibration.py."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from ser_edge import Calibration
from ser_edge.config import CalibrationSpec
from ser_edge.errors import CalibrationError, ContractError
from ser_edge.frontend.frames16k.spec import Frames16kSpec


def spec_dict(**overrides: object) -> dict:
    data = {"statistics": "functionals", "mean_input": "speaker_mean", "std_input": "speaker_std",
            "output": "probs_calibrated", "prior_utterances": 10.0, "min_utterances": 1,
            "mean": [0.0, 1.0, -2.0], "std": [1.0, 0.5, 2.0]}
    data.update(overrides)
    return data


def test_calibration_spec_round_trips_through_the_frontend_metadata():
    spec = Frames16kSpec(calibration=CalibrationSpec.from_dict(spec_dict()))
    text = json.dumps(spec.to_dict())
    back = Frames16kSpec.from_dict(json.loads(text))
    assert back == spec
    assert back.calibration.mean == (0.0, 1.0, -2.0) and back.calibration.n_statistics == 3
    assert json.loads(text)["calibration"]["std"] == [1.0, 0.5, 2.0]


def test_frame_spec_without_calibration_serialises_as_before():
    assert "calibration" not in Frames16kSpec().to_dict()
    assert Frames16kSpec.from_dict(Frames16kSpec().to_dict()).calibration is None


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
        Frames16kSpec.from_dict({"calibration": spec_dict(**overrides)})
    assert message in str(info.value)


def test_calibration_spec_needs_the_prior():
    data = spec_dict()
    del data["std"]
    with pytest.raises(ContractError, match=r"missing \['std'\]"):
        CalibrationSpec.from_dict(data)


def small_spec(k: float = 4.0, min_utterances: int = 2) -> CalibrationSpec:
    return CalibrationSpec(mean=(0.0, 1.0, -2.0), std=(1.0, 0.5, 2.0), prior_utterances=k,
                           min_utterances=min_utterances)


def reference_statistics(rows: np.ndarray, spec: CalibrationSpec) -> tuple[np.ndarray, np.ndarray]:
    """The contract's formula written out over the utterances themselves (np.mean/np.var)."""
    pm, ps, k, n = np.array(spec.mean), np.array(spec.std), spec.prior_utterances, len(rows)
    if n == 0:
        return pm, ps
    mean = (n * rows.mean(axis=0) + k * pm) / (n + k)
    var = (n * rows.var(axis=0) + k * ps ** 2) / (n + k)
    return mean, np.sqrt(var)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_statistics_follow_the_shrinkage_formula(n):
    spec = small_spec()
    rows = np.random.default_rng(n).normal([3.0, -1.0, 0.5], [2.0, 0.1, 4.0], (n, 3))
    state = Calibration(spec)
    for row in rows:
        state.update(row)
    mean, std = state.statistics()
    want_mean, want_std = reference_statistics(rows, spec)
    assert mean.dtype == np.float32 and std.dtype == np.float32 and mean.shape == (3,)
    np.testing.assert_allclose(mean, want_mean, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(std, want_std, rtol=1e-6, atol=1e-6)
    assert state.count == n and state.active == (n >= spec.min_utterances)


def test_no_utterance_gives_exactly_the_prior_and_reset_returns_to_it():
    spec = CalibrationSpec(mean=(0.1, 1e-7, -3.3), std=(0.3, 7.7, 1e-3), prior_utterances=3.0)
    state = Calibration(spec)
    mean, std = state.statistics()
    assert mean.tolist() == np.float32(spec.mean).tolist() and std.tolist() == np.float32(spec.std).tolist()
    state.update(np.array([5.0, 5.0, 5.0]))
    assert state.statistics()[0].tolist() != mean.tolist()
    state.reset()
    assert state.count == 0 and not state.active
    assert state.statistics()[0].tolist() == mean.tolist() and state.statistics()[1].tolist() == std.tolist()


@pytest.mark.parametrize(("values", "message"), [
    (np.zeros(4), r"shape \(3,\), got \[4\]"),
    (np.zeros((1, 3)), r"got \[1, 3\]"),
    (np.array([0.0, np.nan, 1.0]), "non-finite"),
])
def test_update_refuses_another_shape_or_non_finite_values(values, message):
    state = Calibration(small_spec())
    with pytest.raises(ValueError, match=message):
        state.update(values)
    assert state.count == 0 and state.sum.tolist() == [0.0, 0.0, 0.0]


def test_save_and_load_round_trip(tmp_path):
    spec = small_spec()
    state = Calibration(spec)
    for row in np.random.default_rng(1).normal(size=(7, 3)):
        state.update(row)
    path = tmp_path / "room.json"
    state.save(path)
    data = json.loads(path.read_text())
    assert data["format"] == "ser-edge calibration" and data["version"] == 1 and data["count"] == 7
    assert data["fingerprint"] == state.fingerprint and data["updated"].endswith("Z")
    back = Calibration.load(path, spec)
    assert back.count == 7 and back.sum.tolist() == state.sum.tolist()
    assert back.sumsq.tolist() == state.sumsq.tolist()
    for got, want in zip(back.statistics(), state.statistics(), strict=True):
        assert got.tolist() == want.tolist()
    assert sorted(os.listdir(tmp_path)) == ["room.json"]  # no temporary file left


def test_an_interrupted_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    spec = small_spec()
    path = tmp_path / "room.json"
    old = Calibration(spec)
    old.update(np.ones(3))
    old.save(path)
    before = path.read_bytes()
    new = Calibration(spec)
    for _ in range(3):
        new.update(np.full(3, 2.0))

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(CalibrationError, match=r"room\.json: cannot save the calibration \(No space left"):
        new.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["room.json"]


def test_the_fingerprint_tells_feature_sets_apart_but_not_the_prior_weight():
    a = Calibration(small_spec(k=4.0, min_utterances=2)).fingerprint
    assert a == Calibration(small_spec(k=20.0, min_utterances=1)).fingerprint
    assert a != Calibration(CalibrationSpec(mean=(0.0, 1.0, -2.5), std=(1.0, 0.5, 2.0))).fingerprint
    assert a != Calibration(CalibrationSpec(mean=(0.0, 1.0), std=(1.0, 0.5))).fingerprint
    assert len(a) == 16


def bad_files(tmp_path) -> dict[str, tuple[bytes, str]]:
    """name -> (file content, what the error says)."""
    good = Calibration(small_spec())
    good.update(np.ones(3))
    data = good.to_dict()
    text = json.dumps(data).encode()
    other = Calibration(CalibrationSpec(mean=(9.0, 9.0, 9.0), std=(1.0, 1.0, 1.0))).to_dict()
    return {
        "corrupt": (b"\x00\xffnot json at all", "not JSON"),
        "truncated": (text[: len(text) // 2], "not JSON"),
        "wrong-format": (json.dumps({**data, "format": "something else"}).encode(),
                         "not a ser-edge calibration file"),
        "a-list": (b"[1, 2, 3]", "not a ser-edge calibration file"),
        "foreign": (json.dumps(other).encode(), "made for another model (fingerprint"),
        "nan": (json.dumps({**data, "sum": [1.0, float("nan"), 2.0]}).encode(), "bad values: sum"),
        "short": (json.dumps({**data, "sumsq": [1.0]}).encode(), "bad values: sumsq"),
        "count": (json.dumps({**data, "count": -1}).encode(), "bad values: count -1"),
        "version": (json.dumps({**data, "version": 2}).encode(), "version 2"),
    }


@pytest.mark.parametrize("case", ["corrupt", "truncated", "wrong-format", "a-list", "foreign", "nan",
                                  "short", "count", "version"])
def test_a_bad_file_gives_one_line_naming_the_file(tmp_path, case):
    content, message = bad_files(tmp_path)[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(content)
    with pytest.raises(CalibrationError) as info:
        Calibration.load(path, small_spec())
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


@pytest.mark.parametrize("case", ["foreign", "nan", "version"])
def test_open_starts_fresh_on_a_bad_file_with_a_warning_and_leaves_the_file(tmp_path, case):
    """A calibration file it cannot use (another model's, bad values, another version): a warning,
    a fresh state, and the next save replaces it. Anything else is refused
    (tests/cli/test_calibration_safety.py)."""
    content, message = bad_files(tmp_path)[case]
    path = tmp_path / "room.json"
    path.write_bytes(content)
    state, warning = Calibration.open(path, small_spec())
    assert state.count == 0 and state.sum.tolist() == [0.0, 0.0, 0.0]
    assert warning is not None and str(path) in warning and message in warning
    assert "starting a fresh calibration" in warning and "\n" not in warning
    assert path.read_bytes() == content  # left as it is until the next save
    state.update(np.ones(3))
    state.save(path)
    assert Calibration.load(path, small_spec()).count == 1


def test_open_a_missing_file_is_fresh_without_warning_and_an_existing_one_resumes(tmp_path):
    path = tmp_path / "room.json"
    state, warning = Calibration.open(path, small_spec())
    assert warning is None and state.count == 0 and not path.exists()
    state.update(np.ones(3))
    state.update(np.zeros(3))
    state.save(path)
    again, warning = Calibration.open(path, small_spec())
    assert warning is None and again.count == 2 and again.sum.tolist() == [1.0, 1.0, 1.0]


def test_load_of_a_missing_file_names_it(tmp_path):
    with pytest.raises(CalibrationError, match="missing.json: cannot read the calibration file"):
        Calibration.load(tmp_path / "missing.json", small_spec())


# --- what the classifier feeds and how it mixes the outputs (issue 21) -------------------------

def test_register_mask_keeps_the_location_of_channel_and_register_features_only():
    from ser_edge.calibration import register_mask
    from ser_edge.frontend.frames16k import functional_names

    names = functional_names(Frames16kSpec())
    kept = {n for n, keep in zip(names, register_mask(names), strict=True) if keep}
    assert {"mfcc1_mean", "mfcc12_p90", "band0_rel_mean", "band63_rel_mean", "f0_st_mean", "f0_st_p50",
            "centroid_khz_p10", "rolloff_khz_mean"} <= kept
    assert not {"mfcc1_std", "d_mfcc0_std", "band5_std", "energy_rel_p50", "f0_st_std", "f0_st_spread",
                "f0_st_step_std", "voiced_ratio", "periodicity_mean", "zcr_mean", "flatness_p50",
                "centroid_khz_std"} & kept
    assert len(kept) == 12 * 4 + 64 + 4 + 2 * 4 == 124


def test_register_statistics_move_only_the_register_means_and_keep_the_prior_std():
    spec = small_spec(k=2.0, min_utterances=1)
    state = Calibration(spec)
    for row in ([4.0, 4.0, 4.0], [6.0, 2.0, 0.0]):
        state.update(np.array(row))
    register = np.array([True, False, True])
    mean, std = state.register_statistics(register)
    shrunk_mean, _ = state.statistics()
    assert mean.dtype == np.float32 and std.dtype == np.float32
    assert mean.tolist() == [shrunk_mean[0], np.float32(1.0), shrunk_mean[2]]
    assert std.tolist() == np.float32(spec.std).tolist()
    with pytest.raises(ValueError, match=r"expected 3 flags, got shape \[2\]"):
        state.register_statistics(np.array([True, False]))


def test_spread_is_the_variance_heard_over_the_prior_variance():
    spec = small_spec()
    state = Calibration(spec)
    assert state.spread() == 0.0
    state.update(np.array([5.0, 5.0, 5.0]))
    assert state.spread() == 0.0  # one utterance says nothing of the spread
    # two utterances at mean -/+ std/sqrt(2): their unbiased variance is the prior's, spread 1
    half = np.array(spec.std) / np.sqrt(2.0)
    state.reset()
    for sign in (-1.0, 1.0):
        state.update(np.array(spec.mean) + sign * half)
    assert state.spread() == pytest.approx(1.0)
    rows = np.random.default_rng(3).normal([3.0, -1.0, 0.5], [2.0, 0.1, 4.0], (9, 3))
    state.reset()
    for row in rows:
        state.update(row)
    want = np.mean(rows.var(axis=0, ddof=1) / np.array(spec.std) ** 2)
    assert state.spread() == pytest.approx(want, rel=1e-9)


def test_the_blend_weight_stays_within_0_and_max_weight():
    from ser_edge.calibration import MAX_WEIGHT

    spec = small_spec()
    state = Calibration(spec)
    assert state.weight() == 0.0
    rng = np.random.default_rng(5)
    for scale in (0.0, 1e-3, 0.3, 1.0, 10.0, 1e6):
        state.reset()
        for row in rng.normal(spec.mean, scale * np.array(spec.std), (6, 3)):
            state.update(row)
        w = state.weight()
        assert 0.0 <= w <= MAX_WEIGHT
        assert w == pytest.approx(MAX_WEIGHT * min(1.0, state.spread()))
    assert state.weight() == MAX_WEIGHT  # far more varied than a training speaker: the cap
    state.reset()
    for _ in range(20):
        state.update(np.array([1.0, 2.0, 3.0]))  # the same utterance over and over: no weight
    assert state.weight() == 0.0


def test_blend_mixes_two_distributions_and_refuses_weights_outside_0_1():
    from ser_edge.calibration import blend

    plain, calibrated = np.array([0.7, 0.2, 0.1], np.float32), np.array([0.1, 0.3, 0.6], np.float32)
    assert blend(plain, calibrated, 0.0).tolist() == plain.tolist()
    assert blend(plain, calibrated, 1.0).tolist() == calibrated.tolist()
    mixed = blend(plain, calibrated, 0.25)
    np.testing.assert_allclose(mixed, [0.55, 0.225, 0.225], rtol=1e-6)
    assert float(mixed.sum()) == pytest.approx(1.0)
    for bad in (-0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match=r"expected a number in \[0, 1\]"):
            blend(plain, calibrated, bad)


def test_a_version_1_file_written_before_issue_21_still_loads(tmp_path):
    """The rule needs nothing but the sums a version 1 file has always held."""
    spec = small_spec()
    fingerprint = Calibration(spec).fingerprint
    path = tmp_path / "old.json"
    path.write_text("\n".join([
        '{', ' "format": "ser-edge calibration",', ' "version": 1,', f' "fingerprint": "{fingerprint}",',
        ' "statistics": "functionals",', ' "count": 3,', ' "sum": [3.0, 3.0, -6.0],',
        ' "sumsq": [5.0, 3.5, 14.0],', ' "updated": "2026-11-30T08:00:00Z"', '}', '']))
    state = Calibration.load(path, spec)
    assert state.count == 3 and state.updated == "2026-11-30T08:00:00Z"
    assert state.spread() == pytest.approx(np.mean(np.array([1.0, 0.25, 1.0]) / np.array(spec.std) ** 2))
    mean, std = state.register_statistics(np.array([True, True, True]))
    assert mean.tolist() == state.statistics()[0].tolist() and std.tolist() == np.float32(spec.std).tolist()
