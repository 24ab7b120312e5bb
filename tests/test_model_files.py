"""Untrusted model files: external data (refused, wherever it points), shapes and outputs that
disagree with the metadata, huge / garbage / special files; through the API and ``--model``."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from ser_edge.errors import ModelError
from ser_edge.model import MAX_MODEL_BYTES, EmotionModel, shipped_model_path

from support.cli import run_cli

onnx = pytest.importorskip("onnx", reason="the onnx package (dev extra) builds the fixture models")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from support.onnx_fixtures import LABELS, contract, tiny_model  # noqa: E402

WEIGHTS = np.full((40, 8), 0.01, dtype=np.float32)


def externalize(model_path: Path, location: str) -> Path:
    """Make initializer W of ``model_path`` point at ``location`` (EXTERNAL data); rewrite the file."""
    model = onnx.load(str(model_path))
    w = next(t for t in model.graph.initializer if t.name == "W")
    w.ClearField("raw_data")
    w.ClearField("float_data")
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(WEIGHTS.nbytes))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(model_path))
    return model_path


@pytest.fixture
def layout(tmp_path):
    """tmp/secret.bin (outside), tmp/model/ (the model's folder, with inside.bin)."""
    (tmp_path / "model").mkdir()
    WEIGHTS.tofile(tmp_path / "secret.bin")
    WEIGHTS.tofile(tmp_path / "model" / "inside.bin")
    return tmp_path


@pytest.fixture
def no_session(monkeypatch):
    """Fail the test if onnxruntime is asked to open anything (the check must come first)."""
    import onnxruntime

    def refuse(*args, **kwargs):
        raise AssertionError("onnxruntime.InferenceSession was called before the model was refused")

    monkeypatch.setattr(onnxruntime, "InferenceSession", refuse)


def one_line_error(call) -> str:
    with pytest.raises(ModelError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and message
    return message


def refused_for_external_data(path: Path) -> None:
    message = one_line_error(lambda: EmotionModel.load(path))
    assert str(path) in message and "external data files" in message
    assert "save_as_external_data=False" in message


@pytest.mark.parametrize("where", ["parent", "absolute", "symlink", "deep-parent", "cwd"])
def test_external_data_anywhere_is_refused_before_onnxruntime(layout, no_session, where, monkeypatch):
    folder = layout / "model"
    location = {"parent": "../secret.bin", "absolute": str(layout / "secret.bin"),
                "symlink": "link.bin", "deep-parent": "sub/../../secret.bin", "cwd": "secret.bin"}[where]
    if where == "symlink":
        (folder / "link.bin").symlink_to(layout / "secret.bin")
    monkeypatch.chdir(layout)  # loaded from bytes, onnxruntime would look here ("cwd": it exists)
    refused_for_external_data(externalize(tiny_model(folder / "m.onnx", metadata=contract()), location))


def test_external_data_in_a_subgraph_is_refused(layout, no_session):
    """An If node's branch holding an external initializer."""
    secret = numpy_helper.from_array(np.zeros(3, np.float32), "hidden")
    secret.ClearField("raw_data")
    secret.data_location = TensorProto.EXTERNAL
    entry = secret.external_data.add()
    entry.key, entry.value = "location", "../../etc/passwd"
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])
    branch = helper.make_graph([helper.make_node("Identity", ["hidden"], ["y"])], "then", [], [y],
                               initializer=[secret])
    other = helper.make_graph([helper.make_node("Constant", [], ["y"], value_floats=[0.0, 0.0, 0.0])], "else",
                              [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    node = helper.make_node("If", ["c"], ["y"], then_branch=branch, else_branch=other)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
    path = layout / "model" / "if.onnx"
    onnx.save(helper.make_model(graph), str(path))
    refused_for_external_data(path)


def test_external_data_inside_the_folder_is_refused_too(layout, tmp_path):
    # Behaviour change (issue 12): models load from their bytes, so external data is never read;
    # the same model saved as one file loads and runs.
    path = externalize(tiny_model(layout / "model" / "m.onnx", metadata=contract()), "inside.bin")
    refused_for_external_data(path)
    model = onnx.load(str(shipped_model_path()))
    onnx.save_model(model, str(tmp_path / "big.onnx"), save_as_external_data=True, location="w.data",
                    size_threshold=1024)
    refused_for_external_data(tmp_path / "big.onnx")
    one_file = onnx.load(str(tmp_path / "big.onnx"))
    onnx.save_model(one_file, str(tmp_path / "one.onnx"), save_as_external_data=False)
    assert EmotionModel.load(tmp_path / "one.onnx").labels == tuple(LABELS)


def test_onnxruntime_is_told_to_find_no_external_data(layout, monkeypatch):
    """Second line of defence: were the byte check bypassed, onnxruntime refuses on its own."""
    import ser_edge.model.session as model_module

    monkeypatch.setattr(model_module, "EXTERNAL_DATA_MARK", b"\x00never-matches\x00")
    monkeypatch.chdir(layout)
    refused_for_external_data(externalize(tiny_model(layout / "model" / "m.onnx", metadata=contract()),
                                          "secret.bin"))


def graph_model(path: Path, nodes, inputs, outputs, inits=(), metadata=None) -> Path:
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in (metadata or contract()).items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.save(model, str(path))
    return path


def linear(n_out: int, softmax: bool = True, out_shape=("N", "C"), dtype=TensorProto.FLOAT):
    """nodes, inputs, outputs, initializers of features [N, 40, 1] -> scores [N, n_out]."""
    np_type = {TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64}[dtype]
    inits = [numpy_helper.from_array(np.full((40, n_out), 0.05, np_type), "W"),
             numpy_helper.from_array(np.array([-1, 40], np.int64), "shape")]
    nodes = [helper.make_node("Reshape", ["features", "shape"], ["flat"]),
             helper.make_node("MatMul", ["flat", "W"], ["logits" if softmax else "scores"])]
    if softmax:
        nodes.append(helper.make_node("Softmax", ["logits"], ["scores"], axis=-1))
    return (nodes, [helper.make_tensor_value_info("features", dtype, ["N", 40, 1])],
            [helper.make_tensor_value_info("scores", dtype, list(out_shape))], inits)


@pytest.mark.parametrize("case, expected", [
    ("symbolic-7-classes", r"output is \[1, 7\].*expected \[1, 8\]"),
    ("logits", "not probabilities"),
    ("double-input", r"must be tensor\(float\)"),
    ("two-inputs", r"model inputs \['extra', 'features'\] do not match its frontend's inputs \['features'\]"),
    ("no-batch-dim", r"input \[\] holds 1 values, but its frontend makes 40"),
])
def test_models_that_disagree_with_their_metadata_are_refused(tmp_path, case, expected):
    path = tmp_path / f"{case}.onnx"
    if case == "symbolic-7-classes":  # W is also an input [40, K]: no shape inference can see the 7
        nodes, inputs, outputs, inits = linear(7)
        graph_model(path, nodes, inputs + [helper.make_tensor_value_info("W", TensorProto.FLOAT, [40, "K"])],
                    outputs, inits)
    elif case == "logits":
        graph_model(path, *linear(8, softmax=False))
    elif case == "double-input":
        graph_model(path, *linear(8, dtype=TensorProto.DOUBLE))
    elif case == "two-inputs":
        nodes, inputs, outputs, inits = linear(8)
        graph_model(path, nodes, inputs + [helper.make_tensor_value_info("extra", TensorProto.FLOAT, [1])],
                    outputs, inits)
    else:
        nodes = [helper.make_node("Reshape", ["features", "shape"], ["flat"]),
                 helper.make_node("MatMul", ["flat", "W"], ["logits"]),
                 helper.make_node("Softmax", ["logits"], ["scores"], axis=-1)]
        inits = [numpy_helper.from_array(np.full((40, 8), 0.05, np.float32), "W"),
                 numpy_helper.from_array(np.array([1, 40], np.int64), "shape")]
        graph_model(path, nodes, [helper.make_tensor_value_info("features", TensorProto.FLOAT, [40])],
                    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 8])], inits)
    message = one_line_error(lambda: EmotionModel.load(path))
    assert str(path) in message
    assert __import__("re").search(expected, message), message


