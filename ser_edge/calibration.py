"""Speaker and device calibration: the statistics of the speech a device hears (issue 15).

A :class:`Calibration` accumulates, per speech utterance, the model input its
:class:`~ser_edge.config.CalibrationSpec` names (the F "functionals"): the count n, the sum S and
the sum of squares Q (float64, (F,)). :meth:`Calibration.statistics` blends them with the
model's training prior (mean, std), which weighs ``prior_utterances`` (k) utterances::

    m_s = S/n, v_s = max(Q/n - m_s^2, 0)
    mean = (n*m_s + k*prior_mean) / (n + k),  var = (n*v_s + k*prior_std^2) / (n + k)

so n = 0 gives exactly the prior and the first utterances move the statistics only a little.
Only speech is ever added: the classifier updates it with the utterances and windows it
classifies, which all hold speech (silence never reaches the model).

What the classifier does with them (issue 21, "calibration that never hurts"; measured on
EMOVO in ``benchmarks/results/emovo_calibration.md``): subtracting all of a voice's statistics
also subtracts its usual mood (a voice heard mostly angry loses part of its anger), so it

* feeds the model the speaker's shrunk **mean of the channel and register columns only**
  (:func:`register_mask`: where MFCCs, log-mel bands, F0 and the spectral centroid/roll-off lie,
  which a microphone or a voice shifts as a whole) and the prior's mean elsewhere, with the
  prior's std everywhere (:meth:`Calibration.register_statistics`): nothing of the voice's
  emotional spread is normalised away;
* and mixes the two outputs, ``p = (1 - w) * probs + w * probs_calibrated``
  (:func:`blend`), with ``w = MAX_WEIGHT * min(1, spread)`` (:meth:`Calibration.weight`):
  ``spread`` is how much the utterances heard vary against how much a training speaker's
  varied across all emotions (:meth:`Calibration.spread`), so an enrolment that sounds like
  one emotion (or one utterance) moves the output little or not at all.

Several speakers in one room share one state: the statistics then describe the household and
the microphone, not one voice.

Files (:meth:`Calibration.save`) are JSON, written atomically (a temporary file in the same
folder, fsync, rename, fsync of the folder). A write never replaces anything but a calibration
file of ser-edge (:func:`check_replaceable`): a recording, a text file, a folder, a symbolic
link or anything that is not JSON with ``"format": "ser-edge calibration"`` is left as it is
(CalibrationError, one line). Symbolic links are refused rather than followed: a rename
replaces the link itself, and writing to wherever a link points is writing out of place, so
the state is kept only in a regular file at the path given. :meth:`Calibration.open` refuses
such a path too; for a calibration file it cannot use (another model's, another version, bad
values) it returns a fresh state and a one-line warning, and the next save replaces that file.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import tempfile
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .config import CalibrationSpec
from .errors import CalibrationError
from .settings import is_whole

log = logging.getLogger(__name__)

#: The ``format`` and ``version`` of a calibration file.
FILE_FORMAT = "ser-edge calibration"
FILE_VERSION = 1
#: Largest calibration file read (bytes): a state of a few hundred statistics is ~20 kB.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: How every refusal to write over a file that is not a calibration file ends (listen, classify,
#: calibration reset and the API say the same).
NOT_REPLACED = "not replaced (name another file, or delete this one first)"


#: The largest share of the calibrated output in what the classifier returns (:func:`blend`);
#: chosen on EMOVO among 1, 1/2 and 1/3 (benchmarks/results/emovo_calibration.md).
MAX_WEIGHT = 1.0 / 3.0
#: The features whose location a microphone or a voice's register shifts as a whole: cepstra,
#: log-mel bands, F0 (semitones), spectral centroid and roll-off (name prefixes of the
#: statistics; ``d_mfcc`` deltas and energy describe dynamics and are not among them).
REGISTER_FEATURES = ("mfcc", "band", "f0_st", "centroid_khz", "rolloff_khz")
#: Location statistics: the mean, percentiles (``p10``...) and the bands' relative means.
LOCATION_STATISTIC = re.compile(r"_(mean|rel_mean|p\d+(\.\d+)?)$")


def register_mask(names: Sequence[str]) -> np.ndarray:
    """Which statistics describe the channel and the voice's register, bool (F,) of their
    ``names`` (e.g. ``ser_edge.frontend.frames16k.functional_names``): a location statistic
    (:data:`LOCATION_STATISTIC`) of a :data:`REGISTER_FEATURES` feature. Of the default model's
    234 functionals: 12 MFCCs x (mean, p10, p50, p90), 64 band means, F0 (mean, p10, p50, p90),
    centroid and roll-off (mean, p10, p50, p90): 124 columns."""
    return np.array([name.startswith(REGISTER_FEATURES) and LOCATION_STATISTIC.search(name) is not None
                     for name in names], dtype=bool)


def blend(uncalibrated: np.ndarray, calibrated: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - weight) * uncalibrated + weight * calibrated``: class probabilities (..., L) each,
    ``weight`` in [0, 1] (ValueError otherwise); a probability distribution again."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"calibration blend weight: expected a number in [0, 1], got {weight!r}")
    return (1.0 - weight) * np.asarray(uncalibrated) + weight * np.asarray(calibrated)


def now_utc() -> str:
    """The current time as ISO 8601 UTC with seconds, e.g. ``2024-05-01T12:00:00Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def spec_fingerprint(spec: CalibrationSpec) -> str:
    """16 hex digits naming what makes two models' statistics compatible: the statistics'
    name, their number F and the prior mean/std (6 significant digits)."""
    import hashlib  # here, not at import: _hashlib loads libcrypto (~3.6 MB RSS) for every command

    ident = {"statistics": spec.statistics, "n": spec.n_statistics,
             "mean": [f"{x:.6g}" for x in spec.mean], "std": [f"{x:.6g}" for x in spec.std]}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def shrunk_statistics(n: Any, mean: np.ndarray, var: np.ndarray, prior_mean: np.ndarray,
                      prior_var: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """The module docstring's blend, float64: (mean, std) (..., F) of ``n`` utterances (a count,
    or counts (..., 1)) whose statistics have mean ``mean`` and variance ``var`` (..., F each),
    with the prior (``prior_mean``, ``prior_var``: (F,)) weighing ``k`` utterances. The
    runtime's and the training's (export) statistics both come from here."""
    n = np.asarray(n, dtype=np.float64)
    return (n * mean + k * prior_mean) / (n + k), np.sqrt((n * var + k * prior_var) / (n + k))


def finite_vector(values: Any, n: int, what: str) -> np.ndarray:
    """``values`` as float64 (n,), every value finite (CalibrationError naming ``what`` otherwise)."""
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise CalibrationError(f"{what}: expected {n} numbers") from None
    if x.shape != (n,):
        raise CalibrationError(f"{what}: expected {n} numbers, got shape {list(x.shape)}")
    if not np.all(np.isfinite(x)):
        raise CalibrationError(f"{what}: non-finite value at index {int(np.argmin(np.isfinite(x)))}")
    return x


def read_json(path: Path) -> Any:
    """The JSON value in the regular file ``path`` (links followed), at most :data:`MAX_FILE_BYTES`.

    CalibrationError, one line naming the file: missing or unreadable, not a regular file, too
    large, not UTF-8 JSON.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise CalibrationError(f"{path}: {kind}, not a ser-edge calibration file")
        if info.st_size > MAX_FILE_BYTES:
            raise CalibrationError(f"{path}: {info.st_size} bytes, more than a calibration file "
                                   f"has ({MAX_FILE_BYTES}); not a ser-edge calibration file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read the calibration file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CalibrationError(f"{path}: not JSON, not a ser-edge calibration file (binary data, "
                               f"not UTF-8 text)") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CalibrationError(f"{path}: not JSON, not a ser-edge calibration file "
                               f"({str(exc).splitlines()[0][:120]})") from None


def format_problem(data: Any) -> str | None:
    """Why a JSON value is not a calibration file's object (None: it has our ``format``)."""
    if isinstance(data, Mapping) and data.get("format") == FILE_FORMAT:
        return None
    return f"not a ser-edge calibration file (no \"format\": \"{FILE_FORMAT}\")"


def replace_problem(path: Path) -> str | None:
    """Why ``path`` must not be replaced by a calibration file, one line naming it (None: it
    does not exist, or it is a regular file holding a ser-edge calibration of any model)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{path}: cannot be checked ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return (f"{path}: a symbolic link (to {os.readlink(path)}); ser-edge keeps its calibration "
                f"only in a regular file, never through a link")
    return content_problem(path)


def content_problem(path: Path) -> str | None:
    """Why the existing ``path`` (links followed) is not a calibration file of ser-edge, one line
    naming it (None: it is one, of any model)."""
    try:
        problem = format_problem(read_json(path))
    except CalibrationError as exc:
        return str(exc)
    return None if problem is None else f"{path}: {problem}"


def check_replaceable(path: str | Path) -> None:
    """CalibrationError, one line naming the file, unless a calibration file may be written to
    ``path``: nothing is there, or a regular file that is a ser-edge calibration (any model's,
    any version, even with bad values). Every writer calls it (listen, calibration reset,
    :meth:`Calibration.save`, :meth:`Calibration.open`)."""
    problem = replace_problem(Path(path))
    if problem is not None:
        raise CalibrationError(f"{problem}; {NOT_REPLACED}")


class Calibration:
    """The running statistics of one speaker/microphone for a model's :class:`CalibrationSpec`.

    ``count``: utterances added; ``sum``/``sumsq``: float64 (F,) sums of their statistics and of
    their squares; ``updated``: ISO UTC time of the last change (None: never). Thread-safe: a
    stream may update it while another thread saves it.
    """

    def __init__(self, spec: CalibrationSpec) -> None:
        self.spec = spec
        self.fingerprint = spec_fingerprint(spec)
        self._prior_mean = np.asarray(spec.mean, dtype=np.float64)
        self._prior_std = np.asarray(spec.std, dtype=np.float64)
        self._lock = threading.Lock()
        self.count = 0
        self.sum = np.zeros(spec.n_statistics)
        self.sumsq = np.zeros(spec.n_statistics)
        self.updated: str | None = None

    def __repr__(self) -> str:
        return (f"Calibration(count={self.count}, F={self.spec.n_statistics}, "
                f"fingerprint={self.fingerprint!r})")

    @property
    def active(self) -> bool:
        """True when the model's calibrated output is used: ``count >= spec.min_utterances``."""
        return self.count >= self.spec.min_utterances

    def update(self, functionals: np.ndarray) -> None:
        """Add one speech utterance's statistics (F,) (ValueError for another shape or non-finite)."""
        x = np.asarray(functionals, dtype=np.float64)
        n = self.spec.n_statistics
        if x.shape != (n,):
            raise ValueError(f"calibration update: expected {self.spec.statistics} of shape ({n},), "
                             f"got {list(x.shape)}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"calibration update: {self.spec.statistics} hold non-finite values")
        with self._lock:
            self.count += 1
            self.sum += x
            self.sumsq += x * x
            self.updated = now_utc()

    def statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """The shrunk (mean, std), float32 (F,) each (:func:`shrunk_statistics`)."""
        with self._lock:
            n, s, q = self.count, self.sum.copy(), self.sumsq.copy()
        if n == 0:
            return self._prior_mean.astype(np.float32), self._prior_std.astype(np.float32)
        m_s = s / n
        v_s = np.maximum(q / n - m_s * m_s, 0.0)
        mean, std = shrunk_statistics(n, m_s, v_s, self._prior_mean, self._prior_std * self._prior_std,
                                      float(self.spec.prior_utterances))
        return mean.astype(np.float32), std.astype(np.float32)

    def register_statistics(self, register: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What the classifier feeds the model, float32 (F,) each: the mean of
        :meth:`statistics` where ``register`` (bool (F,), :func:`register_mask`) is True and the
        prior mean elsewhere; the prior std everywhere (the speaker's spread is not removed)."""
        mask = np.asarray(register, dtype=bool)
        if mask.shape != self._prior_mean.shape:
            raise ValueError(f"calibration register: expected {self.spec.n_statistics} flags, "
                             f"got shape {list(mask.shape)}")
        mean, _ = self.statistics()
        return (np.where(mask, mean, self._prior_mean).astype(np.float32),
                self._prior_std.astype(np.float32))

    def spread(self) -> float:
        """How varied the utterances heard are, >= 0: the mean over the F statistics of their
        variance (unbiased, n - 1) over the prior's variance, which is a training speaker's
        over all its emotions (1: as varied as that; utterances of one emotion give about a
        half, repeated ones 0). 0 before two utterances."""
        with self._lock:
            n, s, q = self.count, self.sum.copy(), self.sumsq.copy()
        if n < 2:
            return 0.0
        var = np.maximum(q - s * s / n, 0.0) / (n - 1)
        return float(np.mean(var / (self._prior_std * self._prior_std)))

    def weight(self) -> float:
        """The calibrated output's share in [0, :data:`MAX_WEIGHT`] (:func:`blend`):
        ``MAX_WEIGHT * min(1, spread())``; 0 before two utterances."""
        return MAX_WEIGHT * min(1.0, self.spread())

    def reset(self) -> None:
        """Forget every utterance (back to the prior)."""
        with self._lock:
            self.count = 0
            self.sum[:] = 0.0
            self.sumsq[:] = 0.0
            self.updated = now_utc()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a calibration file."""
        with self._lock:
            return {"format": FILE_FORMAT, "version": FILE_VERSION, "fingerprint": self.fingerprint,
                    "statistics": self.spec.statistics, "count": self.count,
                    "sum": self.sum.tolist(), "sumsq": self.sumsq.tolist(),
                    "updated": self.updated or now_utc()}

    @classmethod
    def from_dict(cls, data: Any, spec: CalibrationSpec) -> Calibration:
        """The state a :meth:`to_dict` object holds, for a model with ``spec``.

        CalibrationError (no file name) for another format or version, another model's
        fingerprint, or bad values (count not a whole number >= 0, sums of another length or
        not finite, negative sums of squares).
        """
        problem = format_problem(data)
        if problem is not None:
            raise CalibrationError(problem)
        if data.get("version") != FILE_VERSION:
            raise CalibrationError(f"calibration file version {data.get('version')!r}, "
                                   f"this ser-edge reads version {FILE_VERSION}")
        state = cls(spec)
        if data.get("fingerprint") != state.fingerprint:
            raise CalibrationError(f"made for another model (fingerprint {data.get('fingerprint')!r}, "
                                   f"this model's is {state.fingerprint!r})")
        count = data.get("count")
        if not is_whole(count, 0):
            raise CalibrationError(f"bad values: count {count!r}, expected a whole number >= 0")
        total = finite_vector(data.get("sum"), spec.n_statistics, "bad values: sum")
        squares = finite_vector(data.get("sumsq"), spec.n_statistics, "bad values: sumsq")
        if np.any(squares < 0):
            raise CalibrationError("bad values: sumsq holds negative values")
        updated = data.get("updated")
        state.count, state.sum, state.sumsq = count, total, squares
        state.updated = updated if isinstance(updated, str) else None
        return state

    def save(self, path: str | Path) -> None:
        """Write the state to ``path`` atomically: a temporary file in the same folder (the old
        file's permissions, else 0600), flushed and fsynced, renamed over ``path``, then the
        folder fsynced (an old file stays whole if anything fails).

        CalibrationError naming the file when it cannot be written, or when ``path`` is
        something a calibration must not replace (:func:`check_replaceable`).
        """
        p = Path(path)
        check_replaceable(p)
        text = json.dumps(self.to_dict(), indent=1) + "\n"
        tmp = None
        try:
            mode = stat.S_IMODE(p.stat().st_mode) if p.exists() else None
            fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                if mode is not None:
                    os.fchmod(fh.fileno(), mode)
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
            tmp = None
            sync_folder(p.parent)
        except OSError as exc:
            raise CalibrationError(f"{p}: cannot save the calibration ({exc.strerror or exc})") from None
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        log.debug("%s: calibration saved (%d utterances)", p, self.count)

    @classmethod
    def load(cls, path: str | Path, spec: CalibrationSpec) -> Calibration:
        """Read a state :meth:`save` wrote, for a model with ``spec`` (a link is followed: reading
        is safe).

        CalibrationError, one line naming the file and the problem: missing or unreadable,
        not a regular file, not JSON, not a ser-edge calibration file, made for another model
        (fingerprint), bad values. Callers decide whether to start fresh (:meth:`open` does).
        """
        p = Path(path)
        data = read_json(p)
        try:
            return cls.from_dict(data, spec)
        except CalibrationError as exc:
            raise CalibrationError(f"{p}: {exc}") from None

    @classmethod
    def open(cls, path: str | Path, spec: CalibrationSpec) -> tuple[Calibration, str | None]:
        """The state in ``path`` when it exists and is usable, else a fresh one, and a warning.

        CalibrationError (one line, nothing read or written) when ``path`` is not something a
        calibration may replace (:func:`check_replaceable`: a recording, a text file, a folder,
        a link). A calibration file that cannot be used (another model's, another version, bad
        values) gives a fresh state and a one-line warning (None when all went well); it is
        left as it is and the next :meth:`save` to ``path`` replaces it.
        """
        p = Path(path)
        check_replaceable(p)
        if not p.exists():
            return cls(spec), None
        try:
            return cls.load(p, spec), None
        except CalibrationError as exc:
            return cls(spec), f"{exc}; starting a fresh calibration (the next save replaces the file)"


def sync_folder(folder: Path) -> None:
    """fsync a folder so that a rename in it survives a power cut (best effort: some file
    systems cannot)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
