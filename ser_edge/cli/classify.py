"""``ser-edge classify FILE...`` (one result per file, or a timeline) and ``ser-edge info``."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import TYPE_CHECKING

from ..errors import SerEdgeError
from ..sinks.text import RESULT_HEADER, SPAN_HEADER, result_cells, span
from ..stream.events import count
from .batch import FileResult, failure, in_workers, one_by_one
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
    details,
    emit_json,
    error_line,
    load_classifier,
    load_model,
    log,
    positive_int,
    resampling,
)
from .plotting import add_plot_option, plot_problem, write_plot

if TYPE_CHECKING:
    from ..classifier import EmotionClassifier, Prediction
    from ..stream.events import Event
    from .common import Subparsers

#: The label column of a result without a label: nothing said, or too short to judge.
NO_SPEECH, TOO_SHORT = "(no speech)", "(too short)"


def judged_seconds(clf: EmotionClassifier) -> float:
    """The shortest speech (s) the model's frontend classifies: ``min_speech_frames`` frames of
    the frame frontend, the energy gate's ``min_active_seconds`` of the MFCC-mean one."""
    spec = clf.spec.frontend
    if getattr(spec, "min_speech_frames", None) is not None:
        return spec.min_speech_frames * spec.winstep
    activity = getattr(clf.frontend, "activity", None)
    return float(getattr(activity, "min_active_seconds", 0.0))


def too_short(clf: EmotionClassifier, duration: float) -> bool:
    """Whether a buffer of ``duration`` s in which no speech was found is too short to tell: shorter
    than twice the shortest speech the model classifies (0.4 s for the default model), there is no
    room for that speech and the speech detector's onset around it."""
    return duration < 2.0 * judged_seconds(clf)


class _Table:
    """The readable output of ``classify`` (and ``--timeline``): one line per result in the
    layout of ``listen`` (:func:`~ser_edge.sinks.text.result_cells`); a header before the first
    row only on a terminal, so never when every input failed nor in a pipe."""

    def __init__(self, files: list[str], timeline: bool = False, header: bool | None = None) -> None:
        self.width = min(60, max(len(f) for f in files))
        self.timeline = timeline
        self.header = sys.stdout.isatty() if header is None else header
        self.started = False

    def _print(self, line: str) -> None:
        if not self.started:
            self.started = True
            if self.header:
                columns = f"{SPAN_HEADER}  {RESULT_HEADER}" if self.timeline else RESULT_HEADER
                print(f"{'FILE':<{self.width}}  {columns}", flush=True)
        print(line, flush=True)

    def row(self, path: str, pred: Prediction, short: bool = False) -> None:
        """A whole file's result (``short``: no label because it was too short to judge)."""
        if pred.label is None:
            self._print(f"{path:<{self.width}}  {TOO_SHORT if short else NO_SPEECH}")
            return
        self._print(f"{path:<{self.width}}  " + result_cells(pred.label, pred.confidence, pred.scores,
                                                             pred.calibration, pred.arousal, pred.valence))

    def event(self, path: str, event: Event) -> None:
        """One utterance of a ``--timeline``."""
        self._print(f"{path:<{self.width}}  {span(event.start, event.end)}  " + result_cells(
            event.label, event.confidence, event.scores, event.calibration, event.arousal, event.valence))

    def nothing(self, path: str, short: bool) -> None:
        """A ``--timeline`` in which no speech was found."""
        self._print(f"{path:<{self.width}}  {TOO_SHORT if short else NO_SPEECH}")


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


def _report(path: str, error: str, args: argparse.Namespace, progress: _Progress) -> None:
    """A file that failed: one line on stderr (and a JSON error object with --json)."""
    progress.clear()
    error_line(error)
    if args.json:
        emit_json({"file": path, "error": error})


def _print_result(clf: EmotionClassifier, result: FileResult, args: argparse.Namespace, table: _Table,
                  progress: _Progress) -> bool:
    """Print one file's result (a worker's log lines first); False when the file failed."""
    if result.logs:
        progress.clear()
        print("\n".join(result.logs), file=sys.stderr, flush=True)
    if result.error is not None:
        _report(result.path, result.error, args, progress)
        return False
    if result.events is not None:
        return _print_timeline(clf, result, args, table, progress)
    path, pred = result.path, result.prediction
    progress.clear()
    short = pred.label is None and too_short(clf, pred.duration)
    if args.json:
        emit_json({"file": path, **pred.to_dict(), **({"reason": "too short"} if short else {})})
    else:
        table.row(path, pred, short)
    found = ("too short to judge" if short else "no speech found" if not pred.speech
             else "speech found" if pred.utterances <= 1 else f"speech in {pred.utterances} utterances")
    details.info("%s: %.2f s at %s; %s; classified in %.3f s", path, pred.duration, file_rate(path, clf),
                 found, result.seconds)
    if pred.utterances > 1:  # a long file's result is the mean over its utterances
        print(f"{path}: {pred.utterances} utterances; see --timeline", file=sys.stderr, flush=True)
    return True