def test_huge_garbage_empty_and_special_files(tmp_path):
    huge = tmp_path / "huge.onnx"
    with open(huge, "wb") as fh:  # sparse: no disk or memory used
        fh.truncate(MAX_MODEL_BYTES + 1)
    assert "larger than" in one_line_error(lambda: EmotionModel.load(huge))
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 1 << 20, dtype=np.uint8).tobytes())
    assert "not a usable ONNX model" in one_line_error(lambda: EmotionModel.load(garbage))
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    assert "empty file" in one_line_error(lambda: EmotionModel.load(empty))
    assert "not a regular file" in one_line_error(lambda: EmotionModel.load("/dev/zero"))
    fifo = tmp_path / "fifo.onnx"
    os.mkfifo(fifo)
    assert "not a regular file" in one_line_error(lambda: EmotionModel.load(fifo))  # no hang on open


def test_cli_model_option_gives_one_line_and_exit_2(tmp_path, layout):
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(os.urandom(4096))
    huge = tmp_path / "huge.onnx"
    with open(huge, "wb") as fh:
        fh.truncate(MAX_MODEL_BYTES + 1)
    escaping = externalize(tiny_model(layout / "model" / "m.onnx", metadata=contract()), "../secret.bin")
    for model, text in ((garbage, "not a usable ONNX model"), (huge, "larger than"),
                        (Path("/dev/zero"), "not a regular file"), (escaping, "external data files")):
        proc = run_cli("info", "--model", str(model), timeout=60)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and text in lines[0] and "Traceback" not in proc.stderr


def test_info_prints_the_sha256_of_the_given_model(tmp_path):
    path = tiny_model(tmp_path / "m.onnx", metadata=contract())
    proc = run_cli("info", "--json", "--model", str(path))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info["size_bytes"] == path.stat().st_size and info["labels"] == LABELS
