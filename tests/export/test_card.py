"""The shipped model card is what ``python -m export card`` writes from the model's own record,
and it stands on its own: the corpora with their download pages and licences, plain words, only
the settings of the model's own architecture, no path of the building machine outside the
developers' section."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from export.core.card import EXPERIMENTS, NOTES, write_card
from export.core.card_text import ARCH_SETTINGS, portable_command, recipe_section

from support.paths import ROOT, SHIPPED_MODEL

CARD = ROOT / "models" / "seed.md"
DEVELOPERS = "## How to regenerate (for developers)"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> str:
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) draws the card's PNGs")
    folder = tmp_path_factory.mktemp("card")
    for name in (NOTES, EXPERIMENTS):
        shutil.copy(ROOT / "models" / name, folder / name)
    model = shutil.copy(SHIPPED_MODEL, folder / SHIPPED_MODEL.name)
    write_card(Path(model), folder / CARD.name)
    return (folder / CARD.name).read_text(encoding="utf-8")


def test_the_shipped_card_is_the_generated_one(regenerated):
    assert CARD.read_text(encoding="utf-8") == regenerated, "run: python -m export card " \
        "models/ser_edge_seed.onnx -o models/seed.md"


def test_the_card_names_the_corpora_with_their_pages_and_licences(regenerated):
    for needle in ("https://zenodo.org/records/1188976", "CC BY-NC-SA 4.0",
                   "doi:10.1371/journal.pone.0196391", "https://tspace.library.utoronto.ca/handle/1807/24487",
                   "CC BY-NC-ND 4.0", "Dupuis & Pichora-Fuller (2010)", "non-commercial"):
        assert needle in regenerated


def test_no_build_path_or_internal_jargon_outside_the_developers_section(regenerated):
    user_part, developers = regenerated.split(DEVELOPERS)
    developers = developers.split("\n## ", 1)[1]  # the sections after it are for users again
    for text in (user_part, developers):
        for needle in ("/work/", "../shared", "Issue 7", "issue 7"):
            assert needle not in text


def test_an_mlp_card_lists_no_convolution_settings():
    record = {"seed": 0, "recipe": {"name": "m", "arch": "mlp", "hidden": [8], "batchnorm": True,
                                    "filters": [64], "kernel_size": 5, "pool_size": 4, "dense_units": 0,
                                    "dropout": 0.5, "normalize": True}}
    text = recipe_section(record)
    assert all(f"`{key}`" not in text for key in ARCH_SETTINGS["conv"])
    assert "`hidden` | `[8]`" in text and "multilayer perceptron" in text and "Conv" not in text
    record["recipe"].update(arch="conv")
    assert all(f"`{key}`" not in recipe_section(record) for key in ARCH_SETTINGS["mlp"])


@pytest.mark.parametrize(("features", "audio"),
                         [("/home/me/data/seed", "/home/me/data/audio/tess"), ("seed", "tess")])
def test_the_training_command_names_the_data_under_ser_edge_data(features, audio):
    record = {"command": f"python -m export train --features {features} -o m.onnx --band-audio {audio}"}
    assert portable_command(record) == ("python -m export train --features $SER_EDGE_DATA/seed -o m.onnx "
                                        "--band-audio $SER_EDGE_DATA/audio/tess")
