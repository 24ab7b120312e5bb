"""``ser-edge info``: about ten lines by default; ``--verbose`` and ``--json`` give everything."""

from __future__ import annotations

import json

from ser_edge.model import EmotionModel

from support.cli import run_cli


def test_info_is_short_by_default_and_complete_with_verbose_or_json():
    # It used to print 2,792 lines (per-fold metrics, per-epoch curves) and a build path.
    short = run_cli("info", "--model", "seed")  # the seed model's record: the long one
    assert short.returncode == 0, short.stderr
    lines = short.stdout.strip().splitlines()
    assert len(lines) <= 12
    text = short.stdout
    for needle in ("neutral, calm, happy", "mfcc_mean at 22050 Hz", "speaker-independent: all 50.21%",
                   "16000 Hz or more measured as fine", "KiB", "--verbose"):
        assert needle in text, text
    assert len([w for w in text.split() if len(w) == 64 and all(c in "0123456789abcdef" for c in w)]) == 1
    verbose = run_cli("info", "--model", "seed", "--verbose")
    assert verbose.returncode == 0 and len(verbose.stdout.splitlines()) > 100
    assert '"curves"' in verbose.stdout and "/work/shared" not in verbose.stdout
    full = json.loads(run_cli("info", "--model", "seed", "--json").stdout)
    assert full["training"]["metrics"]["speaker-independent"]["pooled"]["all"]["accuracy"] == 0.5021


def test_info_of_the_v2_model_shows_its_cross_validated_accuracy():
    # It said "speaker-independent: not recorded": the v2 record keeps its CV figures elsewhere.
    short = run_cli("info", "--model", "v2")
    assert short.returncode == 0, short.stderr
    metrics = EmotionModel.load("v2").spec.training["metrics"]
    expected = (f"speaker-independent: ravdess speech {metrics['ravdess_speaker_independent_accuracy']:.2%} "
                f"(UAR {metrics['ravdess_uar']:.2%}, 6-fold CV)")
    assert expected in short.stdout, short.stdout
    assert 0.55 < metrics["ravdess_speaker_independent_accuracy"] < 0.8


def test_info_says_whether_and_how_well_a_model_adapts_to_its_speaker():
    seed = run_cli("info", "--model", "seed")
    assert seed.returncode == 0 and "adapts" not in seed.stdout
    shipped = EmotionModel.load("v2")
    conditions = shipped.spec.training["calibration"]["conditions"]
    line = next(x for x in run_cli("info", "--model", "v2").stdout.splitlines() if x.startswith("adapts"))
    assert f"{conditions['clean/all']['acc']:.1f}% after all 60 of a speaker" in line, line
    assert f"prior worth {shipped.calibration_spec.prior_utterances:g} utterances" in line
