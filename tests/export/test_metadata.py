"""export: no absolute build paths in model metadata; `python -m export metadata` keeps the graph."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from export.core.provenance import portable, record
from ser_edge.config import TRAINING_KEY
from ser_edge.model import SEED_INT8_NAME, SEED_MODEL_NAME, EmotionModel, shipped_model_path

onnx = pytest.importorskip("onnx", reason="the onnx package (dev extra) reads and writes metadata")


def training_of(path) -> dict:
    model = onnx.load(str(path))
    return json.loads({p.key: p.value for p in model.metadata_props}[TRAINING_KEY])


def absolute_paths(value) -> list[str]:
    text = json.dumps(value)
    return [word for word in text.replace('"', " ").split() if word.startswith("/")]


@pytest.mark.parametrize("name", [SEED_MODEL_NAME, SEED_INT8_NAME])
def test_shipped_models_hold_no_absolute_build_paths(name):
    # They used to carry /work/shared/data/seed and the builder's command line.
    training = training_of(shipped_model_path(name))
    assert absolute_paths(training) == []
    assert training["data"]["source"] == "seed" and "--features seed" in training["command"]
    assert training["input_rates"]["min_fine_rate"] == 16000


def test_the_training_record_keeps_only_the_last_component_of_absolute_paths():
    command = "python -m export train --features /home/me/seed -o models/m.onnx --band-audio=/srv/tess"
    rec = record({"source": "/home/me/data/seed/"}, "p", {}, command, band_map={"audio": "/srv/tess"})
    assert rec["data"]["source"] == "seed" and rec["band_map"]["audio"] == "tess"
    assert rec["command"] == "python -m export train --features seed -o models/m.onnx --band-audio=tess"
    assert portable(["doi:10.1371/journal.pone", "rel/path"]) == ["doi:10.1371/journal.pone", "rel/path"]


def test_metadata_command_keeps_the_graph_and_the_predictions(tmp_path):
    from export.cli import main
    from export.core.onnx_io import save, set_metadata

    original = tmp_path / "orig.onnx"
    shutil.copy(shipped_model_path(SEED_MODEL_NAME), original)
    model = onnx.load(str(original))
    training = training_of(original)
    training["data"]["source"] = "/home/builder/data/seed"
    set_metadata(model, {TRAINING_KEY: json.dumps(training)})
    save(model, original)
    rewritten = tmp_path / "new.onnx"
    shutil.copy(original, rewritten)
    figures = tmp_path / "rates.json"
    figures.write_text(json.dumps({"min_fine_rate": 16000, "full_band": {"accuracy": 0.4}, "measured": []}))
    assert main(["metadata", str(rewritten), "--input-rates", str(figures)]) == 0
    assert training_of(rewritten)["data"]["source"] == "seed"
    assert onnx.load(str(rewritten)).graph.SerializeToString() == model.graph.SerializeToString()
    x = np.random.default_rng(0).normal(0, 30, (64, 40)).astype(np.float32)
    before, after = EmotionModel.load(original).predict(x), EmotionModel.load(rewritten).predict(x)
    np.testing.assert_array_equal(before, after)
    assert EmotionModel.load(rewritten).spec.min_fine_rate == 16000
