"""stream.mic without a microphone: a fake sounddevice module stands in for PortAudio."""

from __future__ import annotations

import numpy as np
import pytest

from ser_edge.errors import DeviceError
from ser_edge.stream import mic

from support.fake_sounddevice import FakeSoundDevice


@pytest.fixture
def fake(monkeypatch):
    sd = FakeSoundDevice()
    monkeypatch.setattr(mic, "_sounddevice", lambda: sd)
    return sd


def test_choose_rate_follows_the_models_lowest_fine_rate(fake):
    # The threshold used to be a hard-coded 22050 Hz whatever the model.
    assert mic.choose_rate(1, min_rate=16000) == 16000  # the default is measured fine: keep it
    assert mic.choose_rate(1, min_rate=22050) == 48000  # too low for this model: the best accepted
    assert mic.choose_rate(1) == 16000
    assert mic.choose_rate(1, requested=8000, min_rate=22050) == 8000
    with pytest.raises(DeviceError, match="accepts none of the rates"):
        mic.choose_rate(1, requested=44100)


def test_a_lost_device_is_reopened_without_rescanning_when_it_is_back(fake):
    # The source used to call sounddevice's private _terminate()/_initialize() on every reopen.
    source = mic.MicSource(1, min_rate=16000)
    assert source.sample_rate == 16000 and not hasattr(source, "close_error")
    source._open()
    source.close()
    source._reopen()
    assert fake.rescans == 0 and source.reconnects == 1
    source.close()
    fake.fail_opens = 1  # not back under its old index: rescan once, find it by name, reopen
    source._reopen()
    assert fake.rescans == 1 and source.reconnects == 2
    source._callback(np.zeros((4, 1), np.float32), 4, None, None)
    assert source._queue.get(0.1)[1].shape == (4,)
    source.close()


def test_open_input_passes_the_models_lowest_fine_rate_to_the_device(fake):
    from ser_edge.stream.sources import open_input

    assert open_input(device=1, min_rate=22050).sample_rate == 48000
    assert open_input(device="USB", min_rate=16000).sample_rate == 16000
