"""Speaker calibration at training time (export/frames16k/calibration.py): the enrolment
statistics equal the runtime's, enrolments are skewed as asked, the CV conditions."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tf_keras")

from export.frames16k.calibration import (  # noqa: E402
    NEUTRAL_CALM,
    CalibrationConfig,
    Prior,
    causal_inputs,
    enrolment,
    enrolments,
    normalised,
    prior,
    shrunk,
)
from ser_edge.calibration import Calibration  # noqa: E402
from ser_edge.config import CalibrationSpec  # noqa: E402

F = 12


def _prior(rng: np.random.Generator) -> Prior:
    return Prior(rng.normal(0, 1, F), rng.uniform(0.5, 2.0, F))


@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_training_statistics_equal_the_runtime_calibration(n: int) -> None:
    rng = np.random.default_rng(n)
    p, k = _prior(rng), 7.0
    spec = CalibrationSpec(mean=tuple(p.mean), std=tuple(p.std), prior_utterances=k)
    rows = rng.normal(3.0, 2.0, (n, F))
    runtime = Calibration(spec)
    for row in rows:
        runtime.update(row.astype(np.float32))
    mean, std = shrunk(rows.astype(np.float32), p, k)
    np.testing.assert_allclose(runtime.statistics()[0], mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(runtime.statistics()[1], std, rtol=1e-5, atol=1e-5)
    if n == 0:
        np.testing.assert_allclose(mean, p.mean)
        np.testing.assert_allclose(std, p.std)


def test_shrinkage_moves_from_the_prior_to_the_speaker() -> None:
    rng = np.random.default_rng(0)
    p = _prior(rng)
    rows = rng.normal(5.0, 0.1, (400, F))
    few, many = shrunk(rows[:2], p, 10.0), shrunk(rows, p, 10.0)
    assert np.all(np.abs(few[0] - p.mean) < np.abs(many[0] - p.mean))
    np.testing.assert_allclose(many[0], rows.mean(axis=0), atol=0.15 * np.abs(p.mean - 5).max())
    z = normalised(rows, many)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z, (rows - many[0]) / many[1], rtol=1e-5, atol=1e-5)


def test_enrolments_are_skewed_as_asked() -> None:
    labels = np.repeat(np.arange(8), 8)
    rows = np.arange(64) + 100
    rng = np.random.default_rng(1)
    calm = CalibrationConfig(mode_probs=(0.0, 1.0, 0.0), sizes=(3, 10_000))
    one = CalibrationConfig(mode_probs=(0.0, 0.0, 1.0), sizes=(5,))
    for _ in range(20):
        sub = enrolment(rows, labels, calm, rng)
        assert set(labels[sub - 100]) <= set(NEUTRAL_CALM) and len(sub) in (3, 16)
        sub = enrolment(rows, labels, one, rng)
        assert len(set(labels[sub - 100])) == 1 and len(sub) == 5
    sizes = {len(enrolment(rows, labels, CalibrationConfig(), rng)) for _ in range(200)}
    assert min(sizes) == 1 and max(sizes) == 64


def test_cv_enrolments_score_only_the_clips_not_enrolled() -> None:
    labels = np.repeat(np.arange(8), 3)
    rows = np.arange(24)
    seen = {}
    for cond, sub, scored in enrolments(rows, labels, CalibrationConfig(eval_sizes=(1, 5, 30), draws=2), 0):
        seen[cond] = seen.get(cond, 0) + 1
        if cond in ("none", "all"):
            assert len(scored) == 24
        else:
            assert len(np.intersect1d(sub, scored)) == 0 and len(sub) + len(scored) == 24
        if cond == "neutral_calm":
            assert set(labels[sub]) == set(NEUTRAL_CALM)
    assert seen == {"none": 1, "rand1": 2, "rand5": 2, "all": 1, "neutral_calm": 1, "one_emotion": 8}


def test_prior_is_the_mean_over_speakers_and_variants() -> None:
    func = np.zeros((4, 2, F))
    func[:2, 0], func[:2, 1], func[2:, 0], func[2:, 1] = 1.0, 3.0, 5.0, 7.0
    func[0] += 1.0  # speaker a, both variants: values 2 and 1 (variance 0.25)
    speakers = np.array(["a", "a", "b", "b"])
    p = prior(func, speakers, np.arange(4), [0, 1])
    np.testing.assert_allclose(p.mean, np.mean([1.5, 3.5, 5.0, 7.0]))
    np.testing.assert_allclose(p.var, np.mean([0.25, 0.25, 0.0, 0.0]), atol=1e-9)


def test_a_session_is_normalised_as_the_runtime_learns_it() -> None:
    rng = np.random.default_rng(3)
    p, k = _prior(rng), 10.0
    spec = CalibrationSpec(mean=tuple(p.mean), std=tuple(p.std), prior_utterances=k)
    rows = rng.normal(2.0, 1.5, (25, F)).astype(np.float32)
    z = causal_inputs(rows, p, k)
    runtime = Calibration(spec)
    for i, row in enumerate(rows):  # classify with what was heard before, then learn
        mean, std = runtime.statistics()
        np.testing.assert_allclose(z[i], (row - mean) / std, rtol=1e-4, atol=1e-4)
        runtime.update(row)
