"""``ser-edge classify FILE...`` (one result per file, or a timeline) and ``ser-edge info``."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import Any

from ..errors import SerEdgeError
from ..sinks.text import calibration_note
from ..stream.events import count
from .calibration import (
    add_calibration_options,
    check_calibration,
    classify_calibration,
    gather,
    observe_timeline,
)
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_model_options,
    emit_json,
    error_line,
    load_classifier,
    load_model,
    log,
)
from .plotting import add_plot_option, plot_problem, write_plot


def _format_row(path: str, pred: Any, width: int) -> str:
    if pred.label is None:
        return f"{path:<{width}}  {'(no speech)':<11}"
    top = sorted(pred.scores.items(), key=lambda kv: -kv[1])[1:3]
    others = "  ".join(f"{k} {v:.2f}" for k, v in top)
    return f"{path:<{width}}  {pred.label:<11} {pred.confidence:5.2f}   ({others})" + calibration_note(
        pred.calibration
    )


class _Table:
    """The readable table: its header is printed before the first row, so never when every
    input failed."""

    def __init__(self, files: list[str]) -> None:
        self.width = min(60, max(len(f) for f in files))
        self.started = False

    def row(self, path: str, pred: Any) -> None:
        if not self.started:
            self.started = True
            print(f"{'FILE':<{self.width}}  {'LABEL':<11} {'CONF':>5}   (NEXT)", flush=True)
        print(_format_row(path, pred, self.width), flush=True)


def _failure(path: str, exc: SerEdgeError) -> str:
    """The error naming the file (a missing extra's message names only the package)."""
    text = str(exc)
    return text if path in text else f"{path}: {text}"


class _Progress:
    """``[i/N] FILE`` on one rewritten stderr line while a batch runs, only on a terminal
    (a pipe or a log file gets the results and the errors, nothing else)."""

    def __init__(self, total: int, enabled: bool | None = None) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.shown = False

    def show(self, index: int, path: str) -> None:
        """Say that file ``index`` (from 0) of the batch is being classified."""
        if self.enabled:
            sys.stderr.write(f"\r\033[K[{index + 1}/{self.total}] {path}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        """Erase the progress line (before a result or an error is printed, and at the end)."""
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


def _report(path: str, exc: SerEdgeError, args: argparse.Namespace, progress: _Progress) -> None:
    """A file that failed: one line on stderr (and a JSON error object with --json)."""
    progress.clear()
    error_line(_failure(path, exc))
    if args.json:
        emit_json({"file": path, "error": _failure(path, exc)})


def _classify_one(clf: Any, path: str, args: argparse.Namespace, table: _Table,
                  progress: _Progress) -> bool:
    """Classify one file and print its result; False when the file failed."""
    try:
        if args.timeline:
            return _timeline_one(clf, path, args, progress)
        pred = clf.predict_file(path)
    except SerEdgeError as exc:
        _report(path, exc, args, progress)
        return False
    progress.clear()
    if args.json:
        emit_json({"file": path, **pred.to_dict()})
    else:
        table.row(path, pred)
    if pred.utterances > 1:  # a long file's result is the mean over its utterances
        print(f"{path}: {pred.utterances} utterances; see --timeline", file=sys.stderr, flush=True)
    return True


def _timeline_one(clf: Any, path: str, args: argparse.Namespace, progress: _Progress) -> bool:
    from ..stream.engine import timeline_file

    events = timeline_file(clf, path)  # block by block: files of any length in bounded memory
    progress.clear()
    for event in events:
        row = {"file": path, **event.to_dict()}
        if args.json:
            emit_json(row)
        else:
            print(f"{path}  {row['start']:7.2f}-{row['end']:7.2f}s  {row['label']:<11} "
                  f"{row['confidence']:.2f}", flush=True)
    if args.plot:
        write_plot(args.plot, path, events, clf.labels)
    if not events:
        _no_speech(path, args.json)
    return True


def _no_speech(path: str, json_lines: bool) -> None:
    """What a timeline says for a file in which nothing was said."""
    if json_lines:
        emit_json({"file": path, "label": None, "speech": False})
    else:
        print(f"{path}  (no speech found)", flush=True)


def cmd_classify(args: argparse.Namespace) -> int:
    if (problem := plot_problem(args)) is not None:  # before the model loads
        error_line(problem)
        return EXIT_USAGE
    check_calibration(args, "classify")
    clf = load_classifier(args)
    progress = _Progress(len(args.files))
    files = _calibrate(clf, args, progress)
    table = _Table(args.files)
    ok = [len(files) == len(args.files)]
    for index, path in enumerate(files):
        progress.show(index, path)  # a long file is read block by block: this line stays meanwhile
        ok.append(_classify_one(clf, path, args, table, progress))
    progress.clear()
    return EXIT_OK if all(ok) else EXIT_FAILED


def _calibrate(clf: Any, args: argparse.Namespace, progress: _Progress) -> list[str]:
    """With calibration options: the classifier's frozen calibration (``--calibration FILE``,
    plus with ``--calibrate`` every file's speech, gathered first); the files still to classify
    (a file that failed while gathering was reported once and is left out)."""
    state = classify_calibration(clf, args)
    if state is None or not args.calibrate:
        return list(args.files)
    observe = partial(observe_timeline, clf) if args.timeline else clf.observe_file  # as pass 2 cuts them
    files, added = gather(args.files, observe, progress.show,
                          lambda path, exc: _report(path, exc, args, progress))
    progress.clear()
    source = f", {state.count - added} from {args.calibration}" if args.calibration else ""
    log.info("calibration: statistics from %s (%d in %d of %d files%s)", count(state.count, "utterances"),
             added, len(files), len(args.files), source)
    return files


def cmd_info(args: argparse.Namespace) -> int:
    from .info import info_lines, model_info

    model = load_model(args)
    if args.json:
        emit_json(model_info(model))
        return EXIT_OK
    print("\n".join(info_lines(model, verbose=getattr(args, "verbose", 0) > 0)))
    return EXIT_OK


def add_classify_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``classify`` subcommand."""
    p = sub.add_parser("classify", help="classify audio files (one result per file)")
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV files (FLAC/OGG need soundfile)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--timeline", action="store_true",
                   help="classify each utterance of a long recording (one event per utterance)")
    add_plot_option(p)
    add_model_options(p)
    add_calibration_options(p, "classify")
    p.set_defaults(func=cmd_classify)
    return p


def add_info_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``info`` subcommand."""
    p = sub.add_parser("info", help="show the model's labels, frontend, training metadata and SHA-256")
    p.add_argument("--json", action="store_true", help="one JSON object")
    add_model_options(p)
    p.set_defaults(func=cmd_info)
    return p
