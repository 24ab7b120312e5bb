"""How ``listen`` stops: SIGINT/SIGTERM end the stream cleanly, the utterance in progress still
classified, the summary still written and the exit status 0.

A signal never interrupts the processing of a block (the engine's state stays whole and can
be flushed): :class:`StopSignals` only notes it there and raises
:class:`~ser_edge.stream.engine.StopListening` when the block is done.
"""

from __future__ import annotations

import signal
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..stream.events import Event


class StopSignals:
    """SIGINT/SIGTERM raise StopListening, but never inside a block's processing.

    While ``deferred()`` is active (the engine works on a block) a signal is only noted and
    raised when the block is done, so the engine's state stays whole and can be flushed.
    :meth:`installed` sets it as the handler of both signals for the time of a ``with``.
    """

    def __init__(self) -> None:
        self.busy, self.pending = False, ""

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        from ..stream.engine import StopListening

        name = signal.Signals(signum).name
        if self.busy:
            self.pending = name
            return
        raise StopListening(name)

    def deferred(self) -> StopSignals:
        return self

    def __enter__(self) -> None:
        self.busy = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        from ..stream.engine import StopListening

        self.busy = False
        if exc_type is None and self.pending:
            raise StopListening(self.pending)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """The handler of SIGTERM and SIGINT inside the ``with`` (the previous ones after it);
        Ctrl-C works even when started with SIGINT ignored (a background job of a
        non-interactive shell)."""
        previous_term = signal.signal(signal.SIGTERM, self)
        previous_int = signal.signal(signal.SIGINT, self)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous_term)
            signal.signal(signal.SIGINT, previous_int)


def rest(events: Generator[Event, None, None]) -> Iterator[Event]:
    """The events ``listen`` still gives once told to stop (the segment in progress)."""
    from ..stream.engine import StopListening

    try:
        first = events.throw(StopListening("stop"))
    except StopIteration:
        return
    yield first
    yield from events
