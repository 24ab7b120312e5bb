"""Speaker calibration on the command line: the ``--calibrate``/``--calibration`` options of
``classify`` and ``listen``, the state each starts from, and ``ser-edge calibration
show|reset FILE``.

``listen --calibration FILE`` loads FILE at start (another model's, or bad values: one warning,
a fresh state); the sink :class:`~ser_edge.sinks.calibration.StateKeeper` saves it every
:data:`~ser_edge.sinks.calibration.SAVE_EVERY` new utterances or
:data:`~ser_edge.sinks.calibration.SAVE_SECONDS` seconds (at the next event) and on every exit,
once it has learned something; a save that fails is one warning and listening goes on. A FILE
that is not a calibration file of ser-edge (a recording, a text file, a folder, a symbolic link)
is refused before the model loads (exit 2) and never replaced, with the message of
``calibration reset``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..calibration import NOT_REPLACED, Calibration, check_replaceable, content_problem
from ..config import CalibrationSpec
from ..errors import CalibrationError, SerEdgeError
from ..frontend.frames16k.spec import Frames16kSpec
from ..sinks.calibration import SAVE_EVERY, SAVE_SECONDS, StateKeeper
from ..stream.events import count
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_model_options,
    emit_json,
    error_line,
    load_model,
    log,
    model_frontend,
)

if TYPE_CHECKING:
    from ..classifier import EmotionClassifier
    from ..frontend import FrontendSpec
    from ..model import EmotionModel
    from .common import Subparsers

#: The reference of the frame frontend's F0 semitones is Frames16kSpec.semitone_ref_hz.
F0_MEAN, CENTROID_MEAN = "f0_st_mean", "centroid_khz_mean"


def add_calibration_options(parser: argparse.ArgumentParser, command: str) -> None:
    """``--calibrate``, ``--calibration FILE`` (and ``--no-adapt`` for listen)."""
    g = parser.add_argument_group(
        "speaker calibration (models that support it)",
        "off unless asked for: it can help or hurt (README: where calibration helps and where it hurts)")
    if command == "listen":
        g.add_argument("--calibrate", action="store_true",
                       help="adapt to the voices and the microphone heard, in memory")
        g.add_argument("--calibration", metavar="FILE",
                       help="keep the calibration in FILE (implies --calibrate): load it at start (another "
                            "model's: a warning and a fresh start; a file that is not a calibration file is "
                            f"refused, never replaced), save it every {SAVE_EVERY} utterances or "
                            f"{SAVE_SECONDS:g} s and on exit, once speech was heard")
        g.add_argument("--no-adapt", action="store_true",
                       help="with --calibration FILE: classify with the saved state as it is, "
                            "never change FILE")
        return
    g.add_argument("--calibrate", action="store_true",
                   help="the files come from one speaker and microphone: gather their statistics first, "
                        "then classify each with them")
    g.add_argument("--calibration", metavar="FILE",
                   help="classify with the state saved in FILE (read only; with --calibrate the files' "
                        "statistics are added to it in memory)")


def calibration_wanted(args: argparse.Namespace) -> bool:
    """Whether the options ask for a calibration."""
    return bool(args.calibrate or args.calibration)


def check_calibration(args: argparse.Namespace, command: str) -> None:
    """UsageError (before the model loads) for --no-adapt without a file, a file in a folder that
    does not exist, a FILE that is not a calibration file (listen would replace it, classify
    cannot read it: a recording, a text file, a folder, a link for listen; the message of
    ``calibration reset``), or calibration options with a model that has no calibration."""
    if getattr(args, "no_adapt", False) and not args.calibration:
        raise UsageError(f"{command}: --no-adapt needs --calibration FILE (a saved state to use as it is)")
    if args.calibration:
        check_file(Path(args.calibration), command, writes=command == "listen" and not args.no_adapt)
    if calibration_wanted(args):
        frontend = model_frontend(args.model)  # None: unreadable, the load says why
        if frontend is not None and getattr(frontend, "calibration", None) is None:
            raise UsageError(no_calibration(args, command))


def check_file(path: Path, command: str, writes: bool) -> None:
    """UsageError for a --calibration FILE the command cannot use: one it would write (``writes``)
    must be absent or a calibration file in an existing folder; one it only reads must exist
    and be a calibration file (links followed)."""
    if writes and not path.parent.is_dir():
        raise UsageError(f"{command}: --calibration {path}: folder {path.parent} does not exist")
    if writes:
        try:
            check_replaceable(path)
        except CalibrationError as exc:
            raise UsageError(str(exc)) from None
    elif command == "classify":
        if not path.exists():
            raise UsageError(f"{path}: cannot read the calibration file (No such file or directory)")
        problem = content_problem(path)
        if problem is not None:
            raise UsageError(f"{problem}; {NOT_REPLACED}")


def no_calibration(args: argparse.Namespace, command: str) -> str:
    """The usage error of calibration options (or the calibration command) with a model that has none."""
    flag = "--calibration" if getattr(args, "calibration", None) else "--calibrate"
    if command.startswith("calibration"):
        command, flag = "calibration", "a calibration file"
    name = "the default model" if args.model is None else f"model {args.model}"
    return (f"{command}: {flag} needs a model with speaker calibration; {name} has none "
            f"(its ser_edge.frontend metadata has no 'calibration' key)")


def model_calibration(classifier: EmotionClassifier, args: argparse.Namespace,
                      command: str) -> CalibrationSpec:
    """The loaded model's CalibrationSpec; UsageError when it has none."""
    spec = classifier.calibration_spec
    if spec is None:
        raise UsageError(no_calibration(args, command))
    return spec


