"""export convert: the original Keras 2 model as ONNX, equal to Keras on all 5252 rows (1e-5)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from export.cli import main
from export.core.onnx_io import metadata, run, session
from export.mfcc_mean.loaders import load_features
from ser_edge.config import DEFAULT_LABELS, FRONTEND_KEY, LABELS_KEY, TRAINING_KEY
from ser_edge.frontend.mfcc_mean.spec import MfccMeanSpec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def converted(seed_dir: Path, tmp_path_factory) -> Path:
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf_keras")
    pytest.importorskip("tf2onnx")
    out = tmp_path_factory.mktemp("convert") / "seed.onnx"
    assert main(["convert", str(seed_dir / "SER_model.h5"), "-o", str(out)]) == 0
    return out


def test_onnx_equals_keras_on_every_row(converted: Path, seed_dir: Path) -> None:
    import tf_keras

    data = load_features(seed_dir)
    keras_model = tf_keras.models.load_model(str(seed_dir / "SER_model.h5"), compile=False)
    expected = keras_model.predict(data.X[:, :, None], verbose=0, batch_size=1024)
    scores = run(session(converted), data.X)
    assert scores.shape == (5252, 8)
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-5)
    assert np.mean(scores.argmax(axis=1) == data.y) > 0.9  # it trained on most rows: fit, not a test figure


def test_contract_names_and_metadata(converted: Path) -> None:
    sess = session(converted)
    (node,) = sess.get_inputs()
    assert node.name == "features" and node.shape[1:] == [40, 1] and isinstance(node.shape[0], str)
    assert [o.name for o in sess.get_outputs()] == ["scores"]
    props = metadata(sess)
    assert json.loads(props[LABELS_KEY]) == list(DEFAULT_LABELS)
    assert MfccMeanSpec.from_dict(json.loads(props[FRONTEND_KEY])) == MfccMeanSpec()
    training = json.loads(props[TRAINING_KEY])
    assert {"data", "protocol", "metrics", "date", "export_version", "command"} <= set(training)
    assert training["command"].startswith("python -m export convert")


def test_bad_h5_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    pytest.importorskip("tf_keras")
    fake = tmp_path / "fake.h5"
    fake.write_bytes(b"not hdf5")
    for source in (tmp_path / "missing.h5", fake):
        assert main(["convert", str(source), "-o", str(tmp_path / "out.onnx")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: convert:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake.h5"]
