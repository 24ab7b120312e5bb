"""``--model v2`` / ``v2-int8``: the v2 model by name (today the default's files), loadable
whatever the default becomes (issue 21: "v2 stays loadable by name")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ser_edge.model import (
    DEFAULT_MODEL,
    SHIPPED_MODELS,
    V2_INT8_NAME,
    V2_MODEL_NAME,
    EmotionModel,
    check_model_path,
    read_metadata,
    shipped_model_path,
)

from support.cli import run_cli

#: ``--model`` name -> (the v2 file it names, the default's file of the same precision).
V2_NAMES = {"v2": (V2_MODEL_NAME, DEFAULT_MODEL), "v2-int8": (V2_INT8_NAME, SHIPPED_MODELS["int8"])}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(V2_NAMES))
def test_the_v2_names_resolve_to_the_v2_files(name: str) -> None:
    path = check_model_path(name)
    assert path == shipped_model_path(V2_NAMES[name][0]) and path.is_file()
    model = EmotionModel.load(name)
    assert model.path == path and model.spec.frontend.type == "frames16k"
    assert model.calibration_spec is not None  # v2 is the calibrated frames16k model


def test_v2_int8_carries_the_v2_training_record() -> None:
    """The int8 file is v2's (the same record), not a copy of the float file."""
    v2, int8 = EmotionModel.load("v2"), EmotionModel.load("v2-int8")
    assert int8.spec.training == v2.spec.training and int8.labels == v2.labels
    assert digest(int8.path) != digest(v2.path) and int8.path.stat().st_size < v2.path.stat().st_size


@pytest.mark.parametrize("name", sorted(V2_NAMES))
def test_v2_by_name_classifies_the_examples(name: str, example_wavs: list[Path]) -> None:
    """The same rows as the model file given by path; while v2 is the default (same bytes),
    the same rows as the default's too."""
    files = [str(f) for f in example_wavs]
    by_name = run_cli("classify", "--json", "--model", name, *files, timeout=300)
    assert by_name.returncode == 0, by_name.stderr
    rows = [json.loads(line) for line in by_name.stdout.splitlines()]
    assert [r["file"] for r in rows] == files and all(r["speech"] and r["label"] for r in rows)
    v2_file, default_file = (shipped_model_path(n) for n in V2_NAMES[name])
    by_path = run_cli("classify", "--json", "--model", str(v2_file), *files, timeout=300)
    assert by_path.stdout == by_name.stdout
    if digest(v2_file) != digest(default_file):
        pytest.skip(f"the default {default_file.name} is no longer v2: nothing to compare with")
    default = run_cli("classify", "--json", *(["--model", "int8"] if name == "v2-int8" else []), *files,
                      timeout=300)
    assert default.returncode == 0 and default.stdout == by_name.stdout


def test_info_of_v2_by_name_says_what_it_is() -> None:
    short = run_cli("info", "--model", "v2")
    assert short.returncode == 0, short.stderr
    lines = short.stdout.splitlines()
    assert lines[0].startswith("model ") and V2_MODEL_NAME in lines[0]
    for prefix in ("accuracy   speaker-independent: ravdess speech", "heard      trained on RAVDESS",
                   "adapts     speaker calibration", "made "):
        assert any(line.startswith(prefix) for line in lines), short.stdout
    full = json.loads(run_cli("info", "--model", "v2", "--json").stdout)
    record = json.loads(read_metadata(shipped_model_path(V2_MODEL_NAME))["ser_edge.training"])
    assert full["training"] == record and full["sha256"] == digest(shipped_model_path(V2_MODEL_NAME))
