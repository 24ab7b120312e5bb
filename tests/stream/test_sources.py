"""Sources: file replay (fast and real-time), raw PCM on a pipe, the bounded queue's overflow count."""

from __future__ import annotations

import io
import itertools
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ser_edge.errors import AudioError, DeviceError
from ser_edge.stream.mic import resolve_device
from ser_edge.stream.sources import BlockQueue, FileSource, PcmSource

from support.signals import noise, to_int16, write_wav


def collect(source) -> tuple[list[int], np.ndarray]:
    offsets, blocks = [], []
    for offset, block in source:
        assert block.dtype == np.float32 and block.ndim == 1
        offsets.append(offset)
        blocks.append(block)
    return offsets, np.concatenate(blocks)


def test_file_source_replays_every_sample_in_order(tmp_path):
    rate = 22050
    x = noise(2.3, rate, -20.0)
    stereo = np.stack([to_int16(x), to_int16(x * 0.5)], axis=1)
    path = write_wav(tmp_path / "s.wav", stereo, rate)
    with FileSource(path, block_seconds=0.1) as src:
        assert src.sample_rate == rate and src.overflows == 0
        offsets, y = collect(src)
    expected = (stereo.astype(np.float32) / 32768).mean(axis=1)
    np.testing.assert_allclose(y, expected, atol=1e-6)
    assert offsets[0] == 0 and np.all(np.diff(offsets) == int(0.1 * rate))


@pytest.mark.parametrize("realtime", [False, True])
def test_file_source_replays_from_the_start_on_every_iteration(tmp_path, realtime):
    # A second pass used to yield no samples at all.
    rate = 8000
    path = write_wav(tmp_path / "s.wav", to_int16(noise(0.3, rate, -20.0)), rate)
    src = FileSource(path, block_seconds=0.05, realtime=realtime, queue_seconds=10.0)
    first_offsets, first = collect(src)
    second_offsets, second = collect(src)
    assert len(first) == int(0.3 * rate) and first_offsets[0] == 0
    np.testing.assert_array_equal(second, first)
    assert second_offsets == first_offsets
    src.close()
    np.testing.assert_array_equal(collect(src)[1], first)  # iterating after close() reopens the file
    src.close()


