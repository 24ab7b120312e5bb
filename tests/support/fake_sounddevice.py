"""A stand-in for the sounddevice module (PortAudio): two devices, rates, failing opens, rescans."""

from __future__ import annotations

import types


class FakeStream:
    def __init__(self, fake: FakeSoundDevice, **kwargs) -> None:
        if fake.fail_opens > 0:
            fake.fail_opens -= 1
            raise fake.PortAudioError("device unavailable")
        self.kwargs, self.active = kwargs, True

    def start(self) -> None: ...

    def abort(self) -> None:
        self.active = False

    def close(self) -> None: ...


class FakeSoundDevice(types.SimpleNamespace):
    """Two inputs; device 1 has a 16 kHz default and accepts only the rates in ``accepts``."""

    class PortAudioError(Exception):
        pass

    def __init__(self) -> None:
        super().__init__(default=types.SimpleNamespace(device=(1, None)), rescans=0, fail_opens=0,
                         accepts={48000, 16000, 8000})
        self.devices = [
            {"name": "Out", "max_input_channels": 0, "default_samplerate": 48000.0, "hostapi": 0},
            {"name": "USB Mic", "max_input_channels": 1, "default_samplerate": 16000.0, "hostapi": 0},
        ]

    def query_hostapis(self):
        return [{"name": "ALSA"}]

    def query_devices(self, index=None):
        return self.devices if index is None else self.devices[index]

    def check_input_settings(self, device, channels, samplerate, dtype):
        if samplerate not in self.accepts:
            raise self.PortAudioError(f"invalid rate {samplerate}")

    def InputStream(self, **kwargs):  # noqa: N802 - sounddevice's name
        return FakeStream(self, **kwargs)

    def _terminate(self) -> None:
        self.rescans += 1

    def _initialize(self) -> None: ...
