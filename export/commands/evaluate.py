"""``python -m export evaluate MODEL.onnx --features DIR``: the report for any exported model."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from ser_edge.config import LABELS_KEY, TRAINING_KEY

from ..core.errors import ExportError
from ..core.folds import parse_actors
from ..core.metrics import format_report
from ..core.onnx_io import metadata, session
from ..core.onnx_io import run as run_model
from ..mfcc_mean.data import Dataset
from ..mfcc_mean.describe import describe_data
from ..mfcc_mean.loaders import load_features
from ..mfcc_mean.reports import subset_reports


def add_parser(sub: Any) -> None:
    """The ``evaluate`` subcommand's arguments."""
    evaluate = sub.add_parser("evaluate", help="accuracy, UAR, per-class report of an ONNX model")
    evaluate.add_argument("model", help="an .onnx file written by this tool")
    evaluate.add_argument("--features", required=True, help="features folder or .npz (as for train)")
    evaluate.add_argument("--actors", metavar="LIST", help="only these actors' rows, e.g. 19-24")
    evaluate.add_argument("--json", action="store_true", help="one JSON object instead of text")
    evaluate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print accuracy, UAR, per-class report and confusion matrix, overall and per subset."""
    sess = session(args.model)
    props = metadata(sess)
    data = load_features(args.features)
    labels = _labels(props, data)
    if args.actors:
        data = _only_actors(data, parse_actors(args.actors))
    width = sess.get_inputs()[0].shape[1]
    if isinstance(width, int) and width != data.X.shape[1]:
        raise ExportError(f"the model takes {width} features per row, the data has {data.X.shape[1]}")
    predicted = run_model(sess, data.X).argmax(axis=1)
    reports = subset_reports(data, predicted)
    note = _trained_on_these_rows(props, data, args.actors)
    if args.json:
        print(json.dumps({"model": str(args.model), "rows": len(data), "note": note, "reports": reports}))
        return 0
    if note:
        print(f"note: {note}", file=sys.stderr)
    for name, report in reports.items():
        print(format_report(name, report, labels) + "\n")
    return 0


def _labels(props: dict[str, str], data: Dataset) -> tuple[str, ...]:
    if LABELS_KEY not in props:
        raise ExportError(
            f"the model has no '{LABELS_KEY}' metadata; it was not written by ser-edge's export"
        )
    labels = tuple(json.loads(props[LABELS_KEY]))
    if labels != data.labels:
        raise ExportError(
            f"the model's labels {list(labels)} differ from the data's classes {list(data.labels)}"
        )
    return labels


def _only_actors(data: Dataset, actors: tuple[int, ...]) -> Dataset:
    if data.actors is None:
        raise ExportError(
            "--actors needs speaker ids: add metadata.csv (with an 'actor' column) beside the features"
        )
    keep = np.isin(data.actors, actors)
    if not np.any(keep):
        raise ExportError(f"--actors: none of {list(actors)} has rows (actors: {sorted(set(data.actors))})")
    return data.subset(keep)


def _trained_on_these_rows(props: dict[str, str], data: Dataset, actors: str | None) -> str:
    """A warning when the model's training record says it saw these rows (not a test figure)."""
    try:
        training: dict[str, Any] = json.loads(props.get(TRAINING_KEY, "{}"))
        recorded = training.get("data", {})
    except (json.JSONDecodeError, AttributeError):
        return ""
    if actors or not isinstance(recorded, dict):
        return ""
    same = recorded.get("sha256_X_y_float32_int64") == describe_data(data, 0)["sha256_X_y_float32_int64"]
    if same and recorded.get("trained_rows") == len(data):
        return "the model was trained on all of these rows: the figures measure fit, not accuracy on new data"
    return ""
