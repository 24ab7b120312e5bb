"""A batch of files for ``ser-edge classify``: one at a time, or by ``--jobs N`` worker processes.

Either way the results come back in input order as :class:`FileResult` (a prediction, a
timeline's events, or the one-line error naming the file), so the printing is the same. With
``--jobs N`` worker processes classify whole files with the parent's classifier (forked with
it, or spawned and loading the same ``--model``, ``--threads`` and frozen calibration state:
:func:`_pool`); the parent prints each result as
soon as it and every result before it are done. A worker's log lines (e.g. a low sample rate
warning) travel with its result and are printed just before it, so stderr stays in input order.
A worker that dies (killed, out of memory) fails the files it had: one line each, exit status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from ..errors import SerEdgeError
from ..process import tune_allocator
from .common import OneLineFormatter, configure_logging, load_classifier

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

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


def _capture_logs() -> _Lines:
    """In a worker: Ctrl-C left to the parent, the ``ser_edge`` log lines collected per file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    root = logging.getLogger("ser_edge")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    lines = _Lines()
    root.addHandler(lines)
    return lines


def _adopt_parent(clf: EmotionClassifier, timeline: bool) -> None:
    """Initializer of a forked worker: the parent's classifier, already loaded (pages shared
    until written), its calibration frozen; its log levels and allocator settings."""
    _worker.update(clf=clf, timeline=timeline, lines=_capture_logs())


def _start_worker(options: WorkerOptions, calibration: Mapping[str, object] | None) -> None:
    """Initializer of a spawned worker: the classifier (``options``: model, threads, verbose,
    quiet, timeline) with the frozen calibration state (``Calibration.to_dict()``), if any."""
    tune_allocator()  # a worker process is ours as the parent is (ser_edge.process)
    configure_logging(options["verbose"], options["quiet"])
    lines = _capture_logs()
    clf = load_classifier(argparse.Namespace(model=options["model"], threads=options["threads"]))
    if calibration is not None:
        from ..calibration import Calibration

        clf.calibration, clf.adapt = Calibration.from_dict(calibration, clf.calibration_spec), False
    _worker.update(clf=clf, timeline=options["timeline"], lines=lines)


def _pool(clf: EmotionClassifier, args: argparse.Namespace, jobs: int) -> ProcessPoolExecutor:
    """``jobs`` worker processes: forked from this one where the platform forks and ONNX Runtime
    runs one thread (no thread pool a fork would lose), so they start in milliseconds with the
    loaded classifier; otherwise spawned, each loading the model (~0.5 s of CPU).
    multiprocessing and concurrent.futures are imported here: 3 MB of RSS of every command
    otherwise."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" in multiprocessing.get_all_start_methods() and args.threads == 1:
        return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_adopt_parent, initargs=(clf, bool(args.timeline)))
    state = clf.calibration.to_dict() if clf.calibration is not None else None
    options = WorkerOptions(model=args.model, threads=args.threads, verbose=args.verbose,
                            quiet=args.quiet, timeline=bool(args.timeline))
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(options, state))


def _work(paths: list[str]) -> list[FileResult]:
    """Classify a few files in a worker; each file's log lines go with its result."""
    lines, results = _worker["lines"], []
    for path in paths:
        lines.lines = []
        result = classify_file(_worker["clf"], path, _worker["timeline"])
        results.append(dataclasses.replace(result, logs=tuple(lines.lines)))
    return results


#: Most files one task of a worker holds: a task is one round trip between the processes, which
#: a loaded machine makes slow; a few tasks per worker still share the files out evenly.
MAX_TASK_FILES = 16


def _tasks(files: Sequence[str], jobs: int) -> list[list[str]]:
    """``files`` cut into consecutive tasks of up to MAX_TASK_FILES, at least 4 per worker."""
    size = max(1, min(MAX_TASK_FILES, len(files) // (4 * jobs)))
    return [list(files[i:i + size]) for i in range(0, len(files), size)]


def in_workers(clf: EmotionClassifier, files: Sequence[str], args: argparse.Namespace, jobs: int,
               on_start: Callable[[int, str], None]) -> Iterator[FileResult]:
    """The results of ``files`` classified by ``jobs`` worker processes, in input order.

    ``clf`` (the parent's classifier, already loaded and checked, its calibration frozen) is
    what the workers classify with (see :func:`_pool`); ``on_start(index, path)`` is called
    when the parent starts waiting for a file.
    """
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(clf, args, jobs)
    tasks, futures = _tasks(files, jobs), []
    index = 0
    try:
        futures += [pool.submit(_work, task) for task in tasks]
        for task, future in zip(tasks, futures, strict=True):
            on_start(index, task[0])
            try:
                results = future.result()
            except BrokenProcessPool:
                why = "the worker process classifying it ended unexpectedly (killed, or out of memory?)"
                results = [FileResult(path, error=f"{path}: {why}") for path in task]
            for result in results:
                on_start(index, result.path)
                index += 1
                yield result
    finally:  # Ctrl-C, or the consumer stopped: the files not started are never started
        for future in futures:
            future.cancel()  # before the pool object goes (its own cancel_futures needs it alive)
        pool.shutdown(wait=False)
