"""A batch of files for ``ser-edge classify``: one at a time, or by ``--jobs N`` worker processes.

Either way the results come back in input order as :class:`FileResult` (a prediction, a
timeline's events, or the one-line error naming the file), so the printing is the same. With
``--jobs N`` each worker process loads its own classifier (the same ``--model``, ``--threads``
and calibration state, frozen) and classifies whole files; the parent prints each result as
soon as it and every result before it are done. A worker's log lines (e.g. a low sample rate
warning) travel with its result and are printed just before it, so stderr stays in input order.
A worker that dies (killed, out of memory) fails the files it had: one line each, exit status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from ..errors import SerEdgeError
from ..process import tune_allocator
from .common import OneLineFormatter, configure_logging, load_classifier

if TYPE_CHECKING:
    from ..classifier import EmotionClassifier, Prediction
    from ..stream.events import Event


@dataclass(frozen=True)
class FileResult:
    """What classifying one file gave: exactly one of ``prediction`` (a Prediction),
    ``events`` (``--timeline``: the file's events) or ``error`` (one line naming the file);
    ``seconds``: how long classifying it took; ``logs``: the library's log lines while a worker
    process classified it."""

    path: str
    prediction: Prediction | None = None
    events: tuple[Event, ...] | None = None
    error: str | None = None
    seconds: float = 0.0
    logs: tuple[str, ...] = ()


def failure(path: str, exc: SerEdgeError) -> str:
    """The error naming the file (a missing extra's message names only the package)."""
    text = str(exc)
    return text if path in text else f"{path}: {text}"


def classify_file(clf: EmotionClassifier, path: str, timeline: bool) -> FileResult:
    """Classify one file (``timeline``: its events, read block by block) into a FileResult."""
    started = time.perf_counter()
    try:
        if timeline:
            from ..stream.engine import timeline_file

            events = tuple(timeline_file(clf, path))  # block by block: any length in bounded memory
            return FileResult(path, events=events, seconds=time.perf_counter() - started)
        prediction = clf.predict_file(path)
        return FileResult(path, prediction=prediction, seconds=time.perf_counter() - started)
    except SerEdgeError as exc:
        return FileResult(path, error=failure(path, exc))


def one_by_one(clf: EmotionClassifier, files: Sequence[str], timeline: bool,
               on_start: Callable[[int, str], None]) -> Iterator[FileResult]:
    """The results of ``files`` classified in this process, in order; ``on_start(index, path)``
    before each."""
    for index, path in enumerate(files):
        on_start(index, path)
        yield classify_file(clf, path, timeline)


# --- worker processes ------------------------------------------------------------------------

class WorkerOptions(TypedDict):
    """What a worker process needs of the parent's options to load its classifier."""

    model: str | None
    threads: int
    verbose: int
    quiet: bool
    timeline: bool


class _Lines(logging.Handler):
    """Collects the formatted log lines of the file a worker is on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(OneLineFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class WorkerState(TypedDict, total=False):
    """A worker process's classifier, its --timeline flag and its captured log lines."""

    clf: EmotionClassifier
    timeline: bool
    lines: _Lines


#: The state of this process when it is a worker (set by the pool's initializer).
_worker: WorkerState = {}


def _start_worker(options: WorkerOptions, calibration: Mapping[str, object] | None) -> None:
    """Pool initializer: the classifier (``options``: model, threads, verbose, quiet, timeline)
    with the frozen calibration state (``Calibration.to_dict()``) when there is one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    tune_allocator()  # a worker process is ours as the parent is (ser_edge.process)
    configure_logging(options["verbose"], options["quiet"])
    root = logging.getLogger("ser_edge")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    lines = _Lines()
    root.addHandler(lines)
    clf = load_classifier(argparse.Namespace(model=options["model"], threads=options["threads"]))
    if calibration is not None:
        from ..calibration import Calibration

        clf.calibration, clf.adapt = Calibration.from_dict(calibration, clf.calibration_spec), False
    _worker.update(clf=clf, timeline=options["timeline"], lines=lines)


def _work(path: str) -> FileResult:
    """Classify one file in a worker; its log lines go with the result."""
    lines = _worker["lines"]
    lines.lines = []
    result = classify_file(_worker["clf"], path, _worker["timeline"])
    return dataclasses.replace(result, logs=tuple(lines.lines))


def in_workers(clf: EmotionClassifier, files: Sequence[str], args: argparse.Namespace, jobs: int,
               on_start: Callable[[int, str], None]) -> Iterator[FileResult]:
    """The results of ``files`` classified by ``jobs`` worker processes, in input order.

    ``clf`` (the parent's classifier, already loaded and checked) gives the frozen calibration
    state; ``on_start(index, path)`` is called when the parent starts waiting for a file.
    Workers are started with ``spawn`` (no copy of the parent's ONNX Runtime threads).
    """
    state = clf.calibration.to_dict() if clf.calibration is not None else None
    options = WorkerOptions(model=args.model, threads=args.threads, verbose=args.verbose,
                            quiet=args.quiet, timeline=bool(args.timeline))
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(options, state))
    futures: list[Future] = []
    try:
        futures += [pool.submit(_work, path) for path in files]
        for index, (path, future) in enumerate(zip(files, futures, strict=True)):
            on_start(index, path)
            try:
                yield future.result()
            except BrokenProcessPool:
                yield FileResult(path, error=f"{path}: the worker process classifying it ended "
                                             "unexpectedly (killed, or out of memory?)")
    finally:  # Ctrl-C, or the consumer stopped: the files not started are never started
        for future in futures:
            future.cancel()  # before the pool object goes (its own cancel_futures needs it alive)
        pool.shutdown(wait=False)
