"""What a new user tripped over (issue 22, items 3 and 7-14), each run as the user ran it: the
real ``ser-edge`` command in a subprocess."""

from __future__ import annotations

import json

from ser_edge.model import EmotionModel

from support.cli import run_cli


def test_info_says_which_speakers_each_shipped_model_heard():
    """Item 3: the seed model was trained on every RAVDESS actor; info says so, from its record."""
    seed = run_cli("info", "--model", "seed")
    assert seed.returncode == 0, seed.stderr
    assert "heard      trained on all 24 RAVDESS actors and both TESS speakers: no RAVDESS figure is a test" \
        in seed.stdout.splitlines()
    default = run_cli("info")
    speakers = EmotionModel.load().spec.training["data"]["speakers"]
    line = next(x for x in default.stdout.splitlines() if x.startswith("heard"))
    assert f"({len(speakers)} speakers)" in line and "RAVDESS actors 1–18" in line
    assert "only RAVDESS actors 19–24 are new to it" in line
    assert json.loads(run_cli("info", "--model", "seed", "--json").stdout)["heard"].startswith(
        "trained on all 24 RAVDESS actors")