def _open_fds(path) -> int:
    """How many of this process's file descriptors are open on ``path``."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == os.path.realpath(path))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")
@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_file_source_close_closes_the_file(tmp_path, suffix):
    # close() used to leave the soundfile handle open (and a half-read iteration holding it).
    import soundfile

    rate = 8000
    path = tmp_path / f"s{suffix}"
    soundfile.write(str(path), noise(1.0, rate, -20.0), rate, subtype="PCM_16")
    src = FileSource(path, block_seconds=0.05)
    blocks = iter(src)
    next(blocks)
    assert _open_fds(path) == 1  # read block by block from the open file
    src.close()
    assert _open_fds(path) == 0 and list(blocks) == []
    with FileSource(path) as src:
        next(iter(src))
    assert _open_fds(path) == 0


def test_file_source_checks_float_files_like_buffers(tmp_path):
    import soundfile

    path = tmp_path / "int16-in-float.wav"
    soundfile.write(str(path), np.full(4000, 3000.0, dtype=np.float32), 8000, subtype="FLOAT")
    with pytest.raises(AudioError, match="int16-in-float.wav: float samples reach 3000.*divide by 32768"):
        collect(FileSource(path))


def test_pcm_source_hints_at_integer_samples_read_as_float():
    data = to_int16(noise(0.5, 16000, -10.0)).astype("<f4").tobytes()  # int16 values as f32le
    with pytest.raises(AudioError, match="<stdin>: float samples reach .*divide by 32768"):
        collect(PcmSource(io.BytesIO(data), sample_rate=16000, fmt="f32le"))


def test_file_source_errors_are_typed(tmp_path):
    with pytest.raises(AudioError, match="no such"):
        FileSource(tmp_path / "missing.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 3)
    with pytest.raises(AudioError, match="bad.wav"):
        FileSource(bad)


def test_realtime_replay_counts_what_a_slow_consumer_loses(tmp_path):
    rate = 8000
    path = write_wav(tmp_path / "s.wav", to_int16(noise(1.2, rate, -20.0)), rate)
    src = FileSource(path, block_seconds=0.02, realtime=True, queue_seconds=0.1)  # a 5-block queue
    offsets, received = [], 0
    for offset, block in src:
        offsets.append(offset)
        received += len(block)
        time.sleep(0.06)  # three times slower than real time
    assert src.overflows > 0
    assert received + src.dropped_samples == int(1.2 * rate)  # nothing lost that was not counted
    assert any(b - a > int(0.02 * rate) for a, b in itertools.pairwise(offsets))  # jumps show the loss


def test_block_queue_counts_every_dropped_block():
    q = BlockQueue(max_blocks=4)
    block = np.zeros(100, np.float32)

    def produce() -> None:
        for i in range(50):
            q.put(i * 100, block)
            time.sleep(0.001)
        q.finish()

    thread = threading.Thread(target=produce)
    thread.start()
    got = []
    for offset, _ in q.drain(poll=0.01):
        got.append(offset)
        time.sleep(0.01)  # slower than the producer
    thread.join()
    assert q.overflows > 0 and len(got) + q.overflows == 50
    assert q.dropped_samples == 100 * q.overflows and got == sorted(got)


def test_block_queue_hands_the_producer_error_to_the_consumer():
    q = BlockQueue(2)
    q.put(0, np.zeros(3, np.float32))
    q.finish(AudioError("broken pipe"))
    with pytest.raises(AudioError, match="broken pipe"):
        list(q.drain(poll=0.01))


class Trickle(io.RawIOBase):
    """A pipe that returns at most ``n`` bytes per read (partial frames across reads)."""

    def __init__(self, data: bytes, n: int) -> None:
        self.data, self.n = data, n

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        out, self.data = self.data[:min(size, self.n)], self.data[min(size, self.n):]
        return out


@pytest.mark.parametrize("fmt", ["s16le", "f32le"])
@pytest.mark.parametrize("channels", [1, 2])
def test_pcm_source_decodes_pipes_with_partial_frames(fmt, channels):
    rate = 16000
    x = noise(0.5, rate, -10.0)
    frames = np.repeat(x[:, None], channels, axis=1)
    data = (to_int16(frames) if fmt == "s16le" else frames.astype("<f4")).tobytes()
    expected = to_int16(x) / 32768.0 if fmt == "s16le" else x
    for stream in (io.BytesIO(data), Trickle(data, 333)):
        src = PcmSource(stream, sample_rate=rate, fmt=fmt, channels=channels)
        offsets, y = collect(src)
        np.testing.assert_allclose(y, expected, atol=1e-6)
        assert offsets == sorted(offsets) and offsets[0] == 0


def test_pcm_source_rejects_bad_settings():
    with pytest.raises(AudioError, match="s24"):
        PcmSource(io.BytesIO(b""), sample_rate=16000, fmt="s24le")
    with pytest.raises(AudioError, match="rate"):
        PcmSource(io.BytesIO(b""), sample_rate=0)


def test_unknown_device_name_is_a_device_error():
    # Without PortAudio this is a DeviceError too ("PortAudio is not usable"), never a traceback.
    with pytest.raises(DeviceError):
        resolve_device("no-such-device-xyz")


def test_open_input_replays_a_file_or_opens_a_device(example_wavs):
    from ser_edge.stream.sources import open_input

    source = open_input(example_wavs[0])
    assert isinstance(source, FileSource) and source.sample_rate == 48000
    with pytest.raises(DeviceError, match="no-such-device-xyz"):
        open_input(device="no-such-device-xyz")


def test_pcm_source_passes_nan_and_inf_bursts_on_to_the_engine():
    # The stream engine mutes and counts non-finite samples; the input check must not stop the
    # stream on them (nor take an Inf for integer-scaled audio).
    x = noise(0.5, 16000, -20.0).astype(np.float32)
    x[100:110], x[2000:2005] = np.nan, np.inf
    _, y = collect(PcmSource(io.BytesIO(x.astype("<f4").tobytes()), sample_rate=16000, fmt="f32le"))
    assert int(np.count_nonzero(~np.isfinite(y))) == 15 and len(y) == len(x)