def start_calibration(classifier: EmotionClassifier, args: argparse.Namespace) -> StateKeeper | None:
    """Give ``listen``'s classifier the calibration the options ask for; the sink that saves
    it (None without --calibration FILE, or with --no-adapt)."""
    if not calibration_wanted(args):
        return None
    spec = model_calibration(classifier, args, "listen")
    if not args.calibration:
        classifier.calibration = Calibration(spec)
        return None
    path = Path(args.calibration)
    if args.no_adapt:
        classifier.calibration, classifier.adapt = frozen_state(path, spec), False
        return None
    try:
        state, warning = Calibration.open(path, spec)
    except CalibrationError as exc:  # replaced since the check: refuse now as then
        raise UsageError(str(exc)) from None
    if warning is not None:
        log.warning("%s", warning)
    classifier.calibration = state
    if path.exists() and warning is None:
        log.info("calibration: %s from %s", count(state.count, "utterances"), path)
    else:
        log.info("calibration: starting fresh, saved to %s once speech was heard", path)
    return StateKeeper(state, path, loaded=warning is None and path.exists(), logger=log)


def frozen_state(path: Path, spec: CalibrationSpec) -> Calibration:
    """``listen --calibration FILE --no-adapt``'s state: FILE's, used as it is and never written;
    a file that cannot be used gives one warning and the uncalibrated model (FILE left alone)."""
    try:
        state = Calibration.load(path, spec)
    except CalibrationError as exc:
        log.warning("%s; classifying uncalibrated (--no-adapt: the file is left as it is)", exc)
        return Calibration(spec)
    log.info("calibration: %s from %s (frozen: --no-adapt)", count(state.count, "utterances"), path)
    return state


def gather(files: list[str], observe: Callable[[str], int], on_file: Callable[[int, str], None],
           on_error: Callable[[str, SerEdgeError], None]) -> tuple[list[str], int]:
    """``classify --calibrate``'s first pass: ``observe(path)`` adds a file's speech to the
    calibration and says how many utterances; the files that worked and the utterances added.
    ``on_file(index, path)`` is called before each file, ``on_error(path, exc)`` for one that failed."""
    good, added = [], 0
    for index, path in enumerate(files):
        on_file(index, path)
        try:
            added += observe(path)
        except SerEdgeError as exc:
            on_error(path, exc)
            continue
        good.append(path)
    return good, added


def observe_timeline(classifier: EmotionClassifier, path: str) -> int:
    """Add a file's utterances to the classifier's calibration as ``--timeline`` cuts them (the
    stream engine's segmentation; the events are dropped); the utterances added."""
    from ..stream.engine import timeline_file

    before, classifier.adapt = classifier.calibration.count, True
    try:
        timeline_file(classifier, path)
    finally:
        classifier.adapt = False
    return classifier.calibration.count - before


def classify_calibration(classifier: EmotionClassifier, args: argparse.Namespace) -> Calibration | None:
    """The state ``classify`` starts from (None without calibration options): the file
    ``--calibration`` names (CalibrationError, exit 2, when it cannot be used) or a fresh one."""
    if not calibration_wanted(args):
        return None
    spec = model_calibration(classifier, args, "classify")
    state = Calibration.load(args.calibration, spec) if args.calibration else Calibration(spec)
    classifier.calibration, classifier.adapt = state, False
    return state