def file_rate(path: str, clf: EmotionClassifier) -> str:
    """A file's rate and how it reaches the model (for ``-v``)."""
    from ..audio.filestream import FileBlocks

    return resampling(FileBlocks(path).sample_rate, clf)


def _print_timeline(clf: EmotionClassifier, result: FileResult, args: argparse.Namespace, table: _Table,
                    progress: _Progress) -> bool:
    """Print a ``--timeline``'s events (and draw them with ``--plot``); False when the plot failed."""
    from ..audio.filestream import FileBlocks

    path, events = result.path, list(result.events)
    progress.clear()
    for event in events:
        if args.json:
            emit_json({"file": path, **event.to_dict()})
        else:
            table.event(path, event)
    if args.plot:
        try:
            write_plot(args.plot, path, events, clf.labels)
        except SerEdgeError as exc:
            _report(path, failure(path, exc), args, progress)
            return False
    duration = FileBlocks(path).duration
    if not events:
        short = too_short(clf, duration)
        if args.json:
            reason = {"reason": "too short"} if short else {}
            emit_json({"file": path, "label": None, "speech": False, "arousal": None, "valence": None,
                       **reason})
        else:
            table.nothing(path, short)
    details.info("%s: %.2f s at %s; %s; classified in %.3f s", path, duration, file_rate(path, clf),
                 count(len(events), "utterances with speech"), result.seconds)
    return True


def jobs_problem(args: argparse.Namespace) -> str | None:
    """Why ``--jobs`` cannot work with these arguments (one line), or None."""
    if args.jobs > 1 and getattr(args, "plot", None):
        return f"--jobs {args.jobs}: --plot draws one recording, there is nothing to share out"
    return None


def cmd_classify(args: argparse.Namespace) -> int:
    for problem in (plot_problem(args), jobs_problem(args)):  # before the model loads
        if problem is not None:
            error_line(problem)
            return EXIT_USAGE
    check_calibration(args, "classify")
    clf = load_classifier(args)
    progress = _Progress(len(args.files))
    files = _calibrate(clf, args, progress)
    table = _Table(args.files, timeline=args.timeline)
    ok = [len(files) == len(args.files)]
    jobs = min(args.jobs, len(files))
    if jobs > 1:  # a long file is read block by block: the progress line stays meanwhile
        results = in_workers(clf, files, args, jobs, progress.show)
    else:
        results = one_by_one(clf, files, bool(args.timeline), progress.show)
    for result in results:
        ok.append(_print_result(clf, result, args, table, progress))
    progress.clear()
    return EXIT_OK if all(ok) else EXIT_FAILED


def _calibrate(clf: EmotionClassifier, args: argparse.Namespace, progress: _Progress) -> list[str]:
    """With calibration options: the classifier's frozen calibration (``--calibration FILE``,
    plus with ``--calibrate`` every file's speech, gathered first); the files still to classify
    (a file that failed while gathering was reported once and is left out)."""
    state = classify_calibration(clf, args)
    if state is None or not args.calibrate:
        return list(args.files)
    observe = partial(observe_timeline, clf) if args.timeline else clf.observe_file  # as pass 2 cuts them
    files, added = gather(args.files, observe, progress.show,
                          lambda path, exc: _report(path, failure(path, exc), args, progress))
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


def add_classify_parser(sub: Subparsers) -> argparse.ArgumentParser:
    """The ``classify`` subcommand."""
    p = sub.add_parser("classify", help="classify audio files (one result per file)")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files (WAV, FLAC, OGG, MP3, ...)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--timeline", action="store_true",
                   help="classify each utterance of a long recording (one event per utterance)")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                   help="classify N files at a time in worker processes (default 1); results stay "
                        "in input order")
    add_plot_option(p)
    add_model_options(p)
    add_calibration_options(p, "classify")
    p.set_defaults(func=cmd_classify)
    return p


def add_info_parser(sub: Subparsers) -> argparse.ArgumentParser:
    """The ``info`` subcommand."""
    p = sub.add_parser("info", help="show the model's labels, frontend, training metadata and SHA-256")
    p.add_argument("--json", action="store_true", help="one JSON object")
    add_model_options(p)
    p.set_defaults(func=cmd_info)
    return p
