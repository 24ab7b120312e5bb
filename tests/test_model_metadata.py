"""read_metadata: a model file's metadata_props from its bytes, equal to what onnx reads."""

from __future__ import annotations

import pytest

from ser_edge.errors import ModelError
from ser_edge.model import read_metadata

from support.paths import ROOT

onnx = pytest.importorskip("onnx")


@pytest.mark.parametrize("name", ["ser_edge.onnx", "ser_edge_int8.onnx", "ser_edge_seed.onnx"])
def test_read_metadata_equals_onnx(name):
    path = ROOT / "models" / name
    assert read_metadata(path) == {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def test_read_metadata_of_a_non_model_is_one_model_error(tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\xff\xff\xff")
    with pytest.raises(ModelError, match="cannot read the model's metadata"):
        read_metadata(path)