# --- ser-edge calibration show|reset -------------------------------------------------------


def calibrated_model(args: argparse.Namespace) -> EmotionModel:
    """The model ``--model`` names; UsageError when it has no calibration."""
    model = load_model(args)
    if model.calibration_spec is None:
        raise UsageError(no_calibration(args, f"calibration {args.action}"))
    return model


def describe(state: Calibration, frontend: FrontendSpec) -> dict[str, dict[str, float | None]]:
    """What the state says in figures a person can read: the mean F0 (Hz) and spectral centroid
    (kHz) of the speech heard vs the training voices', ``{"f0_hz": {"heard", "training"},
    "centroid_khz": {...}}`` (``heard`` None before any speech); {} unless the statistics are the
    functionals of the model's ``frontend`` (frames16k), whose names locate the two figures."""
    from ..frontend.frames16k.pooling import functional_names

    if not isinstance(frontend, Frames16kSpec) or state.spec.statistics != "functionals":
        return {}
    names = functional_names(frontend)
    if len(names) != state.spec.n_statistics:
        return {}
    heard = state.sum / state.count if state.count else None

    def hz(semitones: float) -> float:  # F0 functionals are semitones re frontend.semitone_ref_hz
        return frontend.semitone_ref_hz * 2.0 ** (semitones / 12.0)

    out = {}
    for key, name, convert in (("f0_hz", F0_MEAN, hz), ("centroid_khz", CENTROID_MEAN, float)):
        i = names.index(name)
        out[key] = {"heard": None if heard is None else round(float(convert(heard[i])), 2),
                    "training": round(float(convert(state.spec.mean[i])), 2)}
    return out


def show_lines(path: str, state: Calibration, model_name: str, frontend: FrontendSpec) -> list[str]:
    """The lines ``calibration show`` prints."""
    lines = [f"{path}: {count(state.count, 'utterances')}, updated {state.updated or 'never'}",
             f"model: {model_name} (fingerprint {state.fingerprint}, matches)"]
    figures = describe(state, frontend)
    if figures and state.count:
        f0, centroid = figures["f0_hz"], figures["centroid_khz"]
        lines.append(f"speech heard: mean F0 {f0['heard']:.0f} Hz, spectral centroid "
                     f"{centroid['heard']:.2f} kHz (training voices: {f0['training']:.0f} Hz, "
                     f"{centroid['training']:.2f} kHz)")
    elif not state.count:
        lines.append("nothing heard yet: the model's training statistics are used")
    return lines


def reset(path: str, spec: CalibrationSpec, model_name: str) -> int:
    """Write an empty state for the model to ``path`` (atomic); a file there that is not a
    ser-edge calibration file (of any model) is left alone (CalibrationError: check_replaceable)."""
    Calibration(spec).save(path)  # refuses a file that is not a calibration file (check_replaceable)
    print(f"{path}: calibration reset (0 utterances, for {model_name})", flush=True)
    return EXIT_OK


def cmd_calibration(args: argparse.Namespace) -> int:
    model = calibrated_model(args)
    spec, model_name, frontend = model.calibration_spec, Path(str(model.path)).name, model.spec.frontend
    try:
        if args.action == "reset":
            return reset(args.file, spec, model_name)
        state = Calibration.load(args.file, spec)
    except CalibrationError as exc:
        error_line(str(exc))
        return EXIT_FAILED
    if args.json:
        emit_json({"file": args.file, "count": state.count, "updated": state.updated,
                   "fingerprint": state.fingerprint, "model": model_name, "matches": True,
                   "active": state.active, **describe(state, frontend)})
    else:
        print("\n".join(show_lines(args.file, state, model_name, frontend)), flush=True)
    return EXIT_OK


def add_calibration_parser(sub: Subparsers) -> argparse.ArgumentParser:
    """The ``calibration`` subcommand: ``show FILE`` and ``reset FILE``."""
    p = sub.add_parser("calibration", help="show or reset a speaker calibration file (listen --calibration)")
    p.add_argument("action", choices=("show", "reset"),
                   help="show: what the file holds and whether it fits the model; reset: an empty state")
    p.add_argument("file", metavar="FILE", help="the calibration file")
    p.add_argument("--json", action="store_true", help="show: one JSON object")
    add_model_options(p)
    p.set_defaults(func=cmd_calibration)
    return p

