"""python -m export quantize: an int8 model with the same contract; the shipped int8 model is current."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ser_edge.config import FRONTEND_KEY, LABELS_KEY, TRAINING_KEY
from ser_edge.model import EmotionModel, sha256_of

from support.cli import run_cli
from support.paths import ROOT

INT8 = ROOT / "models" / "ser_edge_seed_int8.onnx"


def _props(path: Path) -> dict[str, str]:
    onnx = pytest.importorskip("onnx")
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def test_quantize_keeps_contract_and_predictions(tmp_path: Path, shipped_model: Path, seed_dir: Path) -> None:
    pytest.importorskip("onnxruntime.quantization")
    from export.cli import main

    out = tmp_path / "q.onnx"
    assert main(["quantize", str(shipped_model), "-o", str(out)]) == 0
    src, dst = _props(shipped_model), _props(out)
    assert set(src) == set(dst)
    assert src[LABELS_KEY] == dst[LABELS_KEY] and src[FRONTEND_KEY] == dst[FRONTEND_KEY]
    quant = json.loads(dst[TRAINING_KEY])["quantization"]
    assert quant["mode"] == "dynamic" and quant["source_sha256"] == sha256_of(shipped_model)
    assert out.stat().st_size < shipped_model.stat().st_size / 3
    X = _seed_rows(seed_dir)
    a = EmotionModel.load(shipped_model).predict(X).argmax(axis=1)
    b = EmotionModel.load(out).predict(X).argmax(axis=1)
    assert np.mean(a == b) >= 0.97


def _seed_rows(seed_dir: Path) -> np.ndarray:
    joblib = pytest.importorskip("joblib")
    return np.asarray(joblib.load(seed_dir / "X.joblib"))[::5]


def test_static_mode_needs_features(tmp_path: Path, shipped_model: Path, capsys) -> None:
    pytest.importorskip("onnxruntime.quantization")
    from export.cli import main

    assert main(["quantize", str(shipped_model), "-o", str(tmp_path / "s.onnx"), "--mode", "static"]) == 2
    assert "--features" in capsys.readouterr().err


def test_shipped_int8_is_made_from_the_shipped_model(shipped_model: Path) -> None:
    """Regenerate: python -m export quantize models/ser_edge_seed.onnx -o models/ser_edge_seed_int8.onnx"""
    if not INT8.exists():
        pytest.skip("no shipped int8 model")
    quant = EmotionModel.load(INT8).spec.training["quantization"]
    assert quant["source_sha256"] == sha256_of(shipped_model), (
        "models/ser_edge_seed_int8.onnx is stale: python -m export quantize models/ser_edge_seed.onnx "
        "-o models/ser_edge_seed_int8.onnx")


def test_cli_model_int8_shorthand(example_wavs: list[Path]) -> None:
    if not INT8.exists():
        pytest.skip("no shipped int8 model")
    res = run_cli("classify", "--json", "--model", "int8", str(example_wavs[0]))
    assert res.returncode == 0, res.stderr
    ref = run_cli("classify", "--json", str(example_wavs[0]))
    a, b = json.loads(res.stdout), json.loads(ref.stdout)
    assert a["label"] == b["label"] and abs(a["confidence"] - b["confidence"]) < 0.05
