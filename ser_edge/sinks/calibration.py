"""A sink that keeps a stream's speaker calibration in its file (``listen --calibration FILE``).

It writes nothing of the events: it saves the :class:`~ser_edge.calibration.Calibration` the
classifier updates as it hears speech, every :data:`SAVE_EVERY` new utterances or after
:data:`SAVE_SECONDS` (checked at each event), and on ``close`` (every end of the stream), only
once it has learned something (never at start-up; a stream that heard no speech leaves the file
as it was). A save that fails is one warning; the stream goes on.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ..calibration import Calibration
from ..errors import CalibrationError
from ..stream.events import Event, StreamStats, count

#: Save after this many new utterances ...
SAVE_EVERY = 10
#: ... or at the first event this many seconds after the last save (when anything changed).
SAVE_SECONDS = 60.0


class StateKeeper:
    """Save ``state`` to ``path`` as it grows (see the module docstring); ``loaded``: the file
    already holds ``state`` (nothing to save until it changes). Messages go to ``logger``
    (default: this module's; the CLI passes its own so they show by default)."""

    def __init__(self, state: Calibration, path: Path, loaded: bool,
                 logger: logging.Logger | None = None) -> None:
        self.state, self.path = state, path
        self.tried = self.loaded = state.count  # the count at the last save attempt; at the load
        self.last = time.monotonic()
        self.in_file = loaded  # the file holds exactly this state
        self.closed = False
        self.log = logger or logging.getLogger(__name__)

    def __call__(self, _event: Event) -> None:
        new = self.state.count - self.tried
        if new >= SAVE_EVERY or (new > 0 and time.monotonic() - self.last >= SAVE_SECONDS):
            self.save()

    def save(self) -> bool:
        """Write the state atomically; False (and one warning) when that failed."""
        self.tried, self.last = self.state.count, time.monotonic()
        try:
            self.state.save(self.path)
        except CalibrationError as exc:
            self.log.warning("%s; listening goes on", exc)
            return False
        self.in_file = True
        return True

    def close(self, _stats: StreamStats | None = None) -> None:
        """Save once more unless the file already holds this state (a second call does nothing)."""
        if self.closed:
            return
        self.closed = True
        if self.state.count == self.loaded:  # learned nothing: the file is not touched
            self.log.info("calibration: nothing new heard, %s left as it was", self.path)
            return
        if (self.in_file and self.state.count == self.tried) or self.save():
            self.log.info("calibration: %s, saved to %s", count(self.state.count, "utterances"), self.path)
