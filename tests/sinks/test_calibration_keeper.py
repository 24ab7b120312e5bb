"""The sink that keeps listen's speaker calibration in its file: when it saves, and a save that fails."""

from __future__ import annotations

import json
import logging

import numpy as np

from ser_edge.calibration import Calibration
from ser_edge.config import CalibrationSpec
from ser_edge.sinks.calibration import SAVE_EVERY, StateKeeper
from ser_edge.stream.events import Event

#: A small calibration contract: 4 statistics, prior (0, 1) each.
SPEC = CalibrationSpec(mean=(0.0, 0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0, 1.0))
EVENT = Event(0.0, 1.0, "calm", 0.9, {"calm": 0.9})


def _count(path) -> int:
    return json.loads(path.read_text())["count"]


def test_state_keeper_saves_every_n_utterances(tmp_path):
    state, path = Calibration(SPEC), tmp_path / "calibration.json"
    keeper = StateKeeper(state, path, loaded=False)
    heard = np.ones(4)
    for _ in range(SAVE_EVERY - 1):
        state.update(heard)
        keeper(EVENT)
    assert not path.exists()
    state.update(heard)
    keeper(EVENT)
    assert _count(path) == SAVE_EVERY
    state.update(heard)
    keeper(EVENT)
    assert _count(path) == SAVE_EVERY  # not yet
    keeper.close()
    assert _count(path) == SAVE_EVERY + 1
    keeper.close()  # a second close does nothing
    assert Calibration.load(path, SPEC).count == SAVE_EVERY + 1


def test_state_keeper_save_failure_is_one_warning(tmp_path, caplog):
    state = Calibration(SPEC)
    keeper = StateKeeper(state, tmp_path / "gone" / "calibration.json", loaded=False)
    for _ in range(SAVE_EVERY):
        state.update(np.ones(4))
    with caplog.at_level(logging.WARNING, logger="ser_edge"):
        keeper(EVENT)  # does not raise: listening goes on
        keeper(EVENT)  # no new utterance: no second attempt
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cannot save the calibration" in warnings[0]
    assert warnings[0].endswith("; listening goes on")


def test_state_keeper_logs_to_the_logger_it_is_given(tmp_path, caplog):
    """The CLI passes its own logger, so "saved to" shows by default (the library's INFO does not)."""
    path = tmp_path / "calibration.json"
    state = Calibration(SPEC)
    keeper = StateKeeper(state, path, loaded=False, logger=logging.getLogger("ser_edge.cli"))
    state.update(np.ones(4))
    with caplog.at_level(logging.INFO, logger="ser_edge"):
        keeper.close()
    saved = [r for r in caplog.records if "saved to" in r.getMessage()]
    assert [r.name for r in saved] == ["ser_edge.cli"] and _count(path) == 1


def test_state_keeper_that_learned_nothing_leaves_the_file_alone(tmp_path, caplog):
    """A stream that heard no speech does not touch the file (not even to write the same state)."""
    path = tmp_path / "calibration.json"
    state = Calibration(SPEC)
    state.update(np.ones(4))
    state.save(path)
    before = path.stat().st_mtime_ns
    keeper = StateKeeper(Calibration.load(path, SPEC), path, loaded=True)
    with caplog.at_level(logging.INFO, logger="ser_edge"):
        keeper(EVENT)
        keeper.close()
    assert path.stat().st_mtime_ns == before and _count(path) == 1
    assert any("nothing new heard" in r.getMessage() for r in caplog.records)
